// The scatter strategy (scatter_schedule.hpp, scatter_shuffle.hpp): the
// schedule is a bijection of stream positions onto batch rows within the
// budget's lags; the data path gives the replay's batches row for row,
// every entry exactly once over ranks x workers, the same batches whatever
// the threads, the same rest of an epoch after a resume; ragged layouts are
// refused with the alternative; and the layout suite's figures.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "rootbatch/loader/loader.hpp"
#include "rootbatch/loader/scatter_schedule.hpp"
#include "rootbatch/loader/shuffle_plan.hpp"
#include "rootbatch/loader/testing/layout_suite.hpp"
#include "rootbatch/loader/testing/loader_fixtures.hpp"

namespace rootbatch::loader {
namespace {

using rootbatch::testing::CheckRows;
using rootbatch::testing::Drain;
using rootbatch::testing::Entries;
using rootbatch::testing::FeatureValue;
using rootbatch::testing::MakeDataset;
using rootbatch::testing::MemorySourceOptions;
using rootbatch::testing::MustCreate;
using rootbatch::testing::SameBatches;
using rootbatch::testing::In;

LoaderOptions ScatterOptions() {
  LoaderOptions options;
  options.features = {"f0", "f1", "f2"};
  options.targets = {"event_id"};
  options.batch_size = 64;
  options.memory_budget = 1 * kMiB;
  options.num_threads = 2;
  options.seed = 42;
  options.shuffle = ShuffleStrategy::kScatter;
  return options;
}

// The schedule alone: every yielded stream position lands on exactly one
// row of one batch, no earlier than the step it arrives in and no later
// than lags - 1 batches after it.
TEST(ScatterSchedule, EveryPositionOnceWithinItsLags) {
  struct Case {
    int64_t rows, batch, batches, lags;
  };
  for (const Case& c : {Case{10000, 64, 157, 20}, Case{10000, 64, 156, 20}, Case{5000, 100, 50, 200},
                        Case{777, 1024, 1, 5}, Case{4096, 64, 64, 1}, Case{100000, 1024, 98, 97}}) {
    SCOPED_TRACE(std::to_string(c.rows) + " rows, batch " + std::to_string(c.batch) + ", lags " +
                 std::to_string(c.lags));
    ScatterSchedule schedule(c.rows, c.batch, c.batches, c.lags, 9);
    ASSERT_EQ(schedule.Rows(), std::min(c.rows, c.batch * c.batches));
    ASSERT_EQ(schedule.StepBegin(schedule.NumBatches()), schedule.Rows());
    std::vector<std::vector<int64_t>> rows(static_cast<size_t>(c.batches));
    for (int64_t b = 0; b < c.batches; ++b) rows[static_cast<size_t>(b)].assign(static_cast<size_t>(schedule.BatchRows(b)), -1);
    std::vector<ScatterSchedule::Destination> targets;
    std::vector<int32_t> order;
    for (int64_t step = schedule.FirstStep(); step < schedule.NumBatches(); ++step) {
      schedule.StepDestinations(step, &targets);
      const int64_t begin = schedule.StepBegin(step);
      ASSERT_EQ(static_cast<int64_t>(targets.size()), schedule.StepBegin(step + 1) - begin);
      for (size_t j = 0; j < targets.size(); ++j) {
        const int64_t position = begin + static_cast<int64_t>(j);
        ASSERT_EQ(schedule.StepOf(position), step);
        ASSERT_GE(targets[j].lag, 0);
        ASSERT_LT(targets[j].lag, schedule.Lags());
        const int64_t b = step + targets[j].lag;
        ASSERT_GE(b, 0);
        ASSERT_LT(b, c.batches);
        schedule.BatchOrder(b, &order);
        const auto row = static_cast<size_t>(order[static_cast<size_t>(targets[j].index)]);
        ASSERT_EQ(rows[static_cast<size_t>(b)][row], -1) << "two rows for one place";
        rows[static_cast<size_t>(b)][row] = position;
      }
    }
    for (int64_t b = 0; b < c.batches; ++b) {
      for (int64_t position : rows[static_cast<size_t>(b)]) ASSERT_GE(position, 0) << "a hole in batch " << b;
      // Complete once its step has arrived, not before.
      const int64_t newest = *std::max_element(rows[static_cast<size_t>(b)].begin(), rows[static_cast<size_t>(b)].end());
      ASSERT_LT(newest, schedule.CompleteAt(b));
    }
  }
}

// Lags fill the buffer's bytes with whole batches and their row orders.
TEST(ScatterSchedule, LagsAreWhatTheBufferHolds) {
  EXPECT_EQ(ScatterSchedule::Lags(1673976, 128, 1024), 1673976 * 140 / (1024 * 132 + 512));
  EXPECT_EQ(ScatterSchedule::Lags(100, 128, 1024), 1);
  ScatterSchedule small(500, 64, 8, 1000, 1);
  EXPECT_EQ(small.Lags(), 8);  // at most the batches: a full shuffle of the shard
}

// The data path makes the replay's batches, row for row, and every row
// holds its own entry's values.
TEST(ScatterShuffle, ReplayGivesEveryBatchRowForRow) {
  MemorySourceOptions base;
  base.cluster_size = 700;
  base.basket_size = 350;
  auto dataset = MakeDataset({9000, 2500, 14000}, base);
  for (int64_t budget : {int64_t{512} * 1024, 1 * kMiB, 8 * kMiB}) {
    LoaderOptions options = ScatterOptions();
    options.memory_budget = budget;
    auto loader = MustCreate(In(dataset), options);
    ASSERT_NE(loader, nullptr);
    ASSERT_TRUE(loader->SetEpoch(1).IsOk());
    std::vector<std::vector<int64_t>> replayed;
    ASSERT_TRUE(ReplayBatches(*loader, [&](std::span<const int64_t> rows) {
                  replayed.emplace_back(rows.begin(), rows.end());
                }).IsOk());
    std::vector<Batch> batches = Drain(*loader);
    ASSERT_EQ(replayed.size(), batches.size()) << "budget " << budget;
    for (size_t b = 0; b < batches.size(); ++b) {
      CheckRows(batches[b]);
      const auto entries = batches[b].entries.Values<int64_t>();
      ASSERT_EQ(std::vector<int64_t>(entries.begin(), entries.end()), replayed[b]) << "batch " << b;
    }
  }
}

struct ShardCase {
  int world_size;
  int num_workers;
  bool drop_remainder;
  bool cut_blocks;
};

class ScatterExactlyOnceTest : public ::testing::TestWithParam<ShardCase> {};

TEST_P(ScatterExactlyOnceTest, ShardsAreDisjointCompleteAndEven) {
  const ShardCase c = GetParam();
  MemorySourceOptions source;
  source.cluster_size = c.cut_blocks ? 5000 : 700;
  source.basket_size = c.cut_blocks ? 2500 : 90;
  auto dataset = MakeDataset({5003, 4000, 1}, source);
  std::vector<int64_t> seen;
  std::set<int64_t> batch_counts;
  for (int rank = 0; rank < c.world_size; ++rank) {
    for (int worker = 0; worker < c.num_workers; ++worker) {
      LoaderOptions options = ScatterOptions();
      options.world_size = c.world_size;
      options.rank = rank;
      options.num_workers = c.num_workers;
      options.worker_id = worker;
      options.drop_remainder = c.drop_remainder;
      options.memory_budget = c.cut_blocks ? kMiB : 2 * kMiB;
      options.num_threads = 1 + (rank + worker) % 3;
      auto loader = MustCreate(In(dataset), options);
      ASSERT_NE(loader, nullptr);
      auto batches = Drain(*loader);
      EXPECT_EQ(static_cast<int64_t>(batches.size()), loader->Epoch().num_batches);
      batch_counts.insert(static_cast<int64_t>(batches.size()));
      for (const auto& batch : batches) {
        CheckRows(batch);
        if (c.drop_remainder) ASSERT_EQ(batch.num_rows, options.batch_size);
      }
      auto entries = Entries(batches);
      EXPECT_EQ(static_cast<int64_t>(entries.size()), loader->Epoch().yielded_rows);
      seen.insert(seen.end(), entries.begin(), entries.end());
    }
  }
  const int64_t shards = static_cast<int64_t>(c.world_size) * c.num_workers;
  EXPECT_EQ(batch_counts.size(), 1u) << "every shard must yield the same number of batches";
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end()) << "an event was yielded twice";
  const int64_t per_shard = 9004 / shards;
  const int64_t expected = c.drop_remainder ? shards * (per_shard / 64 * 64) : shards * per_shard;
  EXPECT_EQ(static_cast<int64_t>(seen.size()), expected);
  for (int64_t id : seen) ASSERT_TRUE(id >= 0 && id < 9004);
}

INSTANTIATE_TEST_SUITE_P(Shards, ScatterExactlyOnceTest,
                         ::testing::Values(ShardCase{1, 1, false, false}, ShardCase{1, 2, true, false},
                                           ShardCase{2, 2, false, false}, ShardCase{3, 1, true, false},
                                           ShardCase{2, 4, false, true}, ShardCase{3, 4, true, true}),
                         [](const ::testing::TestParamInfo<ShardCase>& info) {
                           return "world" + std::to_string(info.param.world_size) + "_workers" +
                                  std::to_string(info.param.num_workers) + (info.param.drop_remainder ? "_drop" : "") +
                                  (info.param.cut_blocks ? "_cut" : "");
                         });

TEST(ScatterShuffle, SameBatchesWhateverTheThreads) {
  MemorySourceOptions source;
  source.cluster_size = 1000;
  source.basket_size = 250;
  auto dataset = MakeDataset({30000, 25000}, source);
  LoaderOptions options = ScatterOptions();
  std::vector<std::vector<Batch>> runs;
  for (int threads : {1, 2, 4}) {
    options.num_threads = threads;
    options.queue_batches = threads + 1;
    auto loader = MustCreate(In(dataset), options);
    ASSERT_NE(loader, nullptr);
    runs.push_back(Drain(*loader));
    ASSERT_TRUE(loader->SetEpoch(3).IsOk());  // and an epoch after the first
    runs.push_back(Drain(*loader));
  }
  EXPECT_GT(runs[0].size(), 100u);
  for (size_t r = 2; r < runs.size(); ++r) EXPECT_TRUE(SameBatches(runs[r % 2], runs[r])) << "run " << r;
  EXPECT_FALSE(SameBatches(runs[0], runs[1]));  // epochs differ
}

TEST(ScatterShuffle, ResumeContinuesWithTheSameBatches) {
  MemorySourceOptions source;
  source.cluster_size = 300;
  source.basket_size = 50;
  auto dataset = MakeDataset({20000, 17000}, source);
  LoaderOptions options = ScatterOptions();
  options.world_size = 2;
  options.rank = 1;
  auto reference = MustCreate(In(dataset), options);
  ASSERT_TRUE(reference->SetEpoch(2).IsOk());
  std::vector<Batch> all = Drain(*reference);
  const auto total = static_cast<int64_t>(all.size());
  ASSERT_GT(total, 200);
  for (int64_t at : {int64_t{0}, int64_t{1}, int64_t{7}, total / 3, total / 2, total - 1, total}) {
    auto first = MustCreate(In(dataset), options);
    ASSERT_TRUE(first->SetEpoch(2).IsOk());
    for (int64_t b = 0; b < at; ++b) ASSERT_TRUE(first->Next().IsOk());
    const std::string saved = first->State().Serialize();
    first.reset();  // the interruption
    auto state = LoaderState::Parse(saved);
    ASSERT_TRUE(state.IsOk()) << state.status().ToString();
    LoaderOptions resumed_options = options;
    resumed_options.num_threads = 3;  // threads may differ
    auto resumed = MustCreate(In(dataset), resumed_options);
    ASSERT_TRUE(resumed->Restore(*state).IsOk());
    std::vector<Batch> rest = Drain(*resumed);
    EXPECT_TRUE(SameBatches(rest, std::vector<Batch>(all.begin() + at, all.end()))) << "resumed at " << at;
  }
}

TEST(ScatterShuffle, BuffersSmallerAndLargerThanTheData) {
  // Budgets from one lag (every row to the batch of its own step, the
  // batch's order still random) to more lags than batches.
  auto dataset = MakeDataset({6000, 3001});
  for (int64_t budget : {int64_t{90} * 1024, int64_t{300} * 1024, 16 * kMiB}) {
    LoaderOptions options = ScatterOptions();
    options.memory_budget = budget;
    auto loader = MustCreate(In(dataset), options);
    ASSERT_NE(loader, nullptr);
    auto batches = Drain(*loader);
    for (const Batch& batch : batches) CheckRows(batch);
    auto entries = Entries(batches);
    std::sort(entries.begin(), entries.end());
    ASSERT_EQ(entries.size(), 9001u) << "budget " << budget;
    for (int64_t e = 0; e < 9001; ++e) ASSERT_EQ(entries[static_cast<size_t>(e)], e);
  }
}

TEST(ScatterShuffle, RaggedColumnsAreRefusedWithTheAlternative) {
  auto dataset = MakeDataset({3000});
  LoaderOptions options = ScatterOptions();
  options.features = {"f0"};
  options.jagged = {{"jet_pt", JaggedMode::kRagged, 0, 0, false, DataType::kFloat64}};
  auto loader = MustCreate(In(dataset), options);
  ASSERT_NE(loader, nullptr);
  auto next = loader->Next();
  ASSERT_FALSE(next.IsOk());
  EXPECT_EQ(next.status().Code(), StatusCode::kInvalidArgument);
  EXPECT_NE(next.status().ToString().find("shuffle='stream'"), std::string::npos) << next.status().ToString();
  EXPECT_NE(next.status().ToString().find("jet_pt"), std::string::npos) << next.status().ToString();
  // Padded, the same column is a fixed part of the row: scattered like the rest.
  options.jagged = {{"jet_pt", JaggedMode::kPad, 3, -1.0, true, DataType::kFloat32}};
  auto padded = MustCreate(In(dataset), options);
  ASSERT_NE(padded, nullptr);
  std::vector<int64_t> seen;
  for (const Batch& batch : Drain(*padded)) {
    auto values = batch.padded[0].Values<float>();
    auto entries = batch.entries.Values<int64_t>();
    for (int64_t r = 0; r < batch.num_rows; ++r) {
      const int64_t id = entries[static_cast<size_t>(r)];
      seen.push_back(id);
      for (int64_t j = 0; j < 3; ++j) {
        const float expected = j < id % 5 ? static_cast<float>(id) + 0.25f * static_cast<float>(j) : -1.0f;
        ASSERT_EQ(values[static_cast<size_t>(r * 3 + j)], expected) << "entry " << id;
      }
    }
  }
  std::sort(seen.begin(), seen.end());
  ASSERT_EQ(seen.size(), 3000u);
  for (int64_t e = 0; e < 3000; ++e) ASSERT_EQ(seen[static_cast<size_t>(e)], e);
}

// A loader stopped in the middle of an epoch (workers still writing into
// open batches) and destroyed: no hang, no late write (TSan and ASan see it).
TEST(ScatterShuffle, StopsCleanlyMidEpoch) {
  auto dataset = MakeDataset({40000});
  for (int taken : {0, 1, 5, 50}) {
    auto loader = MustCreate(In(dataset), ScatterOptions());
    ASSERT_NE(loader, nullptr);
    for (int b = 0; b < taken; ++b) ASSERT_TRUE(loader->Next().IsOk());
  }
}

// The layout suite's targets at 5 % (those of shuffle_layout_test), the
// worst of four seeds and two epochs; the figures are printed for
// docs/benchmarks.md (spread / floor, var_ratio, bins/batch, decompressions
// per basket).
TEST(ScatterShuffle, LayoutSuiteAtFivePercent) {
  for (const rootbatch::testing::Layout& layout : rootbatch::testing::LayoutSuite()) {
    double worst_spread = 0, worst_var = 0, worst_bins = 1000, decompressions = 0;
    for (uint64_t seed : {3u, 5u, 6u, 7u}) {
      for (int64_t epoch : {0, 1}) {
        LoaderOptions options = rootbatch::testing::LayoutOptions(seed);
        options.shuffle = ShuffleStrategy::kScatter;
        auto figures = rootbatch::testing::MeasureLayout(layout, options, 0.05, epoch);
        ASSERT_TRUE(figures.IsOk()) << figures.status().ToString();
        worst_spread = std::max(worst_spread, figures->SpreadRatio());
        worst_var = std::max(worst_var, figures->var_ratio);
        worst_bins = std::min(worst_bins, figures->bins_per_batch);
        decompressions = std::max(decompressions, figures->decompressions_per_basket);
      }
    }
    std::printf("| %s | %.2f | %.2f | %.1f | %.2f |\n", layout.name.c_str(), worst_spread, worst_var, worst_bins,
                decompressions);
    SCOPED_TRACE(layout.name);
    EXPECT_LE(worst_spread, 1.3);
    EXPECT_LE(worst_var, 2.0);
    EXPECT_GE(worst_bins, 90.0);
  }
}

}  // namespace
}  // namespace rootbatch::loader
