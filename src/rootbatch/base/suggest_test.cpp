#include "rootbatch/base/suggest.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rootbatch {
namespace {

TEST(SuggestTest, EditDistanceCountsEditsIgnoringCase) {
  EXPECT_EQ(BoundedEditDistance("MET_pt", "MET_pt", 3), 0u);
  EXPECT_EQ(BoundedEditDistance("MET_pT", "met_PT", 3), 0u);
  EXPECT_EQ(BoundedEditDistance("Jet_pt", "Jet_px", 3), 1u);   // substitution
  EXPECT_EQ(BoundedEditDistance("Jet_pt", "Jet_ptt", 3), 1u);  // insertion
  EXPECT_EQ(BoundedEditDistance("Jet_pt", "Jetpt", 3), 1u);    // deletion
  EXPECT_EQ(BoundedEditDistance("Jet_pt", "Jet_tp", 3), 1u);   // swap of neighbours
  EXPECT_EQ(BoundedEditDistance("", "abc", 3), 3u);
  EXPECT_EQ(BoundedEditDistance("kitten", "sitting", 5), 3u);
  // Past the bound the answer is bound + 1, however far.
  EXPECT_EQ(BoundedEditDistance("kitten", "sitting", 2), 3u);
  EXPECT_EQ(BoundedEditDistance("a", "abcdefghij", 2), 3u);
}

TEST(SuggestTest, CaseInsensitiveMatchComesFirst) {
  // Tree order puts the edit-distance-1 names first; the case match still wins.
  std::vector<std::string> names{"MET_phi", "MET_px", "MET_pt", "MET_sumEt"};
  auto close = ClosestNames("MET_pT", names);
  ASSERT_FALSE(close.empty());
  EXPECT_EQ(close[0], "MET_pt");
  // Only the best tier: the case match hides the names one edit away.
  EXPECT_EQ(close, (std::vector<std::string>{"MET_pt"}));
  EXPECT_EQ(ClosestNames("MET_pq", names), (std::vector<std::string>{"MET_px", "MET_pt"}));
}

TEST(SuggestTest, BestFewByDistanceAndNothingWhenFar) {
  std::vector<std::string> names{"Muon_eta", "Jet_eta", "Jet_phi", "Jet_pt", "Jet_px", "Jet_py", "Jet_pz"};
  // Distance 1 from four names: the first three in candidate order
  // ('Jet_phi', two edits away, is not among them).
  EXPECT_EQ(ClosestNames("Jet_pq", names), (std::vector<std::string>{"Jet_pt", "Jet_px", "Jet_py"}));
  EXPECT_EQ(ClosestNames("Jet_pq", names, 1), (std::vector<std::string>{"Jet_pt"}));
  EXPECT_EQ(ClosestNames("Jet_etaa", names), (std::vector<std::string>{"Jet_eta"}));
  EXPECT_TRUE(ClosestNames("ElectronCharge", names).empty());
  // Short names allow one edit only.
  EXPECT_EQ(ClosestNames("xy", std::vector<std::string>{"x", "abc", "zz"}), (std::vector<std::string>{"x"}));
  // Equal names are no suggestion.
  EXPECT_TRUE(ClosestNames("Jet_pt", std::vector<std::string>{"Jet_pt"}).empty());
  EXPECT_TRUE(ClosestNames("ab", std::vector<std::string>{"cd"}).empty());
}

TEST(SuggestTest, HintSuggestsAndCounts) {
  std::vector<std::string> names;
  for (int i = 0; i < 900; ++i) names.push_back("col" + std::to_string(i) + "_zzzz");
  names.push_back("MET_pt");
  EXPECT_EQ(NameHint("MET_pT", names, "columns"), "did you mean 'MET_pt'? (901 columns)");
  std::vector<std::string> two{"Jet_px", "Jet_py"};
  EXPECT_EQ(NameHint("Jet_pq", two, "columns"), "did you mean 'Jet_px' or 'Jet_py'? (2 columns)");
  std::vector<std::string> three{"aaaa_1", "aaaa_2", "aaaa_3"};
  EXPECT_EQ(NameHint("aaaa_9", three, "keys"), "did you mean 'aaaa_1', 'aaaa_2' or 'aaaa_3'? (3 keys)");
}

TEST(SuggestTest, HintListsTheFirstNamesWhenNothingIsClose) {
  std::vector<std::string> names{"alpha", "beta", "gamma"};
  EXPECT_EQ(NameHint("zzzzzzzz", names, "trees"), "it has: alpha, beta, gamma (3 trees)");
  EXPECT_EQ(NameHint("zzzzzzzz", names, "trees", 2), "it has: alpha, beta, ... (3 trees)");
  EXPECT_EQ(NameHint("x", std::vector<std::string>{}, "trees"), "it has no trees");
}

}  // namespace
}  // namespace rootbatch
