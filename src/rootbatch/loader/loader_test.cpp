#include "rootbatch/loader/loader.hpp"

#include <gtest/gtest.h>


#include <algorithm>
#include <cmath>
#include <map>
#include <chrono>
#include <cstring>
#include <numeric>
#include <set>
#include <thread>

#include "rootbatch/base/testing/thread_count.hpp"

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

using rootbatch::testing::CountThreads;
using rootbatch::testing::CountThreadsSettlingAt;

LoaderOptions SmallOptions() {
  LoaderOptions options;
  options.features = {"f0", "f1", "f2"};
  options.targets = {"event_id"};
  options.batch_size = 64;
  options.memory_budget = 2 * kMiB;
  options.num_threads = 2;
  options.seed = 42;
  return options;
}

struct ShardCase {
  int world_size;
  int num_workers;
  bool drop_remainder;
  ShuffleStrategy strategy;
  bool cut_blocks = false;  // a budget that cuts blocks into turns (read in pieces)
};

class ExactlyOnceTest : public ::testing::TestWithParam<ShardCase> {};

TEST_P(ExactlyOnceTest, ShardsAreDisjointCompleteAndEven) {
  const ShardCase c = GetParam();
  MemorySourceOptions source;
  source.cluster_size = c.cut_blocks ? 5000 : 700;
  source.basket_size = c.cut_blocks ? 2500 : 90;
  auto dataset = MakeDataset({5003, 4000, 1}, source);
  std::vector<int64_t> seen;
  std::set<int64_t> batch_counts;
  int64_t left_out = -1;
  int64_t epoch_rows = -1;
  for (int rank = 0; rank < c.world_size; ++rank) {
    for (int worker = 0; worker < c.num_workers; ++worker) {
      LoaderOptions options = SmallOptions();
      options.world_size = c.world_size;
      options.rank = rank;
      options.num_workers = c.num_workers;
      options.worker_id = worker;
      options.drop_remainder = c.drop_remainder;
      options.shuffle = c.strategy;
      if (c.cut_blocks) {
        options.memory_budget = kMiB;
        options.num_threads = 1 + (rank + worker) % 3;  // shards may differ in threads
      }
      auto loader = MustCreate(In(dataset), options);
      ASSERT_NE(loader, nullptr);
      if (c.cut_blocks) {
        ASSERT_LT(loader->Memory().turn_entries, 2500) << loader->Memory().Describe();
      }
      auto batches = Drain(*loader);
      EXPECT_EQ(static_cast<int64_t>(batches.size()), loader->Epoch().num_batches);
      batch_counts.insert(static_cast<int64_t>(batches.size()));
      for (const auto& batch : batches) {
        CheckRows(batch);
        if (c.drop_remainder) {
          ASSERT_EQ(batch.num_rows, options.batch_size);
        }
      }
      auto entries = Entries(batches);
      EXPECT_EQ(static_cast<int64_t>(entries.size()), loader->Epoch().yielded_rows);
      seen.insert(seen.end(), entries.begin(), entries.end());
      left_out = loader->Epoch().left_out;
      epoch_rows = loader->Epoch().epoch_rows;
      if (c.drop_remainder) {
        EXPECT_EQ(loader->Epoch().yielded_rows, loader->Epoch().rows / 64 * 64);
      }
    }
  }
  const int64_t shards = static_cast<int64_t>(c.world_size) * c.num_workers;
  EXPECT_EQ(batch_counts.size(), 1u) << "every shard must yield the same number of batches";
  EXPECT_EQ(epoch_rows, 9004);
  EXPECT_EQ(left_out, 9004 % shards);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end()) << "an event was yielded twice";
  const int64_t per_shard = 9004 / shards;
  const int64_t expected = c.drop_remainder ? shards * (per_shard / 64 * 64) : shards * per_shard;
  EXPECT_EQ(static_cast<int64_t>(seen.size()), expected);
  for (int64_t id : seen) ASSERT_TRUE(id >= 0 && id < 9004);
}

std::vector<ShardCase> AllShardCases() {
  std::vector<ShardCase> cases;
  for (int world : {1, 2, 3}) {
    for (int workers : {1, 2, 4}) {
      cases.push_back({world, workers, false, ShuffleStrategy::kStream});
      cases.push_back({world, workers, true, ShuffleStrategy::kStream});
    }
  }
  cases.push_back({2, 2, false, ShuffleStrategy::kClusterChunks});
  cases.push_back({3, 1, false, ShuffleStrategy::kNone});
  cases.push_back({1, 1, false, ShuffleStrategy::kStream, true});
  cases.push_back({2, 2, false, ShuffleStrategy::kStream, true});
  cases.push_back({3, 4, true, ShuffleStrategy::kStream, true});
  for (int world : {1, 2, 3}) cases.push_back({world, 2, false, ShuffleStrategy::kPieces});
  cases.push_back({2, 4, true, ShuffleStrategy::kPieces});
  cases.push_back({3, 4, true, ShuffleStrategy::kPieces, true});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Shards, ExactlyOnceTest, ::testing::ValuesIn(AllShardCases()),
                         [](const ::testing::TestParamInfo<ShardCase>& info) {
                           return "world" + std::to_string(info.param.world_size) + "_workers" +
                                  std::to_string(info.param.num_workers) + (info.param.drop_remainder ? "_drop" : "") +
                                  "_" + (info.param.strategy == ShuffleStrategy::kStream   ? "stream"
                                         : info.param.strategy == ShuffleStrategy::kNone   ? "none"
                                         : info.param.strategy == ShuffleStrategy::kPieces ? "pieces"
                                                                                            : "chunks") +
                                  (info.param.cut_blocks ? "_cut" : "");
                         });

