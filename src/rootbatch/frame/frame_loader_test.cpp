// A filtered frame through the loader: only passing rows reach batches,
// each once, and the selection's bitmap is counted against the budget.
#include <gtest/gtest.h>

#include <algorithm>

#include "rootbatch/frame/frame.hpp"
#include "rootbatch/loader/loader.hpp"
#include "rootbatch/loader/testing/loader_fixtures.hpp"
#include "rootbatch/frame/frame_test_fixtures.hpp"

namespace rootbatch {
namespace {

Frame Big(int64_t entries) { return testing::MemoryFrame(entries, 50000, 7000); }

loader::LoaderOptions Options() {
  loader::LoaderOptions options;
  options.features = {"f0", "twice"};
  options.targets = {"event_id"};
  options.batch_size = 100;
  options.memory_budget = 4 << 20;
  options.num_threads = 2;
  options.seed = 5;
  return options;
}

TEST(FrameLoaderTest, OnlyPassingRowsReachBatchesOnceWithDefinesAsFeatures) {
  auto df = Big(300000).Filter("event_id % 3 != 1 && f0 > -1e9");
  ASSERT_TRUE(df.IsOk());
  auto defined = df->Define("twice", "2 * event_id");
  ASSERT_TRUE(defined.IsOk());
  auto rows = defined->Materialize(2);
  ASSERT_TRUE(rows.IsOk()) << rows.status().ToString();
  loader::LoaderInput input;
  input.dataset = *rows;
  auto made = loader::Loader::Create({input}, Options());
  ASSERT_TRUE(made.IsOk()) << made.status().ToString();
  loader::Loader& loader = **made;
  EXPECT_EQ(loader.Memory().resident_bytes, (*rows)->File(0).ResidentBytes());
  EXPECT_GT(loader.Memory().resident_bytes, 300000 / 4 - 1);

  std::vector<loader::Batch> batches = testing::Drain(loader);
  std::vector<int64_t> ids;
  for (const loader::Batch& b : batches) {
    auto t = b.targets->Values<int64_t>();
    auto x = b.features.Values<float>();
    for (size_t i = 0; i < t.size(); ++i) {
      ids.push_back(t[i]);
      ASSERT_EQ(x[i * 2 + 1], static_cast<float>(2 * t[i]));  // the define, on the right row
    }
  }
  std::sort(ids.begin(), ids.end());
  std::vector<int64_t> want;
  for (int64_t i = 0; i < 300000; ++i) {
    if (i % 3 != 1) want.push_back(i);
  }
  EXPECT_EQ(ids, want);
}

TEST(FrameLoaderTest, ABudgetSmallerThanTheSelectionIsRefused) {
  auto df = Big(12000000).Filter("label == 1");
  ASSERT_TRUE(df.IsOk());
  auto rows = df->Materialize(2);
  ASSERT_TRUE(rows.IsOk());
  ASSERT_GT((*rows)->File(0).ResidentBytes(), 2 << 20);
  loader::LoaderInput input;
  input.dataset = *rows;
  loader::LoaderOptions options = Options();
  options.features = {"f0"};
  options.memory_budget = 2 << 20;
  auto made = loader::Loader::Create({input}, options);
  ASSERT_FALSE(made.IsOk());
  EXPECT_NE(made.status().ToString().find("sources keep"), std::string::npos) << made.status().ToString();
}

}  // namespace
}  // namespace rootbatch
