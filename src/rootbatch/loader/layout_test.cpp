// BuildLayout's name resolution against real TTrees: the role of a name in
// errors, short names of split-object leaves, doubly jagged columns refused.
#include "rootbatch/loader/layout.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rootbatch/frame/dataset.hpp"

namespace rootbatch::loader {
namespace {

std::shared_ptr<const Dataset> Open(const std::string& file, const std::string& tree) {
  auto dataset = Dataset::Open({std::string(ROOTBATCH_TESTDATA_DIR) + "/" + file}, tree, DefaultSourceOpener());
  EXPECT_TRUE(dataset.IsOk()) << dataset.status().ToString();
  return dataset.IsOk() ? *dataset : nullptr;
}

Result<RowLayout> Build(const std::shared_ptr<const Dataset>& dataset, const LoaderOptions& options) {
  std::vector<std::vector<std::vector<size_t>>> indices;
  LoaderInput input;
  input.dataset = dataset;
  return BuildLayout({input}, options, &indices);
}

TEST(LayoutTest, MisspelledNamesSayTheirRoleAndTheClosestName) {
  auto dataset = Open("nanoAOD_2015_CMS_Open_Data_ttbar.root", "Events");
  ASSERT_NE(dataset, nullptr);
  struct Case {
    LoaderOptions options;
    std::string role;
    std::string suggestion;
  };
  std::vector<Case> cases(4);
  cases[0].options.features = {"MET_pT"};
  cases[0].role = "feature 'MET_pT'";
  cases[0].suggestion = "did you mean 'MET_pt'?";
  cases[1].options.features = {"MET_pt"};
  cases[1].options.targets = {"MET_Phi"};
  cases[1].role = "target 'MET_Phi'";
  cases[1].suggestion = "did you mean 'MET_phi'?";
  cases[2].options.features = {"MET_pt"};
  cases[2].options.weight = "genweight";
  cases[2].role = "weight 'genweight'";
  cases[2].suggestion = "did you mean 'genWeight'?";
  cases[3].options.features = {"MET_pt"};
  cases[3].options.jagged = {{"Jet_PT", JaggedMode::kPad, 4}};
  cases[3].role = "jagged column 'Jet_PT'";
  cases[3].suggestion = "did you mean 'Jet_pt'?";
  for (const auto& c : cases) {
    auto layout = Build(dataset, c.options);
    ASSERT_FALSE(layout.IsOk()) << c.role;
    EXPECT_EQ(layout.status().Code(), StatusCode::kNotFound) << c.role;
    const std::string text = layout.status().ToString();
    EXPECT_NE(text.find(c.suggestion), std::string::npos) << text;
    EXPECT_NE(text.find(c.role), std::string::npos) << text;
    EXPECT_NE(text.find("(947 columns)"), std::string::npos) << text;
  }
}

TEST(LayoutTest, ShortNamesOfSplitObjectLeavesResolve) {
  auto dataset = Open("uproot-small-evnt-tree-fullsplit.root", "tree");
  ASSERT_NE(dataset, nullptr);
  LoaderOptions options;
  options.features = {"I16", "P3.Px"};
  options.targets = {"I32"};
  auto layout = Build(dataset, options);
  ASSERT_TRUE(layout.IsOk()) << layout.status().ToString();
  ASSERT_EQ(layout->routes.size(), 3u);
  EXPECT_EQ(layout->routes[0].spec.name, "evt/I16");
  EXPECT_EQ(layout->routes[1].spec.name, "evt/P3/P3.Px");
  EXPECT_EQ(layout->routes[2].spec.name, "evt/I32");
  EXPECT_EQ(layout->feature_names, (std::vector<std::string>{"I16", "P3.Px"}));
}

TEST(LayoutTest, UnreadableBranchIsUnsupportedNotMissing) {
  auto dataset = Open("uproot-stl_containers.root", "tree");
  ASSERT_NE(dataset, nullptr);
  LoaderOptions options;
  options.features = {"vector_string"};
  auto layout = Build(dataset, options);
  ASSERT_FALSE(layout.IsOk());
  EXPECT_EQ(layout.status().Code(), StatusCode::kUnsupported) << layout.status().ToString();
  EXPECT_NE(layout.status().Message().find("'vector<string>'"), std::string::npos) << layout.status().ToString();
}

// A doubly jagged column is refused where a list of lists cannot go (a
// feature, a target, the weight, ragged mode) and needs both lengths where it
// can (pad and flatten: doubly_jagged_test.cpp checks the values).
TEST(LayoutTest, DoublyJaggedColumnsGoOnlyWhereTheyFit) {
  auto dataset = Open("uproot-vectorVectorDouble.root", "t");
  ASSERT_NE(dataset, nullptr);
  std::vector<LoaderOptions> refused(3);
  refused[0].features = {"x"};
  refused[1].jagged = {{"x", JaggedMode::kPad, 3}};
  refused[2].jagged = {{"x", JaggedMode::kRagged, 0}};
  const std::vector<StatusCode> codes = {StatusCode::kUnsupported, StatusCode::kInvalidArgument,
                                         StatusCode::kUnsupported};
  const std::vector<std::string> words = {"pad or flatten with max_length and max_inner_length",
                                          "set max_inner_length", "mode ragged takes one level of lists"};
  for (size_t k = 0; k < refused.size(); ++k) {
    auto layout = Build(dataset, refused[k]);
    ASSERT_FALSE(layout.IsOk());
    EXPECT_EQ(layout.status().Code(), codes[k]) << layout.status().ToString();
    const std::string& message = layout.status().Message();
    EXPECT_NE(message.find("'x' is doubly jagged (std::vector<std::vector<double>>"), std::string::npos) << message;
    EXPECT_NE(message.find(words[k]), std::string::npos) << message;
  }
  LoaderOptions padded;
  padded.jagged = {{"x", JaggedMode::kPad, 3, 0.0, true}};
  padded.jagged[0].max_inner_length = 2;
  auto layout = Build(dataset, padded);
  ASSERT_TRUE(layout.IsOk()) << layout.status().ToString();
  EXPECT_EQ(layout->parts[static_cast<size_t>(layout->padded_parts[0])].shape, (std::vector<int64_t>{3, 2}));
}

}  // namespace
}  // namespace rootbatch::loader
