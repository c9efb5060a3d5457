#include "rootbatch/column/column.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rootbatch {
namespace {

// Only the names matter to FindColumn.
class NamesSource final : public ColumnSource {
 public:
  NamesSource(std::vector<std::string> names, std::vector<UnreadableColumn> unreadable = {})
      : unreadable_(std::move(unreadable)) {
    for (auto& name : names) {
      ColumnSpec spec;
      spec.name = std::move(name);
      specs_.push_back(std::move(spec));
    }
  }
  std::string Description() const override { return "tree 't' in 'test.root'"; }
  int64_t NumEntries() const override { return 0; }
  const std::vector<ColumnSpec>& Columns() const override { return specs_; }
  const std::vector<UnreadableColumn>& UnreadableColumns() const override { return unreadable_; }
  std::vector<int64_t> ClusterBoundaries() const override { return {0}; }
  std::vector<int64_t> UnitBoundaries(size_t) const override { return {0}; }
  Result<Column> ReadColumn(size_t, EntryRange, ReadStats*) const override { return Internal("not used"); }

 private:
  std::vector<ColumnSpec> specs_;
  std::vector<UnreadableColumn> unreadable_;
};

// The index found, or -1 with the error printed.
int64_t IndexOf(const ColumnSource& source, const std::string& name) {
  auto found = source.FindColumn(name);
  if (!found.IsOk()) {
    ADD_FAILURE() << name << ": " << found.status().ToString();
    return -1;
  }
  return static_cast<int64_t>(*found);
}

TEST(FindColumnTest, MisspelledNameOnAWideTreeGetsTheClosestName) {
  // As in the 947-column NanoAOD: the right name is far from the first 20.
  std::vector<std::string> names;
  for (int i = 0; i < 900; ++i) names.push_back("HLT_Path" + std::to_string(i));
  names.push_back("MET_phi");
  names.push_back("MET_pt");
  NamesSource source(names);
  auto found = source.FindColumn("MET_pT");
  ASSERT_FALSE(found.IsOk());
  EXPECT_EQ(found.status().Code(), StatusCode::kNotFound);
  EXPECT_EQ(found.status().Message(),
            "no column 'MET_pT' in tree 't' in 'test.root'; did you mean 'MET_pt'? (902 columns)");
}

TEST(FindColumnTest, NothingCloseListsTheFirstNamesAndTheCount) {
  NamesSource source({"alpha", "beta", "gamma"});
  auto found = source.FindColumn("zzzzzzzz");
  ASSERT_FALSE(found.IsOk());
  EXPECT_EQ(found.status().Message(),
            "no column 'zzzzzzzz' in tree 't' in 'test.root'; it has: alpha, beta, gamma (3 columns)");
}

TEST(FindColumnTest, UniqueShortNameOfASplitObjectLeaf) {
  NamesSource source({"evt/I16", "evt/P3/P3.Px", "evt/P3/P3.Py", "data/TObject/fBits"});
  EXPECT_EQ(IndexOf(source, "evt/P3/P3.Px"), 1);
  EXPECT_EQ(IndexOf(source, "I16"), 0);
  EXPECT_EQ(IndexOf(source, "P3.Py"), 2);
  EXPECT_EQ(IndexOf(source, "P3/P3.Py"), 2);  // trailing components
  EXPECT_EQ(IndexOf(source, "fBits"), 3);
  // Only whole components count: "16" is not a short name of "evt/I16".
  EXPECT_EQ(source.FindColumn("16").status().Code(), StatusCode::kNotFound);
  // A misspelled short name is compared with the leaves.
  auto close = source.FindColumn("P3.Pxx");
  ASSERT_FALSE(close.IsOk());
  EXPECT_NE(close.status().Message().find("did you mean 'evt/P3/P3.Px'?"), std::string::npos)
      << close.status().ToString();
}

TEST(FindColumnTest, AmbiguousShortNameListsTheCandidates) {
  NamesSource source({"a/TObject/fBits", "b/TObject/fBits", "fBitsX"});
  auto found = source.FindColumn("fBits");
  ASSERT_FALSE(found.IsOk());
  EXPECT_EQ(found.status().Code(), StatusCode::kInvalidArgument);
  EXPECT_NE(found.status().Message().find("ambiguous"), std::string::npos);
  EXPECT_NE(found.status().Message().find("'a/TObject/fBits', 'b/TObject/fBits'"), std::string::npos)
      << found.status().ToString();
  EXPECT_EQ(IndexOf(source, "b/TObject/fBits"), 1);
}

TEST(FindColumnTest, UnreadableColumnSaysUnsupportedWithItsType) {
  NamesSource source({"x"}, {{"obj/vv", "vector<vector<string> >", "class is not supported"}});
  for (const char* name : {"obj/vv", "vv"}) {
    auto found = source.FindColumn(name);
    ASSERT_FALSE(found.IsOk());
    EXPECT_EQ(found.status().Code(), StatusCode::kUnsupported) << name;
    EXPECT_NE(found.status().Message().find("vector<vector<string> >"), std::string::npos)
        << found.status().ToString();
  }
  auto missing = source.FindColumn("nothing_like_it");
  EXPECT_EQ(missing.status().Code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().Message().find("1 more branch cannot be read"), std::string::npos)
      << missing.status().ToString();
}

}  // namespace
}  // namespace rootbatch