TEST(LoaderTest, SmallBuffersKeepRowsIntactAcrossBufferGenerations) {
  // A buffer much smaller than the data and not a multiple of the batch: the
  // chunked strategies start new generations inside a batch.
  auto dataset = MakeDataset({6000, 3001});
  for (ShuffleStrategy strategy : {ShuffleStrategy::kClusterChunks, ShuffleStrategy::kNone, ShuffleStrategy::kStream,
                                   ShuffleStrategy::kPieces}) {
    LoaderOptions options = SmallOptions();
    options.shuffle = strategy;
    options.memory_budget = 90 * 1024;
    auto loader = MustCreate(In(dataset), options);
    ASSERT_NE(loader, nullptr);
    if (strategy == ShuffleStrategy::kClusterChunks) {
      ASSERT_LT(loader->Memory().num_slots, 3000);
      ASSERT_NE(loader->Memory().num_slots % options.batch_size, 0);
    }
    auto batches = Drain(*loader);
    for (const Batch& batch : batches) CheckRows(batch);
    auto entries = Entries(batches);
    std::sort(entries.begin(), entries.end());
    ASSERT_EQ(entries.size(), 9001u);
    for (int64_t e = 0; e < 9001; ++e) ASSERT_EQ(entries[static_cast<size_t>(e)], e);
  }
}

TEST(LoaderTest, SameSeedSameBatchesWhateverTheThreads) {
  auto dataset = MakeDataset({3000, 2500});
  for (ShuffleStrategy strategy : {ShuffleStrategy::kStream, ShuffleStrategy::kClusterChunks, ShuffleStrategy::kPieces}) {
    LoaderOptions options = SmallOptions();
    options.shuffle = strategy;
    options.num_threads = 1;
    auto one = MustCreate(In(dataset), options);
    options.num_threads = 4;
    options.queue_batches = 5;
    auto four = MustCreate(In(dataset), options);
    ASSERT_TRUE(one && four);
    auto a = Drain(*one);
    auto b = Drain(*four);
    EXPECT_GT(a.size(), 10u);
    EXPECT_TRUE(SameBatches(a, b));
    // And again, epoch 3, after the loaders already ran an epoch.
    ASSERT_TRUE(one->SetEpoch(3).IsOk());
    ASSERT_TRUE(four->SetEpoch(3).IsOk());
    EXPECT_TRUE(SameBatches(Drain(*one), Drain(*four)));
  }
}

// A budget too small for whole blocks cuts them into turns that take turns in
// the stream; more workers (and more queued batches) read those turns in
// smaller pieces. Neither may move a row: the cut must not depend on them.
TEST(LoaderTest, SameBatchesWhateverTheThreadsWhenTheBudgetCutsBlocks) {
  MemorySourceOptions baskets;
  baskets.cluster_size = 10000;
  baskets.basket_size = 5000;
  auto dataset = MakeDataset({40000, 30000}, baskets);
  LoaderOptions options = SmallOptions();
  options.memory_budget = kMiB;
  options.num_threads = 1;
  const LoaderOptions one_options = options;
  auto one = MustCreate(In(dataset), options);
  options.num_threads = 4;
  options.queue_batches = 4;
  auto four = MustCreate(In(dataset), options);
  ASSERT_TRUE(one && four);
  int64_t largest = 0;
  for (const Block& block : one->BlockPlan().blocks) largest = std::max(largest, block.entries.Size());
  // The case under test: blocks cut into turns, and turns read in pieces.
  ASSERT_LT(one->Memory().turn_entries, largest) << one->Memory().Describe();
  ASSERT_EQ(four->Memory().turn_entries, one->Memory().turn_entries);
  ASSERT_LT(four->Memory().max_read_entries, four->Memory().turn_entries) << four->Memory().Describe();
  auto a = Drain(*one);
  auto b = Drain(*four);
  EXPECT_GT(a.size(), 100u);
  EXPECT_TRUE(SameBatches(a, b));
  for (const Batch& batch : b) CheckRows(batch);
  // A state saved with 1 thread resumes with 4 (the buffer is refilled from
  // turns read in pieces) into the same remaining batches.
  auto first = MustCreate(In(dataset), one_options);
  ASSERT_TRUE(first);
  const auto at = static_cast<int64_t>(a.size() / 3);
  for (int64_t i = 0; i < at; ++i) ASSERT_TRUE(first->Next().IsOk());
  const LoaderState state = first->State();
  first.reset();
  auto resumed = MustCreate(In(dataset), options);
  ASSERT_TRUE(resumed && resumed->Restore(state).IsOk());
  EXPECT_TRUE(SameBatches(Drain(*resumed), std::vector<Batch>(a.begin() + at, a.end())));
}

TEST(LoaderTest, EveryEpochHasAnotherOrderOfTheSameRows) {
  auto dataset = MakeDataset({4000});
  auto loader = MustCreate(In(dataset), SmallOptions());
  ASSERT_NE(loader, nullptr);
  std::vector<std::vector<int64_t>> orders;
  for (int64_t epoch = 0; epoch < 3; ++epoch) {
    ASSERT_TRUE(loader->SetEpoch(epoch).IsOk());
    orders.push_back(Entries(Drain(*loader)));
  }
  for (size_t e = 1; e < orders.size(); ++e) {
    EXPECT_NE(orders[e], orders[0]);
    auto a = orders[0], b = orders[e];
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    EXPECT_EQ(a, b);
  }
  // A rerun of epoch 1 repeats epoch 1.
  ASSERT_TRUE(loader->SetEpoch(1).IsOk());
  EXPECT_EQ(Entries(Drain(*loader)), orders[1]);
  // The order is shuffled, not the file order.
  std::vector<int64_t> sorted = orders[0];
  std::sort(sorted.begin(), sorted.end());
  EXPECT_NE(orders[0], sorted);
}

std::set<int64_t> EntrySet(const std::shared_ptr<const Dataset>& dataset, LoaderOptions options) {
  auto loader = MustCreate(In(dataset), options);
  if (!loader) return {};
  auto entries = Entries(Drain(*loader));
  return {entries.begin(), entries.end()};
}

