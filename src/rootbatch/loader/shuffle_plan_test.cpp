#include "rootbatch/loader/shuffle_plan.hpp"

#include <gtest/gtest.h>

#include "rootbatch/loader/loader.hpp"
#include "rootbatch/loader/testing/loader_fixtures.hpp"

namespace rootbatch::loader {
namespace {

using rootbatch::testing::Drain;
using rootbatch::testing::MakeDataset;
using rootbatch::testing::MemorySourceOptions;

struct PlanCase {
  ShuffleStrategy strategy;
  int world_size;
  int rank;
  int num_workers;
  int worker_id;
  int64_t budget;
  int64_t epoch;
};

LoaderOptions OptionsFor(const PlanCase& c) {
  LoaderOptions options;
  options.features = {"f0", "f1"};
  options.targets = {"event_id"};
  options.batch_size = 64;
  options.memory_budget = c.budget;
  options.num_threads = 2;
  options.seed = 11;
  options.shuffle = c.strategy;
  options.world_size = c.world_size;
  options.rank = c.rank;
  options.num_workers = c.num_workers;
  options.worker_id = c.worker_id;
  return options;
}

// Three files of unequal sizes and cluster sizes: the figures have structure.
std::shared_ptr<const Dataset> Chained() {
  MemorySourceOptions base;
  base.cluster_size = 700;
  base.basket_size = 350;
  return MakeDataset({9000, 2500, 14000}, base);
}

class PredictShuffleTest : public ::testing::TestWithParam<PlanCase> {};

// The prediction runs the epoch on positions only; the epoch itself must
// give exactly the same figures (same batches, same order of sums).
TEST_P(PredictShuffleTest, EqualsTheFiguresOfTheEpoch) {
  const PlanCase c = GetParam();
  LoaderInput input;
  input.dataset = Chained();
  auto loader = Loader::Create({input}, OptionsFor(c));
  ASSERT_TRUE(loader.IsOk()) << loader.status().ToString();
  ASSERT_TRUE((*loader)->SetEpoch(c.epoch).IsOk());
  auto plan = PredictShuffle(**loader);
  ASSERT_TRUE(plan.IsOk()) << plan.status().ToString();

  ShuffleMetrics measured(input.dataset->NumEntries(), 64);
  for (const Batch& b : Drain(**loader)) measured.AddBatch(b.entries.Values<int64_t>());
  const ShuffleFigures got = measured.Finish();
  EXPECT_GT(got.full_batches, 10);
  EXPECT_EQ(plan->predicted.full_batches, got.full_batches);
  EXPECT_EQ(plan->predicted.events, got.events);
  EXPECT_DOUBLE_EQ(plan->predicted.bins_per_batch, got.bins_per_batch);
  EXPECT_DOUBLE_EQ(plan->predicted.var_ratio, got.var_ratio);
  EXPECT_DOUBLE_EQ(plan->predicted.spearman, got.spearman);
  EXPECT_EQ(plan->epoch, c.epoch);
  EXPECT_EQ(plan->rows, (*loader)->Epoch().rows);
  EXPECT_EQ(plan->largest_cluster, 700);
  // What the reads decompress, predicted per unit as the reader counts it.
  EXPECT_EQ(plan->units_read, (*loader)->Stats().units_read);
  if (c.world_size == 1) EXPECT_EQ(plan->units, (*loader)->Stats().units_per_epoch);
}

INSTANTIATE_TEST_SUITE_P(
    Strategies, PredictShuffleTest,
    ::testing::Values(PlanCase{ShuffleStrategy::kStream, 1, 0, 1, 0, 1 * kMiB, 0},
                      PlanCase{ShuffleStrategy::kStream, 1, 0, 1, 0, 1 * kMiB, 3},
                      PlanCase{ShuffleStrategy::kStream, 2, 1, 2, 0, 1 * kMiB, 1},
                      PlanCase{ShuffleStrategy::kStream, 1, 0, 1, 0, 8 * kMiB, 0},
                      PlanCase{ShuffleStrategy::kClusterChunks, 1, 0, 1, 0, 1 * kMiB, 0},
                      PlanCase{ShuffleStrategy::kNone, 1, 0, 1, 0, 1 * kMiB, 0},
                      PlanCase{ShuffleStrategy::kPieces, 1, 0, 1, 0, 1 * kMiB, 0},
                      PlanCase{ShuffleStrategy::kPieces, 2, 1, 2, 1, 1 * kMiB, 2},
                      PlanCase{ShuffleStrategy::kPieces, 1, 0, 1, 0, 8 * kMiB, 0}));

// The replay on positions is the batches themselves, row for row, for every
// strategy (what elastic resume and the layout suite rely on).
TEST(ShufflePlan, ReplayGivesEveryBatchRowForRow) {
  for (ShuffleStrategy strategy : {ShuffleStrategy::kStream, ShuffleStrategy::kPieces, ShuffleStrategy::kClusterChunks,
                                   ShuffleStrategy::kNone}) {
    LoaderInput input;
    input.dataset = Chained();
    auto loader = Loader::Create({input}, OptionsFor({strategy, 1, 0, 1, 0, 1 * kMiB, 1}));
    ASSERT_TRUE(loader.IsOk()) << loader.status().ToString();
    ASSERT_TRUE((*loader)->SetEpoch(1).IsOk());
    std::vector<std::vector<int64_t>> replayed;
    ASSERT_TRUE(ReplayBatches(**loader, [&](std::span<const int64_t> rows) {
                  replayed.emplace_back(rows.begin(), rows.end());
                }).IsOk());
    std::vector<Batch> batches = Drain(**loader);
    ASSERT_EQ(replayed.size(), batches.size()) << ShuffleStrategyName(strategy);
    for (size_t b = 0; b < batches.size(); ++b) {
      const auto entries = batches[b].entries.Values<int64_t>();
      ASSERT_EQ(std::vector<int64_t>(entries.begin(), entries.end()), replayed[b])
          << ShuffleStrategyName(strategy) << " batch " << b;
    }
  }
}

TEST(ShufflePlan, ClustersLargerThanTheBufferAreReportedWithTheRemedy) {
  MemorySourceOptions base;
  base.cluster_size = 60000;  // one cluster per file, more rows than 1 MiB holds
  base.basket_size = 60000;
  LoaderInput input;
  input.dataset = MakeDataset({60000, 60000}, base);
  PlanCase c{ShuffleStrategy::kStream, 1, 0, 1, 0, 1 * kMiB, 0};
  auto loader = Loader::Create({input}, OptionsFor(c));
  ASSERT_TRUE(loader.IsOk()) << loader.status().ToString();
  ASSERT_LT((*loader)->Memory().num_slots, 60000);
  const std::string warning = ClusterWarning(**loader);
  EXPECT_NE(warning.find("clusters of up to 60000 entries"), std::string::npos) << warning;
  EXPECT_NE(warning.find("rootbatch shuffle"), std::string::npos) << warning;
  auto plan = PredictShuffle(**loader);
  ASSERT_TRUE(plan.IsOk());
  EXPECT_EQ(plan->largest_cluster, 60000);
  EXPECT_NE(plan->Describe().find("predicted bins/batch"), std::string::npos);
}

TEST(ShufflePlan, NoWarningWhereTheBufferHoldsTheClusters) {
  LoaderInput input;
  input.dataset = Chained();
  PlanCase c{ShuffleStrategy::kStream, 1, 0, 1, 0, 8 * kMiB, 0};
  auto loader = Loader::Create({input}, OptionsFor(c));
  ASSERT_TRUE(loader.IsOk());
  EXPECT_EQ(ClusterWarning(**loader), "");
}

// Without a shuffle the prediction is that of file order: one or two
// percentiles per batch, and it warns about nothing (no shuffle was asked).
TEST(ShufflePlan, FileOrderIsPredictedAsSuchWithoutWarning) {
  LoaderInput input;
  input.dataset = Chained();
  PlanCase c{ShuffleStrategy::kNone, 1, 0, 1, 0, 1 * kMiB, 0};
  auto loader = Loader::Create({input}, OptionsFor(c));
  ASSERT_TRUE(loader.IsOk());
  auto plan = PredictShuffle(**loader);
  ASSERT_TRUE(plan.IsOk());
  EXPECT_LT(plan->predicted.bins_per_batch, 3.0);
  EXPECT_GT(plan->predicted.spearman, 0.99);
  EXPECT_TRUE(plan->warnings.empty());
}

}  // namespace
}  // namespace rootbatch::loader
