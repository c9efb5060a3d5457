// RowLayout: where each selected column lands in a batch, resolved against
// the inputs' schemas once, when a loader is created.
//
// Rows are staged (by the workers) and buffered (in the shuffle buffer) in
// one fixed-size byte format, already converted to the output types, so that
// building a batch is a few memcpys per row:
//
//   [features: F x feature_type][targets: T x target_type][weight]
//   [padded column 0: L0 x inner0 x type0] ... [mask 0: L0 bools] ...
//   [entry: int64, the row's global entry index]
//
// Each part starts at an offset aligned to its element size. Ragged columns
// have variable size and are kept beside the fixed row, one byte vector per
// shuffle-buffer slot (BatchAssembler's ragged_slots_).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/loader/options.hpp"

namespace rootbatch::loader {

// One contiguous part of the fixed row that becomes one batch tensor.
struct RowPart {
  std::string name;             // "features", "targets", "weights", a padded column, "<col>_mask"
  DataType type;
  std::vector<int64_t> shape;   // per row: {F}, {T}, {} (weights), {L, inner...}, {L}
  size_t offset = 0;            // bytes from the row start
  size_t bytes = 0;             // bytes per row
};

// How one source column is converted into the row.
struct ColumnRoute {
  // kMember: a member (or the sort key) of a collection, written by the
  // collection's step (collection.hpp), not by the route itself. kInput:
  // read for the reweighting (its variables and class columns), not output.
  enum class Kind : uint8_t { kFixed, kPadded, kRagged, kMember, kInput };
  std::string name;
  ColumnSpec spec;              // from the first input's first file
  Kind kind = Kind::kFixed;
  DataType out_type;
  int64_t inner = 1;            // values per entry (fixed) or per item (jagged)
  size_t offset = 0;            // kFixed/kPadded: where its values start in the row
  int64_t max_length = 0;       // kPadded: items (doubly jagged: lists) kept per entry
  int64_t max_inner_length = 0; // kPadded from a doubly jagged column: items kept per list, else 0
  double pad_value = 0.0;
  int64_t mask_offset = -1;     // kPadded with mask: where its L bools start
  int ragged_index = -1;        // kRagged: index into RowLayout::ragged
  // Integer values going into a float type that may round them (a feature
  // or jagged column not listed in lossy_features): the reader checks each
  // value and fails on the first one the float cannot hold exactly.
  bool check_exact = false;
  int transform = -1;           // index into RowLayout::transforms, or -1
  int collection = -1;          // kMember: index into RowLayout::collections
};

// Where a collection's members land: one tensor per batch, [P, F], [F, P]
// (a padded part with its mask) or ragged values [items, F].
struct CollectionPlacement {
  std::string name;
  CollectionLayout layout = CollectionLayout::kBPF;
  std::vector<size_t> members;  // routes of the members, in feature order
  int sort_route = -1;          // route of sort_by, -1: file order
  int64_t max_length = 0;       // items kept (kRagged: 0 keeps all)
  double pad_value = 0.0;
  DataType type = DataType::kFloat32;
  size_t offset = 0;            // kBPF/kBFP: where its values start in the row
  int64_t mask_offset = -1;     // kBPF/kBFP with mask
  int ragged_index = -1;        // kRagged: index into RowLayout::ragged
};

struct ReweightTable;

// The routes class reweighting reads (kInput), and where its weights go.
struct ReweightRoutes {
  std::vector<size_t> variables;
  std::vector<size_t> classes;
  bool write_weights = false;  // weights mode: the weights part holds each row's weight
  // Filled when the loader is made (Loader::Create), before any read.
  std::shared_ptr<const ReweightTable> table;
};

struct RaggedPart {
  std::string name;
  DataType type;
  std::vector<int64_t> item_shape;  // {inner...}; empty for scalars items
  int64_t inner = 1;
};

struct RowLayout {
  std::vector<ColumnRoute> routes;   // in read order
  std::vector<RowPart> parts;        // parts[0] is always the features
  int targets_part = -1;             // index into parts, or -1
  int weights_part = -1;
  int entries_part = -1;             // always present: the global entry index
  std::vector<int> padded_parts;     // per padded column (index into parts)
  std::vector<int> mask_parts;       // per padded column, -1 without mask
  std::vector<RaggedPart> ragged;
  std::vector<CollectionPlacement> collections;
  // One per column named in options.preprocessing; "auto" ones hold the
  // sample's numbers once the loader computed them (Loader::Create).
  std::vector<ColumnTransform> transforms;
  ReweightRoutes reweight;  // empty variables: no reweighting
  std::vector<std::string> feature_names;  // one per feature matrix column
  std::vector<std::string> target_names;   // with "class_label" last if labelled
  int64_t class_label_offset = -1;   // byte offset of the class label target, or -1
  std::vector<size_t> onehot_routes; // class_columns (kInput routes), in class order
  int64_t class_index_offset = -1;   // byte offset of the class_index target, or -1
  size_t row_bytes = 0;              // the fixed row, a multiple of 8
  // Distance between rows in the shuffle buffer: row_bytes, rounded up to a
  // whole number of cache lines when that costs at most 1/8 more. A row read
  // at random then touches the fewest lines (a 124-byte row spans 2 or 3
  // lines unaligned, always 2 in a 128-byte slot).
  size_t slot_stride = 0;

  // Bytes a column takes in memory as read (before conversion), per entry;
  // jagged columns count `mean_items` items (values, for doubly jagged ones).
  size_t RawBytesPerEntry(double mean_items) const;
};

// Checks the columns against the schema of every input and file: unknown
// columns, a target also listed as a feature, strings, jagged columns without
// a mode, lossy target types, inconsistent inputs, lossy_features that are
// not features. `indices[input][file][i]`
// receives routes[i]'s column index in that file.
Result<RowLayout> BuildLayout(const std::vector<LoaderInput>& inputs, const LoaderOptions& options,
                              std::vector<std::vector<std::vector<size_t>>>* indices);

}  // namespace rootbatch::loader