TEST(LoaderTest, TrainAndValidationSplitIsDisjointFixedAndSeeded) {
  auto dataset = MakeDataset({6000, 4001});
  LoaderOptions options = SmallOptions();
  options.validation_fraction = 0.25;
  options.split = Split::kTrain;
  auto train = EntrySet(dataset, options);
  options.split = Split::kValidation;
  auto validation = EntrySet(dataset, options);
  EXPECT_EQ(static_cast<int64_t>(validation.size()), std::llround(0.25 * 10001));
  EXPECT_EQ(train.size() + validation.size(), 10001u);
  for (int64_t e : validation) ASSERT_EQ(train.count(e), 0u) << "entry " << e << " is in both splits";

  // Independent of epoch, batch size, budget, threads and strategy.
  options.batch_size = 100;
  options.memory_budget = 5 * kMiB;
  options.num_threads = 3;
  options.shuffle = ShuffleStrategy::kClusterChunks;
  auto loader = MustCreate(In(dataset), options);
  ASSERT_TRUE(loader->SetEpoch(7).IsOk());
  auto again = Entries(Drain(*loader));
  EXPECT_EQ(std::set<int64_t>(again.begin(), again.end()), validation);

  // Another seed, another split; validation spread over the data.
  options.seed = 43;
  auto other = EntrySet(dataset, options);
  EXPECT_EQ(other.size(), validation.size());
  EXPECT_NE(other, validation);
  EXPECT_LT(*validation.begin(), 2000);
  EXPECT_GT(*validation.rbegin(), 8000);
}

TEST(LoaderTest, ResumeContinuesWithTheSameBatches) {
  MemorySourceOptions source;
  source.cluster_size = 300;
  source.basket_size = 50;
  auto dataset = MakeDataset({2000, 1700}, source);
  for (ShuffleStrategy strategy : {ShuffleStrategy::kStream, ShuffleStrategy::kClusterChunks, ShuffleStrategy::kNone,
                                   ShuffleStrategy::kPieces}) {
    LoaderOptions options = SmallOptions();
    options.shuffle = strategy;
    options.memory_budget = 1 * kMiB;  // a buffer smaller than the data
    options.world_size = 2;
    options.rank = 1;
    auto reference = MustCreate(In(dataset), options);
    ASSERT_TRUE(reference->SetEpoch(2).IsOk());
    std::vector<Batch> all = Drain(*reference);
    const int64_t total = static_cast<int64_t>(all.size());
    ASSERT_GT(total, 20);
    for (int64_t at : {int64_t{0}, int64_t{1}, total / 3, total - 1, total}) {
      auto first = MustCreate(In(dataset), options);
      ASSERT_TRUE(first->SetEpoch(2).IsOk());
      for (int64_t b = 0; b < at; ++b) ASSERT_TRUE(first->Next().IsOk());
      std::string saved = first->State().Serialize();
      first.reset();  // the interruption
      auto state = LoaderState::Parse(saved);
      ASSERT_TRUE(state.IsOk()) << state.status().ToString();
      EXPECT_EQ(state->position, at);
      LoaderOptions resumed_options = options;
      resumed_options.num_threads = 3;  // threads may differ
      auto resumed = MustCreate(In(dataset), resumed_options);
      ASSERT_TRUE(resumed->Restore(*state).IsOk());
      std::vector<Batch> rest = Drain(*resumed);
      std::vector<Batch> expected(all.begin() + at, all.end());
      EXPECT_TRUE(SameBatches(rest, expected)) << ShuffleStrategyName(strategy) << " resumed at batch " << at;
    }
  }
}

TEST(LoaderTest, RestoreRejectsAStateFromOtherOptions) {
  auto dataset = MakeDataset({2000});
  auto loader = MustCreate(In(dataset), SmallOptions());
  ASSERT_TRUE(loader->Next().IsOk());
  LoaderState state = loader->State();
  LoaderOptions other = SmallOptions();
  other.batch_size = 32;
  auto different = MustCreate(In(dataset), other);
  EXPECT_EQ(different->Restore(state).Code(), StatusCode::kInvalidArgument);
  other = SmallOptions();
  other.seed = 1;
  different = MustCreate(In(dataset), other);
  EXPECT_EQ(different->Restore(state).Code(), StatusCode::kInvalidArgument);
}

// A rejected state must leave the epoch in flight as it was: Restore used
// to restart the epoch first and check the position after.
TEST(LoaderTest, ARejectedRestoreLeavesTheLoaderWhereItWas) {
  auto dataset = MakeDataset({2000});
  auto reference = MustCreate(In(dataset), SmallOptions());
  auto loader = MustCreate(In(dataset), SmallOptions());
  for (int k = 0; k < 3; ++k) {
    ASSERT_TRUE(reference->Next().IsOk());
    ASSERT_TRUE(loader->Next().IsOk());
  }
  LoaderState bad = loader->State();
  bad.position = 1000000;
  EXPECT_EQ(loader->Restore(bad).Code(), StatusCode::kInvalidArgument);
  bad = loader->State();
  bad.epoch = -1;
  EXPECT_EQ(loader->Restore(bad).Code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(loader->State(), reference->State());
  const std::vector<Batch> rest = Drain(*loader);
  EXPECT_EQ(rootbatch::testing::Entries(rest), rootbatch::testing::Entries(Drain(*reference)));
  EXPECT_EQ(static_cast<int64_t>(rest.size()), loader->Epoch().num_batches - 3);
}

TEST(LoaderTest, Int64TargetAndDoubleFeatureSurviveExactly) {
  auto dataset = MakeDataset({1500});
  LoaderOptions options = SmallOptions();
  options.features = {"d0", "f0"};
  options.feature_type = DataType::kFloat64;
  options.targets = {"big"};  // 2^53 + 1 + id: exact in neither float32 nor float64
  auto loader = MustCreate(In(dataset), options);
  ASSERT_NE(loader, nullptr);
  EXPECT_EQ(loader->Layout().parts[0].type, DataType::kFloat64);
  for (const Batch& batch : Drain(*loader)) {
    ASSERT_EQ(batch.targets->dtype, DataType::kInt64);  // chosen because nothing narrower is exact
    auto entries = batch.entries.Values<int64_t>();
    auto big = batch.targets->Values<int64_t>();
    auto features = batch.features.Values<double>();
    for (int64_t r = 0; r < batch.num_rows; ++r) {
      const int64_t id = entries[static_cast<size_t>(r)];
      ASSERT_EQ(big[static_cast<size_t>(r)], id + (int64_t{1} << 53) + 1);
      ASSERT_EQ(features[static_cast<size_t>(2 * r)], static_cast<double>(id) + 0.1234567891234);
    }
  }
}

TEST(LoaderTest, TargetTypeDefaultsToTheNarrowestExactType) {
  auto dataset = MakeDataset({300});
  LoaderOptions options = SmallOptions();
  options.targets = {"label"};  // int32: float32 is not exact, float64 is
  EXPECT_EQ(MustCreate(In(dataset), options)->Layout().parts[1].type, DataType::kFloat64);
  options.targets = {"d0", "big"};  // float64 and int64 have no common exact type
  auto mixed = Loader::Create(In(dataset), options);
  ASSERT_FALSE(mixed.IsOk());
  EXPECT_NE(mixed.status().Message().find("set the target type"), std::string::npos);
  options.target_type = DataType::kFloat32;  // asked for: allowed
  EXPECT_TRUE(Loader::Create(In(dataset), options).IsOk());
}

Status CreateError(LoaderOptions options, std::vector<int64_t> sizes = {1000}) {
  auto dataset = MakeDataset(sizes);
  return Loader::Create(In(dataset), options).status();
}

void ExpectError(const Status& status, StatusCode code, const std::string& words) {
  EXPECT_EQ(status.Code(), code) << "expected an error about: " << words;
  EXPECT_NE(status.ToString().find(words), std::string::npos) << status.ToString();
}

// The number in `text` right after `words`.
int64_t NumberAfter(const std::string& text, const std::string& words) {
  const size_t at = text.find(words);
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + words.size()));
}

