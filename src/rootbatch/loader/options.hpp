// What a loader reads and how: the inputs (datasets with optional class
// labels and sampling ratios) and the options (columns, output types, jagged
// handling, shuffling, memory budget, threads, split, sharding).
//
// Every option that changes WHICH rows are yielded or in WHAT ORDER is listed
// under "Determinism" below; options not listed (threads, queue depth) never
// change the batches, only how fast they come.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rootbatch/column/column.hpp"
#include "rootbatch/frame/dataset.hpp"

namespace rootbatch::loader {

// One source of events: a dataset (files x tree), optionally labelled and
// resampled. The global entry index counts the inputs' entries in order:
// input 0's files first, then input 1's, and so on.
struct LoaderInput {
  std::shared_ptr<const Dataset> dataset;
  // If any input has a class label, all must: it becomes the last target
  // column, named "class_label".
  std::optional<int64_t> class_label;
  // Per epoch, this input contributes round(ratio x its entries) entries
  // (of the selected split): below 1 a seeded random subset (undersampling),
  // above 1 every entry floor(ratio) times plus a random subset
  // (oversampling). A fresh draw every epoch; see epoch_order.hpp. A ratio
  // that selects no entry at all is an error.
  double sampling_ratio = 1.0;
  // Entries of this input to use, in its own index (0 .. dataset entries).
  std::optional<EntryRange> entries;
};

enum class JaggedMode : uint8_t {
  kPad,      // [rows, max_length, inner] tensor, pad_value beyond each entry's length, optional mask
  kRagged,   // values [items, inner] + offsets [rows + 1]
  kFlatten,  // name_0 .. name_{max_length*inner-1} in the feature matrix (at the column's place among
             // the features if named there, else after them), as ROOT 6.40 does
};

struct JaggedColumn {
  std::string name;
  JaggedMode mode = JaggedMode::kPad;
  int64_t max_length = 0;  // kPad / kFlatten: items kept per entry (longer entries are truncated)
  double pad_value = 0.0;
  bool mask = false;       // kPad: also a bool [rows, max_length] mask, true where an item exists
  DataType type = DataType::kFloat32;
  // Doubly jagged columns (std::vector<std::vector<T>>) only, and needed
  // there: items kept per inner list. kPad gives [rows, max_length,
  // max_inner_length] (mask likewise), kFlatten name_i_j features, row-major;
  // kRagged takes one level of lists only.
  int64_t max_inner_length = 0;
};

// Several jagged columns of one collection (the particles of a jet: part_px,
// part_py, ...) grouped into one tensor per batch. Every member must have the
// same number of items in every entry (checked as blocks are read; the first
// entry that differs is named).
enum class CollectionLayout : uint8_t {
  kBPF,     // [rows, max_length, F]: particles, then their features
  kBFP,     // [rows, F, max_length]: features first, as ParticleNet and ParT take it
  kRagged,  // values [items, F] + offsets [rows + 1] (max_length 0 keeps every item)
};

struct Collection {
  std::string name;                  // the batch tensor's name; the mask is "<name>_mask"
  std::vector<std::string> columns;  // members, in feature order
  int64_t max_length = 0;            // items kept per entry (the first after sorting); kRagged: 0 = all
  CollectionLayout layout = CollectionLayout::kBPF;
  double pad_value = 0.0;
  // A jagged column with the members' counts (a member or not): items are
  // ordered by it, largest first, before max_length truncates. Empty: file order.
  std::string sort_by;
  bool mask = true;                  // kBPF / kBFP: also [rows, max_length] bool, true where an item exists
};

// Per-column preprocessing, applied on the workers as values are converted,
// in this order: fill_nan, log, standardise ((x - center) / scale), clip.
// For features (scalars and fixed arrays, every value), padded jagged columns
// and collection members (the items that exist; padding keeps pad_value).
// Float output types only.
struct ColumnTransform {
  enum class Scaling : uint8_t { kNone, kGiven, kAuto };
  std::string column;
  std::optional<double> fill_nan;  // NaN becomes this
  bool log = false;                // natural log, for positive-definite variables
  Scaling scaling = Scaling::kNone;
  double center = 0.0;             // kGiven, or set from the sample for kAuto
  double scale = 1.0;
  std::optional<std::pair<double, double>> clip;
};

// Class reweighting in one or two variables (jet pt, eta), as weaver does
// it: per-class histograms over the training split (one pass when the
// loader is made) give per-event weights that flatten every class's
// spectrum, or match it to a reference class's, with every class's total
// weight equal. Delivered as the batches' weights, or as seeded rejection
// sampling (each event kept with probability weight / largest weight,
// decided once per loader), so batches are balanced without weights.
struct Reweighting {
  enum class Mode : uint8_t { kWeights, kSample };
  std::vector<std::string> variables;       // one or two scalar columns
  std::vector<std::vector<double>> edges;   // per variable, increasing; values outside go to the end bins
  std::vector<std::string> classes;         // one-hot columns: an event is class i where classes[i] is nonzero
  std::string reference;                    // a name in `classes`; empty: flatten every class
  Mode mode = Mode::kWeights;
};

enum class ShuffleStrategy : uint8_t {
  kNone,           // entries in global order
  // Pieces of basket-aligned blocks, sized from the buffer (see
  // `pieces_per_buffer`), in a seeded order (see `stratify`) stream through a
  // buffer of rows; each batch takes random rows of the buffer, whose slots
  // are refilled at once with the next incoming rows. A basket is
  // decompressed once per piece it holds (once where pieces are longer than
  // blocks, as at large budgets).
  kStream,
  // ROOT 6.40 RDataLoader's strategy, for comparisons at equal memory:
  // clusters in random order fill a buffer, the buffer's rows are shuffled and
  // cut into batches, then the next buffer is filled.
  kClusterChunks,
  // kStream's order, but the buffer holds whole pieces, each in a random row
  // order from the moment it enters, and every batch takes its share of each
  // piece in the buffer (rows left over the piece's remaining life): a
  // stratified sample of the buffer copied in contiguous runs, not one row
  // from a random place of the buffer per row (piece_schedule.hpp).
  kPieces,
  // kStream's order; each row's destination (batch and row) is fixed when
  // it arrives, and the worker that read it writes it there: no buffer of
  // rows, open batches instead, and no copy per row on the assembler thread
  // (scatter_schedule.hpp). Fixed rows only (no ragged columns).
  kScatter,
};

enum class Split : uint8_t { kAll, kTrain, kValidation };

inline constexpr int64_t kMiB = int64_t{1} << 20;

struct LoaderOptions {
  // Columns. Empty `features` means every numeric scalar column that is not
  // a target, the weight or a jagged column.
  std::vector<std::string> features;
  std::vector<std::string> targets;
  std::string weight;  // empty: no weights
  // One-hot class columns (label_QCD, label_Hbb, ...): the targets end with
  // "class_index", the index of the one set in each entry (exactly one must
  // be). int64 unless target_type says otherwise.
  std::vector<std::string> class_columns;
  std::vector<JaggedColumn> jagged;
  std::vector<Collection> collections;
  std::vector<ColumnTransform> preprocessing;
  // Entries of the training split sampled (seeded blocks) to compute the
  // center and scale of "auto" standardisation: the same numbers for a
  // training and a validation loader of one seed and validation fraction.
  int64_t preprocessing_sample = 100000;
  std::optional<Reweighting> reweight;

