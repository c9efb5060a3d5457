// Shuffle quality figures of one epoch, as defined in SHUFFLE.md, computed
// while batches stream by (memory: O(batch) plus, for the epoch-to-epoch
// correlation, one int32 per entry of the dataset).
//
//   bins/batch  mean number of distinct entry-index percentiles (of 100) in a
//               batch (full batches only); 100 for a full shuffle at batch 1024
//   var_ratio   variance of the per-batch mean of index/N, over the variance
//               an i.i.d. batch would have; 1 for a full shuffle
//   spearman    correlation between entry index and output position; about 0
//               for a full shuffle (the Pearson correlation of index and
//               position, which is Spearman's when an epoch yields every entry)
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace rootbatch::loader {

struct ShuffleFigures {
  double bins_per_batch = 0;
  double var_ratio = 0;
  double spearman = 0;
  int64_t events = 0;
  int64_t full_batches = 0;
};

class ShuffleMetrics {
 public:
  // `num_entries`: N, the size of the global entry index space.
  ShuffleMetrics(int64_t num_entries, int64_t batch_size);

  void AddBatch(std::span<const int64_t> entries);
  ShuffleFigures Finish() const;

 private:
  int64_t n_;
  int64_t batch_size_;
  int64_t position_ = 0;
  int64_t full_batches_ = 0;
  double bins_sum_ = 0;
  // Sums for the batch-mean variance and the feature variance.
  double mean_sum_ = 0, mean_sq_sum_ = 0;
  double x_sum_ = 0, x_sq_sum_ = 0;
  // Sums for the index-position correlation.
  double xy_sum_ = 0, y_sum_ = 0, y_sq_sum_ = 0;
  std::vector<uint8_t> seen_bins_;
};

// Correlation of the output positions of the entries yielded in both of two
// epochs: `a[e]` and `b[e]` are entry e's positions (-1: not yielded).
double PositionCorrelation(const std::vector<int32_t>& a, const std::vector<int32_t>& b);

}  // namespace rootbatch::loader