TEST(LoaderTest, ATooSmallBudgetNamesExactSizesThatAgree) {
  // Batches of 64 rows of 3 features need about 0.1 MiB: a budget a little
  // short of it printed as "0.1 MiB" beside "needs more than 0.1 MiB" before.
  LoaderOptions options = SmallOptions();
  options.memory_budget = 8000;
  const std::string probe = CreateError(options).ToString();
  const int64_t needed = NumberAfter(probe, "it needs at least ");
  ASSERT_GT(needed, 8000) << probe;
  options.memory_budget = needed - 1;
  const std::string text = CreateError(options).ToString();
  EXPECT_EQ(NumberAfter(text, "memory budget "), needed - 1) << text;
  EXPECT_EQ(NumberAfter(text, "it needs at least "), needed) << text;
  EXPECT_NE(text.find(" bytes ("), std::string::npos) << text;
  // What the message asks for is enough.
  options.memory_budget = needed;
  auto fits = Loader::Create(In(MakeDataset({1000})), options);
  EXPECT_TRUE(fits.IsOk()) << fits.status().ToString();
}

TEST(LoaderTest, BadOptionsGiveClearErrors) {
  LoaderOptions options = SmallOptions();
  options.batch_size = 0;
  ExpectError(CreateError(options), StatusCode::kInvalidArgument, "option 'batch_size' must be at least 1, got 0");
  options = SmallOptions();
  options.memory_budget = 8000;
  ExpectError(CreateError(options), StatusCode::kInvalidArgument, "too small for batches of 64 rows");
  options = SmallOptions();
  options.features = {"f0", "nope"};
  ExpectError(CreateError(options), StatusCode::kNotFound, "no column 'nope'");
  options = SmallOptions();
  options.features = {"f0", "event_id"};
  ExpectError(CreateError(options), StatusCode::kInvalidArgument, "both a target and a feature");
  for (double fraction : {-0.1, 1.0, 1.5}) {
    options = SmallOptions();
    options.validation_fraction = fraction;
    ExpectError(CreateError(options), StatusCode::kInvalidArgument, "option 'validation_split' must be in [0, 1)");
  }
  options = SmallOptions();
  options.world_size = 2;
  options.rank = 2;
  ExpectError(CreateError(options), StatusCode::kInvalidArgument, "rank 2 is outside [0, world_size=2)");
  options = SmallOptions();
  options.num_workers = 2;
  options.worker_id = -1;
  ExpectError(CreateError(options), StatusCode::kInvalidArgument, "option 'worker_id' must be at least 0, got -1");
  options = SmallOptions();
  ExpectError(CreateError(options, {0, 0}), StatusCode::kInvalidArgument, "the dataset is empty");
  options = SmallOptions();
  options.features = {"jet_pt"};
  ExpectError(CreateError(options), StatusCode::kInvalidArgument, "is jagged");
  options = SmallOptions();
  options.features = {"name"};
  ExpectError(CreateError(options), StatusCode::kUnsupported, "string column");
  options = SmallOptions();
  options.feature_type = DataType::kUInt16;
  ExpectError(CreateError(options), StatusCode::kInvalidArgument, "not an output type");
  options = SmallOptions();
  options.jagged = {{"jet_pt", JaggedMode::kPad, 0}};
  ExpectError(CreateError(options), StatusCode::kInvalidArgument, "needs max_length > 0");
  auto dataset = MakeDataset({100});
  LoaderInput ranged = In(dataset)[0];
  ranged.entries = EntryRange{50, 200};
  ExpectError(Loader::Create({ranged}, SmallOptions()).status(), StatusCode::kInvalidArgument, "outside its 100 entries");
  ranged.entries = EntryRange{10, 10};
  ExpectError(Loader::Create({ranged}, SmallOptions()).status(), StatusCode::kInvalidArgument, "empty");
}

TEST(LoaderTest, NoThreadBeforeFirstBatchNorAfterTheLoader) {
  auto dataset = MakeDataset({5000});
  const int before = CountThreads();
  {
    LoaderOptions options = SmallOptions();
    options.num_threads = 3;
    auto loader = MustCreate(In(dataset), options);
    EXPECT_EQ(CountThreads(), before);
    ASSERT_TRUE(loader->Next().IsOk());
    EXPECT_EQ(CountThreads(), before + 3 + 1);  // readers + assembler
    ASSERT_TRUE(loader->SetEpoch(1).IsOk());
    ASSERT_TRUE(loader->Next().IsOk());
  }
  EXPECT_EQ(CountThreadsSettlingAt(before), before);
}

TEST(LoaderTest, DestroyingMidEpochReturnsPromptly) {
  // Slow reads and far more data than the buffer: thousands of reads are
  // still to come when the loader is destroyed after its first batch.
  MemorySourceOptions source;
  source.read_delay = std::chrono::milliseconds(10);
  source.basket_size = 1000;
  source.cluster_size = 10000;
  auto dataset = MakeDataset({200000}, source);
  LoaderOptions options = SmallOptions();
  options.memory_budget = 400 * 1024;
  auto loader = MustCreate(In(dataset), options);
  ASSERT_LT(loader->Memory().num_slots, 20000);
  ASSERT_TRUE(loader->Next().IsOk());
  auto start = std::chrono::steady_clock::now();
  loader.reset();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 0.2);  // at most the reads already running (10 ms each)
}

