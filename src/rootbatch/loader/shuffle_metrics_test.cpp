#include "rootbatch/loader/shuffle_metrics.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "rootbatch/loader/rng.hpp"

namespace rootbatch::loader {
namespace {

ShuffleFigures Score(const std::vector<int64_t>& order, int64_t n, int64_t batch) {
  ShuffleMetrics metrics(n, batch);
  for (size_t at = 0; at < order.size(); at += static_cast<size_t>(batch)) {
    size_t end = std::min(order.size(), at + static_cast<size_t>(batch));
    metrics.AddBatch(std::span<const int64_t>(order.data() + at, end - at));
  }
  return metrics.Finish();
}

TEST(ShuffleMetricsTest, SequentialOrderIsTheWorstCase) {
  std::vector<int64_t> order(102400);
  std::iota(order.begin(), order.end(), 0);
  ShuffleFigures f = Score(order, 102400, 1024);
  EXPECT_EQ(f.full_batches, 100);
  EXPECT_DOUBLE_EQ(f.bins_per_batch, 1.0);
  // Batch means spread like the feature itself: the ratio is about the batch size.
  EXPECT_NEAR(f.var_ratio, 1024, 5);
  EXPECT_NEAR(f.spearman, 1.0, 1e-9);
}

TEST(ShuffleMetricsTest, FullPermutationScoresLikeTheSimulator) {
  const int64_t n = 1 << 20;
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  Rng rng(1);
  rng.Shuffle(order);
  ShuffleFigures f = Score(order, n, 1024);
  EXPECT_GT(f.bins_per_batch, 99.9);
  EXPECT_NEAR(f.var_ratio, 1.0, 0.2);
  EXPECT_NEAR(f.spearman, 0.0, 0.01);
}

TEST(ShuffleMetricsTest, EpochCorrelation) {
  std::vector<int32_t> a(1000), b(1000), c(1000);
  std::iota(a.begin(), a.end(), 0);
  std::iota(b.begin(), b.end(), 0);
  std::iota(c.rbegin(), c.rend(), 0);
  EXPECT_NEAR(PositionCorrelation(a, b), 1.0, 1e-12);
  EXPECT_NEAR(PositionCorrelation(a, c), -1.0, 1e-12);
  b[5] = -1;  // left out in one epoch: ignored
  EXPECT_NEAR(PositionCorrelation(a, b), 1.0, 1e-12);
}

}  // namespace
}  // namespace rootbatch::loader
