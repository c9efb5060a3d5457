// Elastic resume: a state saved by W x k shards part-way through an epoch,
// restored into W' x k' shards, yields every row of the epoch not yet
// yielded exactly once, with equal batch counts per new shard.
#include "rootbatch/loader/elastic.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "rootbatch/loader/testing/loader_fixtures.hpp"

namespace rootbatch::loader {
namespace {

using rootbatch::testing::MakeDataset;
using rootbatch::testing::MemorySourceOptions;

struct Shape {
  int world_size;
  int num_workers;
  int64_t Shards() const { return int64_t{world_size} * num_workers; }
};

struct ElasticCase {
  Shape before;
  Shape after;
  double fraction;  // of its batches each saved shard had consumed (odd shards one more)
};

std::vector<LoaderInput> Inputs() {
  MemorySourceOptions base;
  base.cluster_size = 700;
  base.basket_size = 350;
  LoaderInput input;
  input.dataset = MakeDataset({9000, 2500, 14000}, base);  // event_id == global entry
  return {input};
}

LoaderOptions Options(Shape shape, int64_t shard) {
  LoaderOptions options;
  options.features = {"f0"};
  options.targets = {"event_id"};
  options.batch_size = 64;
  options.memory_budget = 1 * kMiB;  // a buffer of a few thousand rows: a real streaming shuffle
  options.num_threads = 2;
  options.seed = 11;
  options.world_size = shape.world_size;
  options.num_workers = shape.num_workers;
  options.rank = static_cast<int>(shard / shape.num_workers);
  options.worker_id = static_cast<int>(shard % shape.num_workers);
  return options;
}

void Collect(const Batch& batch, std::map<int64_t, int>& seen) {
  for (int64_t id : batch.targets->Values<int64_t>()) ++seen[id];
}

class ElasticTest : public ::testing::TestWithParam<ElasticCase> {};

TEST_P(ElasticTest, TheRestOfTheEpochYieldsEveryRowLeftOnce) {
  const ElasticCase c = GetParam();
  const int64_t epoch = 1;
  std::map<int64_t, int> seen;  // event id -> times yielded, before and after
  std::vector<std::optional<LoaderState>> states;
  int64_t epoch_rows = 0;
  for (int64_t s = 0; s < c.before.Shards(); ++s) {
    auto loader = Loader::Create(Inputs(), Options(c.before, s));
    ASSERT_TRUE(loader.IsOk()) << loader.status().ToString();
    ASSERT_TRUE((*loader)->SetEpoch(epoch).IsOk());
    const int64_t batches = (*loader)->Epoch().num_batches;
    epoch_rows = (*loader)->Epoch().epoch_rows - (*loader)->Epoch().left_out;
    const int64_t stop = std::min(batches, static_cast<int64_t>(c.fraction * static_cast<double>(batches)) + s % 2);
    for (int64_t b = 0; b < stop; ++b) {
      auto next = (*loader)->Next();
      ASSERT_TRUE(next.IsOk() && next->has_value());
      Collect(**next, seen);
    }
    states.push_back((*loader)->State());
  }
  auto world = GatherWorld(Inputs(), Options(c.before, 0), c.before.world_size, c.before.num_workers, states);
  ASSERT_TRUE(world.IsOk()) << world.status().ToString();
  auto parsed = WorldState::Parse(world->Serialize());
  ASSERT_TRUE(parsed.IsOk()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, *world);

  std::vector<int64_t> counts;
  int64_t left_out = 0;
  for (int64_t s = 0; s < c.after.Shards(); ++s) {
    auto resumed = ResumeElastic(Inputs(), Options(c.after, s), *parsed);
    ASSERT_TRUE(resumed.IsOk()) << resumed.status().ToString();
    left_out = (*resumed)->Epoch().left_out;
    int64_t count = 0;
    for (const Batch& batch : rootbatch::testing::Drain(**resumed)) {
      Collect(batch, seen);
      ++count;
    }
    // (An epoch over when saved leaves nothing: the resumed loader is at its end.)
    EXPECT_EQ(count, c.fraction >= 1.0 ? 0 : (*resumed)->Epoch().num_batches);
    // It is the rest of that epoch only: the next one needs a loader of the new shape.
    if (c.fraction < 1.0) EXPECT_FALSE((*resumed)->SetEpoch(epoch + 1).IsOk());
    counts.push_back(count);
  }
  // Equal batch counts per new shard.
  EXPECT_EQ(std::count(counts.begin(), counts.end(), counts[0]), static_cast<int64_t>(counts.size()));
  // Every row of the epoch exactly once, before and after (here the rest
  // divides among the new shards without leaving one out).
  EXPECT_EQ(left_out, 0);
  EXPECT_EQ(static_cast<int64_t>(seen.size()), epoch_rows);
  for (const auto& [id, times] : seen) ASSERT_EQ(times, 1) << "event " << id;
}

INSTANTIATE_TEST_SUITE_P(Shapes, ElasticTest,
                         ::testing::Values(ElasticCase{{4, 1}, {2, 1}, 0.0}, ElasticCase{{4, 1}, {2, 1}, 0.3},
                                           ElasticCase{{4, 1}, {2, 1}, 0.8}, ElasticCase{{2, 1}, {3, 1}, 0.25},
                                           ElasticCase{{2, 1}, {3, 1}, 0.6}, ElasticCase{{1, 2}, {1, 1}, 0.5},
                                           ElasticCase{{1, 2}, {1, 1}, 0.9}, ElasticCase{{2, 2}, {3, 1}, 0.4},
                                           ElasticCase{{4, 1}, {2, 1}, 1.0}));

// Entry ranges, a train/validation split and drop_remainder: the rest
// yields exactly what the saved world's shards would still have yielded.
TEST(ElasticTest, EntryRangesSplitsAndDroppedRemainders) {
  enum class Variant { kEntryRange, kTrainSplit, kDropRemainder };
  for (Variant variant : {Variant::kEntryRange, Variant::kTrainSplit, Variant::kDropRemainder}) {
    SCOPED_TRACE(static_cast<int>(variant));
    std::vector<LoaderInput> inputs = Inputs();
    auto configure = [&](Shape shape, int64_t shard) {
      LoaderOptions options = Options(shape, shard);
      if (variant == Variant::kTrainSplit) {
        options.split = Split::kTrain;
        options.validation_fraction = 0.2;
      }
      if (variant == Variant::kDropRemainder) options.drop_remainder = true;
      return options;
    };
    if (variant == Variant::kEntryRange) inputs[0].entries = EntryRange{1000, 20000};
    const Shape before{3, 1}, after{2, 1};
    std::map<int64_t, int> whole, seen;
    std::vector<std::optional<LoaderState>> states;
    for (int64_t s = 0; s < before.Shards(); ++s) {
      auto full = Loader::Create(inputs, configure(before, s));
      ASSERT_TRUE(full.IsOk()) << full.status().ToString();
      for (const Batch& batch : rootbatch::testing::Drain(**full)) Collect(batch, whole);
      auto loader = Loader::Create(inputs, configure(before, s));
      ASSERT_TRUE(loader.IsOk());
      for (int64_t b = 0; b < 5 + s; ++b) {
        auto next = (*loader)->Next();
        ASSERT_TRUE(next.IsOk() && next->has_value());
        Collect(**next, seen);
      }
      states.push_back((*loader)->State());
    }
    auto world = GatherWorld(inputs, configure(before, 0), before.world_size, before.num_workers, states);
    ASSERT_TRUE(world.IsOk()) << world.status().ToString();
    for (int64_t s = 0; s < after.Shards(); ++s) {
      auto resumed = ResumeElastic(inputs, configure(after, s), *world);
      ASSERT_TRUE(resumed.IsOk()) << resumed.status().ToString();
      for (const Batch& batch : rootbatch::testing::Drain(**resumed)) Collect(batch, seen);
    }
    // drop_remainder may drop a partial batch of the rest too: then seen is
    // whole less fewer than a batch per new shard; otherwise exactly whole.
    int64_t missing = 0;
    for (const auto& [id, times] : seen) {
      ASSERT_EQ(times, 1) << "event " << id;
      ASSERT_EQ(whole.count(id), 1u) << "event " << id << " is not of the saved world's epoch";
    }
    missing = static_cast<int64_t>(whole.size() - seen.size());
    if (variant == Variant::kDropRemainder) {
      EXPECT_LT(missing, 64 * after.Shards());
    } else {
      EXPECT_EQ(missing, 0);
    }
  }
}

TEST(ElasticTest, RefusesAWorldOfOtherOptions) {
  const Shape shape{2, 1};
  std::vector<std::optional<LoaderState>> states;
  for (int64_t s = 0; s < 2; ++s) {
    auto loader = Loader::Create(Inputs(), Options(shape, s));
    ASSERT_TRUE(loader.IsOk());
    states.push_back((*loader)->State());
  }
  auto world = GatherWorld(Inputs(), Options(shape, 0), 2, 1, states);
  ASSERT_TRUE(world.IsOk()) << world.status().ToString();
  LoaderOptions other = Options({1, 1}, 0);
  other.batch_size = 32;
  auto resumed = ResumeElastic(Inputs(), other, *world);
  ASSERT_FALSE(resumed.IsOk());
  EXPECT_NE(resumed.status().Message().find("other data or options"), std::string::npos);
  // Too few states for the world named; none within an epoch.
  EXPECT_FALSE(GatherWorld(Inputs(), Options(shape, 0), 3, 1, states).IsOk());
  EXPECT_FALSE(GatherWorld(Inputs(), Options(shape, 0), 2, 1, {std::nullopt, std::nullopt}).IsOk());
  // Oversampled inputs cannot tell their copies apart.
  std::vector<LoaderInput> twice = Inputs();
  twice[0].sampling_ratio = 2.0;
  auto refused = ResumeElastic(twice, Options({1, 1}, 0), *world);
  ASSERT_FALSE(refused.IsOk());
  EXPECT_NE(refused.status().Message().find("ratio"), std::string::npos);
  EXPECT_FALSE(WorldState::Parse("rootbatch-world-state/1 seed=1").IsOk());
  WorldState broken = *world;
  broken.num_workers = 0;  // built by hand: checked as Parse checks
  EXPECT_FALSE(ResumeElastic(Inputs(), Options({1, 1}, 0), broken).IsOk());
}

}  // namespace
}  // namespace rootbatch::loader