TEST(LoaderTest, AReadErrorReachesTheConsumerWithContext) {
  MemorySourceOptions source;
  source.fail_column = "f1";
  source.fail_entry = 2500;
  auto dataset = MakeDataset({4000}, source);
  LoaderOptions options = SmallOptions();
  options.shuffle = ShuffleStrategy::kNone;
  auto loader = MustCreate(In(dataset), options);
  Status error;
  int batches = 0;
  for (;;) {
    auto next = loader->Next();
    if (!next.IsOk()) {
      error = next.status();
      break;
    }
    ASSERT_TRUE(next->has_value()) << "the epoch ended without the injected error";
    ++batches;
  }
  EXPECT_LT(batches, 2500 / 64 + 1);
  EXPECT_EQ(error.Code(), StatusCode::kIOError);
  const std::string text = error.ToString();
  EXPECT_NE(text.find("injected failure at entry 2500"), std::string::npos) << text;
  EXPECT_NE(text.find("column 'f1'"), std::string::npos) << text;
  EXPECT_NE(text.find("memory0"), std::string::npos) << text;
  EXPECT_NE(text.find("epoch 0"), std::string::npos) << text;
  // Sticky until the next epoch starts.
  EXPECT_EQ(loader->Next().status().Code(), StatusCode::kIOError);
}

TEST(LoaderTest, AnErrorWakesAConsumerWaitingForSlowReads) {
  MemorySourceOptions source;
  source.fail_column = "f2";
  source.fail_entry = 10;
  source.read_delay = std::chrono::milliseconds(5);
  auto dataset = MakeDataset({3000}, source);
  auto loader = MustCreate(In(dataset), SmallOptions());
  auto next = loader->Next();
  ASSERT_FALSE(next.IsOk());
  EXPECT_EQ(next.status().Code(), StatusCode::kIOError);
}

// The first `count` batches, taken with Next().
std::vector<Batch> DrainUntil(Loader& loader, int count) {
  std::vector<Batch> batches;
  for (int i = 0; i < count; ++i) {
    auto next = loader.Next();
    EXPECT_TRUE(next.IsOk() && next->has_value());
    if (!next.IsOk() || !next->has_value()) break;
    batches.push_back(std::move(**next));
  }
  return batches;
}

// Polls Next(timeout) until the epoch ends, like the Python glue does
// between its Ctrl-C checks; counts the kNotYet answers.
std::vector<Batch> DrainPolling(Loader& loader, std::chrono::nanoseconds timeout, int* not_yet) {
  std::vector<Batch> batches;
  for (;;) {
    auto next = loader.Next(timeout);
    EXPECT_TRUE(next.IsOk()) << next.status().ToString();
    if (!next.IsOk() || next->kind == NextResult::Kind::kEndOfEpoch) break;
    if (next->kind == NextResult::Kind::kNotYet) {
      EXPECT_FALSE(next->batch.has_value());
      // Nothing moved: the position is the batches returned so far.
      EXPECT_EQ(loader.State().position, static_cast<int64_t>(batches.size()));
      ++*not_yet;
      continue;
    }
    EXPECT_TRUE(next->batch.has_value());
    batches.push_back(std::move(*next->batch));
  }
  return batches;
}

TEST(LoaderTest, TimedNextSaysNotYetWithoutLosingOrReorderingBatches) {
  MemorySourceOptions source;
  source.read_delay = std::chrono::milliseconds(2);  // every batch waits for reads
  auto dataset = MakeDataset({3000, 1500}, source);
  auto reference = MustCreate(In(dataset), SmallOptions());
  const auto expected = Entries(Drain(*reference));
  ASSERT_EQ(expected.size(), 4500u);

  auto loader = MustCreate(In(dataset), SmallOptions());
  int not_yet = 0;
  auto batches = DrainPolling(*loader, std::chrono::microseconds(100), &not_yet);
  EXPECT_GT(not_yet, 0) << "the reads are slow: some waits must time out";
  EXPECT_EQ(Entries(batches), expected);  // same batches, same order
  for (size_t i = 0; i < batches.size(); ++i) EXPECT_EQ(batches[i].index, static_cast<int64_t>(i));
  // After the end it keeps saying so, and the next epoch runs normally.
  auto end = loader->Next(std::chrono::milliseconds(1));
  ASSERT_TRUE(end.IsOk());
  EXPECT_EQ(end->kind, NextResult::Kind::kEndOfEpoch);
  ASSERT_TRUE(loader->SetEpoch(1).IsOk());
  EXPECT_EQ(Entries(DrainPolling(*loader, std::chrono::milliseconds(50), &not_yet)).size(), 4500u);
}

TEST(LoaderTest, AfterATimeoutStateRestoreAndSetEpochAreExact) {
  MemorySourceOptions source;
  source.read_delay = std::chrono::milliseconds(3);
  auto dataset = MakeDataset({4000}, source);
  auto reference = MustCreate(In(dataset), SmallOptions());
  const auto all = Drain(*reference);

  auto loader = MustCreate(In(dataset), SmallOptions());
  // A zero timeout on a fresh loader cannot find a batch: nothing was read yet.
  auto first = loader->Next(std::chrono::nanoseconds(0));
  ASSERT_TRUE(first.IsOk());
  EXPECT_EQ(first->kind, NextResult::Kind::kNotYet);
  EXPECT_EQ(loader->State().position, 0);
  // The batch that was being made is the one the next call returns.
  ASSERT_EQ(Entries(DrainUntil(*loader, 3)), Entries({all.begin(), all.begin() + 3}));
  auto pending = loader->Next(std::chrono::nanoseconds(0));
  ASSERT_TRUE(pending.IsOk());
  const int64_t position = loader->State().position;
  EXPECT_EQ(position, pending->kind == NextResult::Kind::kBatch ? 4 : 3);
  // Restoring the state (taken with a batch possibly ready in the queue)
  // into another loader continues exactly after the last batch returned.
  LoaderState state = loader->State();
  auto resumed = MustCreate(In(dataset), SmallOptions());
  ASSERT_TRUE(resumed->Restore(state).IsOk());
  EXPECT_EQ(Entries(Drain(*resumed)), Entries({all.begin() + position, all.end()}));
  // SetEpoch after a timeout drops the batch in flight and starts over.
  ASSERT_TRUE(loader->Next(std::chrono::nanoseconds(0)).IsOk());
  ASSERT_TRUE(loader->SetEpoch(0).IsOk());
  EXPECT_EQ(Entries(Drain(*loader)), Entries(all));
}

