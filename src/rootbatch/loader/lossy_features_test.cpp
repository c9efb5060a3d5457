// Integer features that a float output type would round fail with the
// column, value and entry named (a uint64 event number as float32 turned
// 200 distinct values into 33, silently), unless the user lists them in
// lossy_features.
#include <gtest/gtest.h>

#include "rootbatch/loader/loader.hpp"
#include "rootbatch/loader/testing/loader_fixtures.hpp"

namespace rootbatch::loader {
namespace {

using rootbatch::testing::Drain;
using rootbatch::testing::MakeDataset;
using rootbatch::testing::MemorySourceOptions;

std::vector<LoaderInput> Inputs(int64_t first_event_id, int64_t entries = 1000) {
  MemorySourceOptions source;
  source.first_event_id = first_event_id;
  LoaderInput input;
  input.dataset = MakeDataset({entries}, source);
  return {input};
}

LoaderOptions Options(std::vector<std::string> features) {
  LoaderOptions options;
  options.features = std::move(features);
  options.batch_size = 100;
  options.memory_budget = 2 * kMiB;
  return options;
}

TEST(LossyFeaturesTest, AnIntegerFeatureAFloatRoundsIsRefusedAtCreate) {
  // 'big' is event_id + 2^53 + 1: float32 and float64 both round it.
  auto created = Loader::Create(Inputs(0), Options({"f0", "big"}));
  ASSERT_FALSE(created.IsOk());
  const Status& status = created.status();
  EXPECT_EQ(status.Code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.Message().find("column 'big'"), std::string::npos) << status.ToString();
  EXPECT_NE(status.Message().find("9007199254740993 at entry 0"), std::string::npos) << status.ToString();
  EXPECT_NE(status.Message().find("lossy_features"), std::string::npos) << status.ToString();
  LoaderOptions doubles = Options({"f0", "big"});
  doubles.feature_type = DataType::kFloat64;
  EXPECT_FALSE(Loader::Create(Inputs(0), doubles).IsOk());
  // int64 holds it: no check, the values pass exactly.
  LoaderOptions ints = Options({"big"});
  ints.feature_type = DataType::kInt64;
  auto exact = Loader::Create(Inputs(0), ints);
  ASSERT_TRUE(exact.IsOk()) << exact.status().ToString();
  for (const Batch& batch : Drain(**exact)) {
    auto values = batch.features.Values<int64_t>();
    auto entries = batch.entries.Values<int64_t>();
    for (size_t r = 0; r < values.size(); ++r) ASSERT_EQ(values[r], entries[r] + (int64_t{1} << 53) + 1);
  }
}

TEST(LossyFeaturesTest, SmallIntegersPassAndLargeOnesFailWhereTheyAre) {
  // event_id as float32 is exact below 2^24 ...
  auto small = Loader::Create(Inputs(0), Options({"event_id"}));
  ASSERT_TRUE(small.IsOk()) << small.status().ToString();
  EXPECT_EQ(Drain(**small).size(), 10u);
  // ... and not above: entries from 2^24 + 1 on. The first entries are
  // exact, so Create passes and the read of the block fails.
  const int64_t first = (int64_t{1} << 24) - 5000;
  auto late = Loader::Create(Inputs(first, 20000), Options({"event_id"}));
  ASSERT_TRUE(late.IsOk()) << late.status().ToString();
  Status failure;
  while (true) {
    auto next = (*late)->Next();
    if (!next.IsOk()) {
      failure = next.status();
      break;
    }
    ASSERT_TRUE(next->has_value()) << "every batch passed although event_id exceeds 2^24";
  }
  EXPECT_EQ(failure.Code(), StatusCode::kInvalidArgument);
  EXPECT_NE(failure.Message().find("float32 cannot hold exactly"), std::string::npos) << failure.ToString();
}

TEST(LossyFeaturesTest, ListedColumnsAreRoundedOnRequest) {
  LoaderOptions options = Options({"f0", "big"});
  options.lossy_features = {"big"};
  auto created = Loader::Create(Inputs(0), options);
  ASSERT_TRUE(created.IsOk()) << created.status().ToString();
  EXPECT_EQ(Drain(**created).size(), 10u);
  options.lossy_features = {"f7"};  // not a feature
  auto wrong = Loader::Create(Inputs(0), options);
  ASSERT_FALSE(wrong.IsOk());
  EXPECT_NE(wrong.status().Message().find("'f7'"), std::string::npos);
}

}  // namespace
}  // namespace rootbatch::loader
