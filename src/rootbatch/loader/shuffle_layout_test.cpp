// The layout suite's targets (issue: a shuffle whose quality does not depend
// on the file layout): at a 5 % budget, on every layout, the per-batch class
// fraction spreads within 1.3x of a full shuffle's, the var_ratio of a
// feature sorted along the chain is at most 2 and batches draw from at
// least 90 of 100 percentiles; and a layout whose clusters exceed the buffer
// is reported before the epoch, pointing to the pre-shuffled copy.
#include <gtest/gtest.h>

#include "rootbatch/loader/loader.hpp"
#include "rootbatch/loader/shuffle_plan.hpp"
#include "rootbatch/loader/testing/layout_suite.hpp"

namespace rootbatch::loader {
namespace {

using rootbatch::testing::Layout;
using rootbatch::testing::LayoutOptions;
using rootbatch::testing::LayoutSuite;
using rootbatch::testing::MeasureLayout;

constexpr double kBudgetFraction = 0.05;

class LayoutSuiteTest : public ::testing::TestWithParam<Layout> {};

// Both streaming strategies: the slot buffer (stream) and the piece buffer (pieces).
TEST_P(LayoutSuiteTest, ShufflesLikeAFullShuffleAtFivePercent) {
  const Layout& layout = GetParam();
  for (ShuffleStrategy strategy : {ShuffleStrategy::kStream, ShuffleStrategy::kPieces}) {
    for (uint64_t seed : {3u, 5u}) {
      for (int64_t epoch : {0, 1}) {
        LoaderOptions options = LayoutOptions(seed);
        options.shuffle = strategy;
        auto figures = MeasureLayout(layout, options, kBudgetFraction, epoch);
        ASSERT_TRUE(figures.IsOk()) << figures.status().ToString();
        SCOPED_TRACE(layout.name + " " + std::string(ShuffleStrategyName(strategy)) + " seed " + std::to_string(seed) +
                     " epoch " + std::to_string(epoch));
        EXPECT_LE(figures->SpreadRatio(), 1.3) << "class fraction spread " << figures->class_spread << " against "
                                               << figures->class_floor;
        EXPECT_LE(figures->var_ratio, 2.0);
        EXPECT_GE(figures->bins_per_batch, 90.0);
        EXPECT_GE(figures->buffer_rows, static_cast<int64_t>(kBudgetFraction * static_cast<double>(layout.Entries())));
        EXPECT_GE(figures->decompressions_per_basket, 1.0);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Layouts, LayoutSuiteTest, ::testing::ValuesIn(LayoutSuite()),
                         [](const ::testing::TestParamInfo<Layout>& info) {
                           std::string name = info.param.name;
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

TEST(LayoutSuite, ClustersLargerThanTheBufferAreReportedBeforeTheEpoch) {
  const Layout layout = rootbatch::testing::OversizedClusterLayout();
  auto figures = MeasureLayout(layout, LayoutOptions(3), kBudgetFraction, 0);
  ASSERT_TRUE(figures.IsOk()) << figures.status().ToString();
  LoaderInput input;
  input.dataset = layout.MakeDataset();
  LoaderOptions options = LayoutOptions(3);
  options.memory_budget = figures->budget_bytes;
  auto loader = Loader::Create({input}, options);
  ASSERT_TRUE(loader.IsOk()) << loader.status().ToString();
  const std::string warning = ClusterWarning(**loader);
  EXPECT_NE(warning.find("clusters of up to 200000 entries"), std::string::npos) << warning;
  EXPECT_NE(warning.find("rootbatch shuffle"), std::string::npos) << warning;
  auto plan = PredictShuffle(**loader);
  ASSERT_TRUE(plan.IsOk()) << plan.status().ToString();
  // Pieces keep the mixing (the figures are those of the suite)...
  EXPECT_GE(plan->predicted.bins_per_batch, 90.0);
  // ...but each 200 k-entry basket is decompressed once per piece: the plan
  // names the clusters with the figures, and the cost, each with the remedy.
  ASSERT_EQ(plan->warnings.size(), 2u) << plan->Describe();
  EXPECT_NE(plan->warnings[0].find("clusters of up to 200000 entries"), std::string::npos) << plan->warnings[0];
  EXPECT_NE(plan->warnings[0].find("predicted bins/batch"), std::string::npos) << plan->warnings[0];
  EXPECT_NE(plan->warnings[1].find("decompresses each basket"), std::string::npos) << plan->warnings[1];
  for (const std::string& w : plan->warnings) EXPECT_NE(w.find("rootbatch shuffle"), std::string::npos) << w;
  EXPECT_GT(plan->DecompressionsPerUnit(), kWarnDecompressions);
  // With blocks whole, reads are still cut to the budget's turns (a 200 k
  // block does not fit in flight), so baskets are read several times, but
  // fewer than with pieces; the quality warning says what that costs.
  options.pieces_per_buffer = 0;
  auto whole = Loader::Create({input}, options);
  ASSERT_TRUE(whole.IsOk());
  auto whole_plan = PredictShuffle(**whole);
  ASSERT_TRUE(whole_plan.IsOk());
  EXPECT_LT(whole_plan->DecompressionsPerUnit(), plan->DecompressionsPerUnit());
  EXPECT_LT(whole_plan->predicted.bins_per_batch, kWarnBinsPerBatch);
  ASSERT_FALSE(whole_plan->warnings.empty());
  EXPECT_NE(whole_plan->warnings[0].find("percentiles"), std::string::npos);
}

}  // namespace
}  // namespace rootbatch::loader