TEST(LoaderTest, TimedNextThreadsHaveOwnersAndStopPromptly) {
  MemorySourceOptions source;
  source.read_delay = std::chrono::milliseconds(10);
  source.basket_size = 1000;
  source.cluster_size = 10000;
  auto dataset = MakeDataset({200000}, source);
  const int before = CountThreads();
  {
    LoaderOptions options = SmallOptions();
    options.num_threads = 3;
    options.memory_budget = 400 * 1024;
    auto loader = MustCreate(In(dataset), options);
    EXPECT_EQ(CountThreads(), before);
    // A consumer on another thread polls while the loader's threads produce;
    // the loader is used from one thread at a time (the tsan preset checks).
    std::thread consumer([&] {
      int not_yet = 0;
      int got = 0;
      while (got < 5) {
        auto next = loader->Next(std::chrono::milliseconds(1));
        ASSERT_TRUE(next.IsOk()) << next.status().ToString();
        if (next->kind == NextResult::Kind::kNotYet) ++not_yet;
        if (next->kind == NextResult::Kind::kBatch) ++got;
      }
      EXPECT_GT(not_yet, 0);
    });
    consumer.join();
    EXPECT_EQ(CountThreads(), before + 3 + 1);  // readers + assembler, no more
    ASSERT_TRUE(loader->Next(std::chrono::nanoseconds(0)).IsOk());  // leaves a wait pending
    auto start = std::chrono::steady_clock::now();
    loader.reset();
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 0.2);
  }
  EXPECT_EQ(CountThreadsSettlingAt(before), before);
}

// The pieces buffer keeps ragged values beside its pages (in each piece's
// row order): every entry once with its own values, and a resumed loader
// restores them with the rest of the buffer.
TEST(LoaderTest, RaggedColumnsThroughThePiecesBuffer) {
  auto dataset = MakeDataset({3000, 2000});
  LoaderOptions options = SmallOptions();
  options.shuffle = ShuffleStrategy::kPieces;
  options.memory_budget = 200 * 1024;
  options.features = {"f0"};
  options.jagged = {{"jet_pt", JaggedMode::kRagged, 0, 0, false, DataType::kFloat64}};
  auto check = [](const std::vector<Batch>& batches, std::vector<int64_t>* seen) {
    for (const Batch& batch : batches) {
      auto offsets = batch.ragged[0].offsets.Values<int64_t>();
      auto values = batch.ragged[0].values.Values<double>();
      auto entries = batch.entries.Values<int64_t>();
      for (int64_t r = 0; r < batch.num_rows; ++r) {
        const int64_t id = entries[static_cast<size_t>(r)];
        seen->push_back(id);
        ASSERT_EQ(offsets[static_cast<size_t>(r) + 1] - offsets[static_cast<size_t>(r)], id % 5);
        for (int64_t j = 0; j < id % 5; ++j) {
          ASSERT_EQ(values[static_cast<size_t>(offsets[static_cast<size_t>(r)] + j)],
                    static_cast<double>(static_cast<float>(id) + 0.25f * static_cast<float>(j)));
        }
      }
    }
  };
  auto loader = MustCreate(In(dataset), options);
  ASSERT_NE(loader, nullptr);
  ASSERT_LT(loader->Memory().num_slots, 5000) << "the buffer must hold less than the data";
  std::vector<Batch> all = Drain(*loader);
  std::vector<int64_t> seen;
  check(all, &seen);
  std::sort(seen.begin(), seen.end());
  ASSERT_EQ(seen.size(), 5000u);
  for (int64_t e = 0; e < 5000; ++e) ASSERT_EQ(seen[static_cast<size_t>(e)], e);

  const int64_t at = static_cast<int64_t>(all.size()) / 2;
  auto first = MustCreate(In(dataset), options);
  for (int64_t b = 0; b < at; ++b) ASSERT_TRUE(first->Next().IsOk());
  const LoaderState state = first->State();
  first.reset();
  auto resumed = MustCreate(In(dataset), options);
  ASSERT_TRUE(resumed->Restore(state).IsOk());
  std::vector<Batch> rest = Drain(*resumed);
  ASSERT_EQ(rest.size(), all.size() - static_cast<size_t>(at));
  std::vector<int64_t> rest_seen;
  check(rest, &rest_seen);
  for (size_t b = 0; b < rest.size(); ++b) {
    const auto a = all[static_cast<size_t>(at) + b].entries.Values<int64_t>();
    const auto r = rest[b].entries.Values<int64_t>();
    ASSERT_TRUE(std::equal(a.begin(), a.end(), r.begin(), r.end())) << "batch " << b;
  }
}

