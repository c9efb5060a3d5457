// Sampling ratios count entries, not blocks: a source of a few one-block
// files used to contribute whole blocks (ratio 0.5 of three blocks gave two
// of them, 0.1 gave none, silently).
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "rootbatch/loader/loader.hpp"
#include "rootbatch/loader/testing/loader_fixtures.hpp"

namespace rootbatch::loader {
namespace {

using rootbatch::testing::Drain;
using rootbatch::testing::MakeDataset;
using rootbatch::testing::MemorySourceOptions;

constexpr int64_t kSignal = 3000;
constexpr int64_t kFileEntries = 1000;  // each background file is one cluster and one basket

std::vector<LoaderInput> SignalAndBackground(double background_ratio) {
  MemorySourceOptions source;
  source.cluster_size = kFileEntries;
  source.basket_size = kFileEntries;
  LoaderInput signal;
  signal.dataset = MakeDataset({kSignal}, source);
  signal.class_label = 1;
  source.first_event_id = kSignal;
  LoaderInput background;
  background.dataset = MakeDataset({kFileEntries, kFileEntries, kFileEntries}, source);
  background.class_label = 0;
  background.sampling_ratio = background_ratio;
  return {signal, background};
}

LoaderOptions Options() {
  LoaderOptions options;
  options.features = {"f0"};
  options.batch_size = 100;
  options.memory_budget = 2 * kMiB;
  options.seed = 5;
  return options;
}

TEST(SamplingTest, ARatioGivesThatShareOfTheEntriesOfOneBlockFiles) {
  for (double ratio : {0.1, 0.25, 0.5, 1.5}) {
    auto created = Loader::Create(SignalAndBackground(ratio), Options());
    ASSERT_TRUE(created.IsOk()) << created.status().ToString();
    Loader& loader = **created;
    const auto expected = std::llround(ratio * 3 * kFileEntries);
    std::vector<std::map<int64_t, int>> epochs;
    for (int64_t epoch = 0; epoch < 3; ++epoch) {
      ASSERT_TRUE(loader.SetEpoch(epoch).IsOk());
      EXPECT_EQ(loader.Epoch().epoch_rows, kSignal + expected) << "ratio " << ratio;
      std::map<int64_t, int> background;
      int64_t signal = 0;
      for (const Batch& batch : Drain(loader)) {
        auto entries = batch.entries.Values<int64_t>();
        for (int64_t e : entries) {
          if (e < kSignal) {
            ++signal;
          } else {
            ++background[e];
          }
        }
      }
      int64_t count = 0;
      for (const auto& [entry, times] : background) {
        count += times;
        ASSERT_LE(times, static_cast<int>(std::ceil(ratio))) << "entry " << entry << " at ratio " << ratio;
      }
      EXPECT_EQ(signal, kSignal);
      // One shard, no drop_remainder: the epoch yields its rows exactly.
      EXPECT_EQ(count, expected) << "ratio " << ratio;
      epochs.push_back(background);
    }
    // A fresh draw every epoch.
    EXPECT_NE(epochs[0], epochs[1]) << "ratio " << ratio;
    EXPECT_NE(epochs[1], epochs[2]) << "ratio " << ratio;
  }
}

TEST(SamplingTest, TheDrawDependsOnTheSeedAndEpochOnly) {
  auto a = Loader::Create(SignalAndBackground(0.25), Options());
  LoaderOptions more_threads = Options();
  more_threads.num_threads = 4;
  auto b = Loader::Create(SignalAndBackground(0.25), more_threads);
  ASSERT_TRUE(a.IsOk() && b.IsOk());
  ASSERT_TRUE((*a)->SetEpoch(2).IsOk());
  ASSERT_TRUE((*b)->SetEpoch(2).IsOk());
  EXPECT_EQ(rootbatch::testing::Entries(Drain(**a)), rootbatch::testing::Entries(Drain(**b)));
}

TEST(SamplingTest, ARatioThatSelectsNothingIsAnError) {
  auto created = Loader::Create(SignalAndBackground(0.0001), Options());
  ASSERT_FALSE(created.IsOk());
  EXPECT_EQ(created.status().Code(), StatusCode::kInvalidArgument);
  EXPECT_NE(created.status().Message().find("sampling ratio 0.0001"), std::string::npos) << created.status().ToString();
  EXPECT_NE(created.status().Message().find("rounds to none"), std::string::npos);
  for (double bad : {0.0, -1.0, std::nan("")}) {
    EXPECT_EQ(Loader::Create(SignalAndBackground(bad), Options()).status().Code(), StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace rootbatch::loader