  // Output types: float32, float64, int64, int32 or bool.
  DataType feature_type = DataType::kFloat32;
  // Integer features (and jagged columns) whose values may be rounded by a
  // float output type. Any other integer value a float cannot hold exactly
  // (a uint64 event number above 2^24 as float32) fails the read with the
  // column, value and entry named: a silent rounding would merge distinct
  // values. Targets are checked by type instead (target_type).
  std::vector<std::string> lossy_features;
  // Unset: the narrowest of float32, float64, int64 that holds every target
  // exactly (an error if none does: then say which type you want).
  std::optional<DataType> target_type;
  DataType weight_type = DataType::kFloat32;

  int64_t batch_size = 1024;
  bool drop_remainder = false;  // drop each shard's last, partial batch

  // Hard cap in bytes on what the loader holds: its row buffer, blocks being
  // read and decompressed, and ready batches (see docs/loader.md for the
  // split and what is estimated).
  int64_t memory_budget = 256 * kMiB;
  int num_threads = 2;     // decompression workers (plus one thread that assembles batches)
  int queue_batches = 2;   // ready batches queued ahead of the consumer

  // Determinism: the batches depend on exactly these, the columns, and the data.
  uint64_t seed = 0;
  ShuffleStrategy shuffle = ShuffleStrategy::kStream;
  // kStream: order blocks so that consecutive blocks come from distant parts
  // of the dataset (strata of about 4 blocks, drawn in a low-discrepancy
  // order each round), so every batch spans the whole file even with a small
  // buffer. false: a plain random permutation of blocks.
  bool stratify = true;
  // >1 cuts every block into this many pieces placed independently: better
  // mixing at the cost of decompressing each basket up to this many times.
  int block_split = 1;
  // kStream: blocks are cut into pieces of at most buffer rows / this, and
  // the pieces are what the order places, so the buffer always mixes about
  // this many pieces from distant parts of the data, whatever the block,
  // basket and file sizes. Where blocks are longer than a piece, their
  // baskets are decompressed once per piece (shuffle_plan states how often);
  // 0: blocks stay whole (each basket once; quality then depends on the
  // layout). 100 keeps the layout suite within its targets at a 5 % budget,
  // and the training outcome within 0.0008 AUC of a full shuffle where 64
  // pieces lost up to 0.002 on a file sorted by a feature (docs/benchmarks.md).
  int pieces_per_buffer = 100;
  // Blocks (the units of splitting and shuffling) are basket-aligned runs of
  // at most this many entries. Part of the split's definition.
  int64_t max_block_entries = 65536;
  Split split = Split::kAll;
  double validation_fraction = 0.0;  // in [0, 1); fraction of each input's entries
  int rank = 0;
  int world_size = 1;
  int worker_id = 0;
  int num_workers = 1;
  // Set by ResumeElastic (not an option a user sets), >= 0 on a loader over
  // the rest of epoch `rest_of_epoch`: the loader refuses other epochs, and
  // the last rows mod shards rows go one each to the first shards instead
  // of being left out, where that keeps every shard's batch count equal, so
  // the rest of an interrupted epoch yields every row it had left.
  int64_t rest_of_epoch = -1;
};

std::string_view ShuffleStrategyName(ShuffleStrategy strategy);  // "none", "stream", "cluster-chunks", "pieces", "scatter"
std::string_view JaggedModeName(JaggedMode mode);                 // "pad", "ragged", "flatten"

// Checks the options that do not need the data: every option's bounds and
// kinds (option_schema.hpp) and what options say about each other (a rank
// outside the world); the rest is checked against the data by BuildLayout.
Status ValidateOptions(const LoaderOptions& options);
// Output types and max_length of jagged column specs.
Status CheckJaggedColumns(const std::vector<JaggedColumn>& columns);
// Names, members and lengths of collections; bounds of transforms.
Status CheckCollections(const std::vector<Collection>& collections);
Status CheckTransforms(const std::vector<ColumnTransform>& transforms);
Status CheckReweighting(const Reweighting& reweighting);
std::string_view CollectionLayoutName(CollectionLayout layout);  // "BPF", "BFP", "ragged"

}  // namespace rootbatch::loader