TEST(LoaderTest, JaggedColumnsPaddedRaggedAndFlattened) {
  auto dataset = MakeDataset({700});
  LoaderOptions options = SmallOptions();
  options.features = {"f0", "arr"};
  options.jagged = {{"jet_pt", JaggedMode::kPad, 3, -1.0, true, DataType::kFloat32},
                    {"jet_pt", JaggedMode::kRagged}};
  ExpectError(Loader::Create(In(dataset), options).status(), StatusCode::kInvalidArgument, "listed twice");
  options.jagged.pop_back();
  auto padded = MustCreate(In(dataset), options);
  ASSERT_NE(padded, nullptr);
  EXPECT_EQ(padded->Layout().feature_names,
            (std::vector<std::string>{"f0", "arr_0", "arr_1", "arr_2"}));
  for (const Batch& batch : Drain(*padded)) {
    ASSERT_EQ(batch.padded.size(), 1u);
    ASSERT_EQ(batch.padded[0].shape, (std::vector<int64_t>{batch.num_rows, 3}));
    ASSERT_TRUE(batch.masks[0].has_value());
    auto values = batch.padded[0].Values<float>();
    auto mask = batch.masks[0]->Values<bool>();
    auto features = batch.features.Values<float>();
    auto entries = batch.entries.Values<int64_t>();
    for (int64_t r = 0; r < batch.num_rows; ++r) {
      const int64_t id = entries[static_cast<size_t>(r)];
      for (int j = 0; j < 3; ++j) {
        const size_t at = static_cast<size_t>(r * 3 + j);
        const bool present = j < id % 5;
        ASSERT_EQ(mask[at], present);
        ASSERT_EQ(values[at], present ? static_cast<float>(id) + 0.25f * static_cast<float>(j) : -1.0f);
        ASSERT_EQ(features[static_cast<size_t>(r * 4 + 1 + j)], static_cast<float>(3 * id + j));
      }
    }
  }

  options.jagged = {{"jet_pt", JaggedMode::kRagged, 0, 0, false, DataType::kFloat64}};
  auto ragged = MustCreate(In(dataset), options);
  int64_t items_seen = 0;
  for (const Batch& batch : Drain(*ragged)) {
    ASSERT_EQ(batch.ragged.size(), 1u);
    auto offsets = batch.ragged[0].offsets.Values<int64_t>();
    auto values = batch.ragged[0].values.Values<double>();
    auto entries = batch.entries.Values<int64_t>();
    ASSERT_EQ(offsets.size(), static_cast<size_t>(batch.num_rows) + 1);
    ASSERT_EQ(batch.ragged[0].values.shape[0], offsets.back());
    for (int64_t r = 0; r < batch.num_rows; ++r) {
      const int64_t id = entries[static_cast<size_t>(r)];
      ASSERT_EQ(offsets[static_cast<size_t>(r) + 1] - offsets[static_cast<size_t>(r)], id % 5);
      for (int64_t j = 0; j < id % 5; ++j) {
        ASSERT_EQ(values[static_cast<size_t>(offsets[static_cast<size_t>(r)] + j)],
                  static_cast<double>(static_cast<float>(id) + 0.25f * static_cast<float>(j)));
      }
      items_seen += id % 5;
    }
  }
  int64_t items = 0;
  for (int64_t id = 0; id < 700; ++id) items += id % 5;
  EXPECT_EQ(items_seen, items);

  options.jagged = {{"jet_pt", JaggedMode::kFlatten, 2, 9.0}};
  auto flat = MustCreate(In(dataset), options);
  EXPECT_EQ(flat->Layout().feature_names,
            (std::vector<std::string>{"f0", "arr_0", "arr_1", "arr_2", "jet_pt_0", "jet_pt_1"}));
  for (const Batch& batch : Drain(*flat)) {
    auto features = batch.features.Values<float>();
    auto entries = batch.entries.Values<int64_t>();
    for (int64_t r = 0; r < batch.num_rows; ++r) {
      const int64_t id = entries[static_cast<size_t>(r)];
      for (int j = 0; j < 2; ++j) {
        float expected = j < id % 5 ? static_cast<float>(id) + 0.25f * static_cast<float>(j) : 9.0f;
        ASSERT_EQ(features[static_cast<size_t>(r * 6 + 4 + j)], expected);
      }
    }
  }

  // Named among the features too (ROOT's max_vec_sizes): flattened in place,
  // in the features' order; a padded column named there is still refused.
  options.features = {"f0", "jet_pt", "f1"};
  auto in_place = MustCreate(In(dataset), options);
  ASSERT_NE(in_place, nullptr);
  EXPECT_EQ(in_place->Layout().feature_names, (std::vector<std::string>{"f0", "jet_pt_0", "jet_pt_1", "f1"}));
  for (const Batch& batch : Drain(*in_place)) {
    auto features = batch.features.Values<float>();
    auto entries = batch.entries.Values<int64_t>();
    for (int64_t r = 0; r < batch.num_rows; ++r) {
      const int64_t id = entries[static_cast<size_t>(r)];
      ASSERT_EQ(features[static_cast<size_t>(r * 4)], FeatureValue(id, 0));
      for (int j = 0; j < 2; ++j) {
        float expected = j < id % 5 ? static_cast<float>(id) + 0.25f * static_cast<float>(j) : 9.0f;
        ASSERT_EQ(features[static_cast<size_t>(r * 4 + 1 + j)], expected);
      }
      ASSERT_EQ(features[static_cast<size_t>(r * 4 + 3)], FeatureValue(id, 1));
    }
  }
  options.jagged = {{"jet_pt", JaggedMode::kPad, 2}};
  ExpectError(Loader::Create(In(dataset), options).status(), StatusCode::kInvalidArgument, "list it once");
}

TEST(LoaderTest, ClassLabelsAndSamplingRatios) {
  MemorySourceOptions source;
  source.basket_size = 100;
  source.cluster_size = 1000;
  auto signal = MakeDataset({2000}, source);
  source.first_event_id = 2000;
  auto background = MakeDataset({4000}, source);
  LoaderInput s = In(signal)[0];
  s.class_label = 1;
  s.sampling_ratio = 2.0;  // every block twice
  LoaderInput b = In(background)[0];
  b.class_label = 0;
  b.sampling_ratio = 0.25;  // a quarter of the blocks, different each epoch
  LoaderOptions options = SmallOptions();
  options.targets = {};
  auto loader = MustCreate({s, b}, options);
  ASSERT_NE(loader, nullptr);
  EXPECT_EQ(loader->Layout().target_names, (std::vector<std::string>{"class_label"}));
  std::vector<std::set<int64_t>> background_sets;
  for (int64_t epoch = 0; epoch < 2; ++epoch) {
    ASSERT_TRUE(loader->SetEpoch(epoch).IsOk());
    std::map<int64_t, int> signal_count;
    std::set<int64_t> background_seen;
    for (const Batch& batch : Drain(*loader)) {
      auto labels = batch.targets->Values<float>();
      auto entries = batch.entries.Values<int64_t>();
      for (int64_t r = 0; r < batch.num_rows; ++r) {
        const int64_t e = entries[static_cast<size_t>(r)];
        ASSERT_EQ(labels[static_cast<size_t>(r)], e < 2000 ? 1.0f : 0.0f);
        if (e < 2000) {
          ++signal_count[e];
        } else {
          ASSERT_TRUE(background_seen.insert(e).second);
        }
      }
    }
    EXPECT_EQ(signal_count.size(), 2000u);
    for (const auto& [e, count] : signal_count) ASSERT_EQ(count, 2);
    EXPECT_EQ(background_seen.size(), 1000u);  // 10 of 40 blocks
    background_sets.push_back(background_seen);
  }
  EXPECT_NE(background_sets[0], background_sets[1]);
}

