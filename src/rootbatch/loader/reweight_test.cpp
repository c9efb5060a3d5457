// The reweighting table: bins of one and two variables (out-of-range values
// in the end bins), flat and reference targets, equal class totals.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "rootbatch/loader/reweight.hpp"

namespace rootbatch::loader {
namespace {

ReweightTable Table(std::vector<std::vector<double>> edges, int64_t classes) {
  ReweightTable table;
  table.edges = std::move(edges);
  table.num_bins = 1;
  for (const auto& e : table.edges) table.num_bins *= static_cast<int64_t>(e.size()) - 1;
  table.num_classes = classes;
  table.counts.assign(static_cast<size_t>(table.num_bins * classes), 0);
  return table;
}

TEST(ReweightTest, BinsOfOneAndTwoVariablesWithOverflowInTheEndBins) {
  const ReweightTable one = Table({{0, 10, 20, 50}}, 2);
  EXPECT_EQ(one.BinOf(std::vector<double>{-5}), 0);
  EXPECT_EQ(one.BinOf(std::vector<double>{0}), 0);
  EXPECT_EQ(one.BinOf(std::vector<double>{10}), 1);
  EXPECT_EQ(one.BinOf(std::vector<double>{49.9}), 2);
  EXPECT_EQ(one.BinOf(std::vector<double>{1e9}), 2);
  EXPECT_EQ(one.BinOf(std::vector<double>{NAN}), 0);
  const ReweightTable two = Table({{0, 10, 20}, {-1, 0, 1}}, 2);
  EXPECT_EQ(two.num_bins, 4);
  EXPECT_EQ(two.BinOf(std::vector<double>{15, -0.5}), 2);  // pt bin 1, eta bin 0
  EXPECT_EQ(two.BinOf(std::vector<double>{5, 0.5}), 1);
}

TEST(ReweightTest, FlatAndReferenceTargetsWithEqualClassTotals) {
  ReweightTable table = Table({{0, 1, 2, 3}}, 2);
  table.counts = {60, 30, 10,   // class 0
                  10, 20, 0};   // class 1, nothing in bin 2
  table.ComputeWeights(-1);
  const double per_class = 130.0 / 2;
  // Flat: each filled bin of a class carries the same weighted total.
  for (int64_t c = 0; c < 2; ++c) {
    double total = 0;
    std::vector<double> bins;
    for (int64_t b = 0; b < 3; ++b) {
      const auto at = static_cast<size_t>(c * 3 + b);
      bins.push_back(static_cast<double>(table.counts[at]) * table.weights[at]);
      total += bins.back();
    }
    EXPECT_NEAR(total, per_class, 1e-9);
    for (double b : bins) {
      if (b != 0.0) EXPECT_NEAR(b, per_class / (c == 0 ? 3 : 2), 1e-9);
    }
  }
  EXPECT_EQ(table.weights[5], 0.0);
  EXPECT_DOUBLE_EQ(table.max_weight, per_class / 2 / 10);  // class 1's first bin
  // Reference class 0: class 1's weighted histogram takes class 0's shape
  // where class 1 has events.
  table.ComputeWeights(0);
  const double shape = 60.0 + 30.0;  // class 0 where class 1 has events
  EXPECT_NEAR(10 * table.weights[3], per_class * 60 / shape, 1e-9);
  EXPECT_NEAR(20 * table.weights[4], per_class * 30 / shape, 1e-9);
  EXPECT_NEAR(60 * table.weights[0], per_class * 60 / 100, 1e-9);
}

TEST(ReweightTest, ShapesThatCannotWorkAreRefused) {
  Reweighting r;
  r.variables = {"pt"};
  r.edges = {{0, 1}};
  r.classes = {"a", "b"};
  EXPECT_TRUE(CheckReweighting(r).IsOk());
  r.edges = {{1, 1}};
  EXPECT_NE(CheckReweighting(r).Message().find("must increase"), std::string::npos);
  r.edges = {{0, 1}};
  r.classes = {"a"};
  EXPECT_NE(CheckReweighting(r).Message().find("at least two class columns"), std::string::npos);
  r.classes = {"a", "b"};
  r.reference = "c";
  EXPECT_NE(CheckReweighting(r).Message().find("not one of the class columns"), std::string::npos);
  r.reference.clear();
  r.variables = {"a", "b", "c"};
  EXPECT_NE(CheckReweighting(r).Message().find("one or two variables"), std::string::npos);
}

}  // namespace
}  // namespace rootbatch::loader
