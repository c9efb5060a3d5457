#include "rootbatch/loader/plan.hpp"

#include <gtest/gtest.h>

#include "rootbatch/loader/layout.hpp"
#include "rootbatch/loader/testing/loader_fixtures.hpp"

namespace rootbatch::loader {
namespace {

using rootbatch::testing::MakeDataset;
using rootbatch::testing::MemorySource;
using rootbatch::testing::MemorySourceOptions;

TEST(PlanTest, CommonBoundariesAreSharedByEveryColumn) {
  MemorySourceOptions options;
  options.num_entries = 1000;
  options.cluster_size = 600;
  options.basket_size = 100;
  options.basket_size_of = {{"f1", 150}};
  MemorySource source(options);
  // f0 (100) and f1 (150) share 0, 300, 600 (cluster), 900 (100-step from 600 and 150-step from 600), 1000.
  auto bounds = CommonBoundaries(source, {2, 3}, {0, 1000});
  EXPECT_EQ(bounds, (std::vector<int64_t>{0, 300, 600, 900, 1000}));
  auto clipped = CommonBoundaries(source, {2, 3}, {250, 950});
  EXPECT_EQ(clipped, (std::vector<int64_t>{250, 300, 600, 900, 950}));
}

Plan MustPlan(const std::vector<LoaderInput>& inputs, const LoaderOptions& options) {
  std::vector<std::vector<std::vector<size_t>>> indices;
  auto layout = BuildLayout(inputs, options, &indices);
  EXPECT_TRUE(layout.IsOk()) << layout.status().ToString();
  auto plan = BuildPlan(inputs, indices, options);
  EXPECT_TRUE(plan.IsOk()) << plan.status().ToString();
  return plan.IsOk() ? *plan : Plan();
}

TEST(PlanTest, BlocksCoverTheRangesOnceAndRespectTheCap) {
  MemorySourceOptions source;
  source.cluster_size = 1000;
  source.basket_size = 1000;
  auto dataset = MakeDataset({2500, 3000}, source);
  LoaderInput input;
  input.dataset = dataset;
  input.entries = EntryRange{100, 5400};
  LoaderOptions options;
  options.features = {"f0"};
  options.max_block_entries = 400;
  Plan plan = MustPlan({input}, options);
  EXPECT_EQ(plan.total_rows, 5300);
  int64_t next = 100;
  for (const Block& block : plan.blocks) {
    EXPECT_EQ(block.global_begin, next);
    EXPECT_LE(block.entries.Size(), 400);
    EXPECT_GT(block.entries.Size(), 0);
    next += block.entries.Size();
  }
  EXPECT_EQ(next, 5400);
}

TEST(PlanTest, ValidationGetsItsShareOfEveryInput) {
  auto a = MakeDataset({3000});
  auto b = MakeDataset({1001});
  std::vector<LoaderInput> inputs(2);
  inputs[0].dataset = a;
  inputs[1].dataset = b;
  LoaderOptions options;
  options.features = {"f0"};
  options.validation_fraction = 0.1;
  options.split = Split::kValidation;
  Plan validation = MustPlan(inputs, options);
  EXPECT_EQ(validation.input_rows, (std::vector<int64_t>{300, 100}));
  options.split = Split::kTrain;
  Plan train = MustPlan(inputs, options);
  EXPECT_EQ(train.input_rows, (std::vector<int64_t>{2700, 901}));
  EXPECT_EQ(train.split_rows, 4001);
}

}  // namespace
}  // namespace rootbatch::loader