TEST(LoaderTest, EveryBasketIsDecompressedOncePerEpoch) {
  MemorySourceOptions source;
  source.cluster_size = 1000;
  source.basket_size = 125;
  source.basket_size_of = {{"f1", 250}, {"event_id", 500}};
  auto dataset = MakeDataset({5000, 3000}, source);
  LoaderOptions options = SmallOptions();
  options.pieces_per_buffer = 0;  // blocks whole: the setting that reads each basket once
  auto loader = MustCreate(In(dataset), options);
  // Blocks end where every selected column's baskets end.
  for (const Block& block : loader->BlockPlan().blocks) {
    ASSERT_EQ(block.entries.begin % 500, 0);
    ASSERT_TRUE(block.entries.end % 500 == 0 || block.entries.end == 3000);
  }
  Drain(*loader);
  LoaderStats stats = loader->Stats();
  const int64_t baskets = 8000 / 125 * 2 + 8000 / 250 + 8000 / 500;  // f0, f2; f1; event_id
  EXPECT_EQ(stats.units_per_epoch, baskets);
  EXPECT_EQ(stats.units_read, baskets);
  EXPECT_EQ(stats.events, 8000);
  EXPECT_EQ(stats.bytes_decompressed, 8000 * (3 * 4 + 8));

  // block_split = 2 cuts blocks of 500 in halves: event_id's 500-entry
  // baskets are read twice, the others still once.
  options.block_split = 2;
  auto split = MustCreate(In(dataset), options);
  Drain(*split);
  EXPECT_EQ(split->Stats().units_read, baskets + 8000 / 500);
  // block_split = 4: f1's baskets twice, event_id's four times.
  options.block_split = 4;
  auto split4 = MustCreate(In(dataset), options);
  Drain(*split4);
  EXPECT_EQ(split4->Stats().units_read, 8000 / 125 * 2 + 2 * 8000 / 250 + 4 * 8000 / 500);
}

TEST(LoaderTest, BytesFetchedAheadCountInTheBudgetAndChangeNoBatch) {
  MemorySourceOptions remote_options;
  remote_options.fetch_bytes_per_value = 40;  // compressed bytes held per value until its segment is read
  auto local = MakeDataset({50000});
  auto remote = MakeDataset({50000}, remote_options);
  const int64_t budget = 4 * kMiB;
  LoaderOptions options = SmallOptions();
  options.memory_budget = budget;
  auto near = MustCreate(In(local), options);
  auto far = MustCreate(In(remote), options);
  const MemoryPlan& l = near->Memory();
  const MemoryPlan& r = far->Memory();
  EXPECT_EQ(l.fetch_bytes, 0);
  EXPECT_GT(r.fetch_bytes, 0) << r.Describe();
  EXPECT_LE(r.buffer_bytes + r.in_flight_bytes + r.batch_bytes * (options.queue_batches + 2), budget) << r.Describe();
  EXPECT_LE(r.in_flight_bytes, budget / 8) << r.Describe();
  EXPECT_LE(r.fetch_bytes, r.in_flight_bytes);
  // What a fetch holds per segment is counted: fewer segments read ahead.
  int64_t largest = 0;
  for (const Block& block : far->BlockPlan().blocks) largest = std::max(largest, block.entries.Size());
  const double fetch_row = 40.0 * static_cast<double>(far->Layout().routes.size());
  const double segment = static_cast<double>(std::min(largest, r.max_read_entries));
  EXPECT_LE(r.window * segment * (static_cast<double>(far->Layout().row_bytes) + fetch_row), budget / 8.0)
      << r.Describe();
  EXPECT_LT(r.window, l.window) << l.Describe() << " / " << r.Describe();
  // The buffer and the order do not depend on where the files are.
  EXPECT_EQ(r.num_slots, l.num_slots);
  EXPECT_EQ(r.turn_entries, l.turn_entries);
  EXPECT_EQ(Entries(Drain(*near)), Entries(Drain(*far)));
}

TEST(LoaderTest, MemoryPlanFitsTheBudget) {
  auto dataset = MakeDataset({50000});
  for (int64_t budget : {1 * kMiB, 4 * kMiB, 64 * kMiB}) {
    LoaderOptions options = SmallOptions();
    options.memory_budget = budget;
    options.num_threads = 4;
    options.queue_batches = 3;
    auto loader = MustCreate(In(dataset), options);
    const MemoryPlan& m = loader->Memory();
    EXPECT_LE(m.buffer_bytes + m.in_flight_bytes + m.batch_bytes * (options.queue_batches + 2), budget)
        << m.Describe();
    EXPECT_GE(m.num_slots, options.batch_size);
    int64_t largest = 0;
    for (const Block& block : loader->BlockPlan().blocks) largest = std::max(largest, block.entries.Size());
    const int64_t segment = std::min(largest, m.max_read_entries);
    EXPECT_LE(m.window * segment * static_cast<int64_t>(loader->Layout().row_bytes), budget / 8);
    EXPECT_LE(m.in_flight_bytes, budget / 8);
    EXPECT_GE(m.window, options.num_threads + 1);
  }
}

TEST(LoaderTest, BatchesOutliveTheLoader) {
  auto dataset = MakeDataset({500});
  std::optional<Batch> kept;
  {
    auto loader = MustCreate(In(dataset), SmallOptions());
    auto next = loader->Next();
    ASSERT_TRUE(next.IsOk() && next->has_value());
    kept = std::move(**next);
  }
  CheckRows(*kept);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(kept->features.data) % 64, 0u);
}

}  // namespace
}  // namespace rootbatch::loader
