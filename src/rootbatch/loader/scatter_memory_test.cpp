// The scatter strategy's memory, counted on real allocations (as
// memory_budget_test.cpp does for the others): its open batches, staged
// blocks and targets within the budget. It keeps no rows in a slot buffer,
// so the loader maps none for it: every counted byte is its own.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "rootbatch/frame/dataset.hpp"
#include "rootbatch/loader/loader.hpp"
#include "rootbatch/loader/testing/allocation_counter.hpp"
#include "rootbatch/loader/testing/loader_fixtures.hpp"
#include "rootbatch/write/file_writer.hpp"
#include "rootbatch/write/sample_generator.hpp"
#include "rootbatch/write/tree_writer.hpp"

namespace rootbatch::loader {
namespace {

namespace counter = rootbatch::testing;

constexpr int64_t kUncountedBytes = 1 * kMiB;  // as memory_budget_test.cpp
constexpr int kFeatures = 120;
constexpr int64_t kEvents = 600000;
constexpr int64_t kEntriesPerMiB = 2400;

std::string SamplePath() {
  return ::testing::TempDir() + "/scatter_memory_" + std::to_string(getpid()) + ".root";
}

class ScatterMemoryTest : public ::testing::TestWithParam<int64_t> {
 protected:
  static void SetUpTestSuite() {
    auto file = FileWriter::Create(SamplePath(), {Codec::kZstd, 1});
    ASSERT_TRUE(file.IsOk()) << file.status().ToString();
    write::SampleOptions sample;
    sample.events = kEvents;
    sample.features = kFeatures;
    auto tree = (*file)->MakeTree("events");
    ASSERT_TRUE(tree.IsOk());
    ASSERT_TRUE(write::WriteSample(**tree, sample).IsOk());
    ASSERT_TRUE((*file)->Close().IsOk());
  }
  static void TearDownTestSuite() { std::filesystem::remove(SamplePath()); }
};

TEST_P(ScatterMemoryTest, OpenBatchesStayWithinTheBudget) {
  if (!counter::CountingAllocations()) GTEST_SKIP() << "a sanitizer owns malloc here: nothing to count";
  const int64_t budget_mib = GetParam();
  auto dataset = Dataset::Open({SamplePath()}, "events", DefaultSourceOpener());
  ASSERT_TRUE(dataset.IsOk()) << dataset.status().ToString();
  const int64_t entries = std::min(kEvents, budget_mib * kEntriesPerMiB);
  LoaderOptions options;
  options.features = write::SampleFeatureNames(kFeatures);
  options.targets = {"label"};
  options.weight = "weight";
  options.jagged = {{"Jet_pt", JaggedMode::kPad, 6, 0.0, true}};  // fixed parts only
  options.batch_size = 1024;
  options.memory_budget = budget_mib * kMiB;
  options.num_threads = 2;
  options.seed = 11;
  options.shuffle = ShuffleStrategy::kScatter;

  const int64_t before = counter::LiveBytes();
  counter::ResetPeak();
  std::string plan;
  {
    LoaderInput input;
    input.dataset = *dataset;
    input.entries = EntryRange{0, entries};
    auto loader = Loader::Create({input}, options);
    ASSERT_TRUE(loader.IsOk()) << loader.status().ToString();
    plan = (*loader)->Memory().Describe();
    ASSERT_NO_FATAL_FAILURE(rootbatch::testing::ExpectEpochRows(**loader, entries, 2));
  }
  const int64_t peak = counter::PeakBytes() - before;
  const int64_t mapped = counter::MappedBytesAtPeak();
  const int64_t budget = budget_mib * kMiB;
  std::printf("[ budget ] scatter %lld MiB: peak %.2f MiB above the baseline (%.2f MiB of it mapped); plan: %s\n",
              static_cast<long long>(budget_mib), static_cast<double>(peak) / kMiB, static_cast<double>(mapped) / kMiB,
              plan.c_str());
  EXPECT_LE(peak, budget + kUncountedBytes) << plan;
  EXPECT_GE(peak, budget / 2) << "the count must see the open batches; plan: " << plan;
  EXPECT_LE(counter::LiveBytes() - before, 64 * 1024) << "bytes still live after the loader was destroyed";
}

INSTANTIATE_TEST_SUITE_P(Budgets, ScatterMemoryTest, ::testing::Values(16, 64, 256),
                         [](const ::testing::TestParamInfo<int64_t>& info) {
                           return std::to_string(info.param) + "MiB";
                         });

}  // namespace
}  // namespace rootbatch::loader
