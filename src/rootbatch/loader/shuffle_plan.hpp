// What a budget buys, before the epoch: the shuffle figures of SHUFFLE.md
// (bins/batch, var_ratio, spearman) of this shard's current epoch,
// predicted by running the epoch's read order and slot schedule on row
// positions alone, without reading any data. Both are decided by the seed,
// so the prediction is the figure the epoch will have, not an estimate;
// it costs one pass of index arithmetic over the epoch's rows (tens of
// milliseconds per million rows), which is why it runs on request only.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/loader/shuffle_metrics.hpp"

namespace rootbatch::loader {

class Loader;

struct ShufflePlan {
  int64_t epoch = 0;
  int64_t rows = 0;                // rows of this shard's epoch
  int64_t buffer_rows = 0;         // rows the shuffle buffer holds
  int64_t batch_size = 0;
  int64_t segments = 0;            // reads of the epoch's order (blocks or their turns)
  double mean_segment_rows = 0;
  double segments_per_buffer = 0;  // buffer_rows / mean_segment_rows: how many reads the buffer mixes
  int64_t largest_cluster = 0;     // entries of the largest cluster of any file
  std::string largest_cluster_file;
  int64_t piece_entries = 0;       // longest piece the order places (0: blocks whole)
  ShuffleFigures predicted;        // of this epoch, exact for this seed
  // Storage units (baskets, pages) of the selected columns: those holding a
  // row of this epoch, and how many the epoch's reads decompress (a unit
  // read by two reads counts twice), as LoaderStats::units_read will count.
  int64_t units = 0;
  int64_t units_read = 0;
  double DecompressionsPerUnit() const { return units > 0 ? static_cast<double>(units_read) / static_cast<double>(units) : 0; }
  // Why the figures may disappoint, and what to do (empty when they do not).
  std::vector<std::string> warnings;

  std::string Describe() const;  // a few lines
};

// The figures below which a plan warns: SHUFFLE.md's quality targets.
inline constexpr double kWarnBinsPerBatch = 85.0;
inline constexpr double kWarnVarRatio = 3.0;
// Decompressions per basket above which the plan warns of the cost.
inline constexpr double kWarnDecompressions = 4.0;

Result<ShufflePlan> PredictShuffle(const Loader& loader);

// Runs this shard's current epoch on positions, as the pipeline assembles it,
// and hands each batch's global entry indices to `batch` in order; no data
// is read. What PredictShuffle measures, open to other figures (a layout's
// class fraction per batch, in the layout suite).
Status ReplayBatches(const Loader& loader, const std::function<void(std::span<const int64_t>)>& batch);

// The warning for clusters larger than the buffer, from metadata alone
// (cheap enough for every loader's construction); empty if none.
std::string ClusterWarning(const Loader& loader);

}  // namespace rootbatch::loader
