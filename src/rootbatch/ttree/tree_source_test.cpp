#include "rootbatch/ttree/tree_source.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <string>

namespace rootbatch {
namespace {

std::string TestFile(const std::string& name) { return std::string(ROOTBATCH_TESTDATA_DIR) + "/" + name; }

std::unique_ptr<TreeSource> OpenTree(const std::string& file, const std::string& tree) {
  auto root = RootFile::Open(TestFile(file));
  EXPECT_TRUE(root.IsOk()) << root.status().ToString();
  if (!root.IsOk()) return nullptr;
  auto source = TreeSource::Open(*root, tree);
  EXPECT_TRUE(source.IsOk()) << source.status().ToString();
  return source.IsOk() ? std::move(*source) : nullptr;
}

TEST(TreeSourceTest, FlatAndJaggedBranchesOfHZZ) {
  auto tree = OpenTree("uproot-HZZ.root", "events");
  ASSERT_NE(tree, nullptr);
  EXPECT_EQ(tree->NumEntries(), 2421);
  auto njet = tree->FindColumn("NJet");
  ASSERT_TRUE(njet.IsOk());
  auto column = tree->ReadColumn(*njet, {0, 2421});
  ASSERT_TRUE(column.IsOk()) << column.status().ToString();
  auto values = column->As<int32_t>();
  ASSERT_EQ(values.size(), 2421u);
  // First entries and the sum from an independent reader (golden/uproot-HZZ.json).
  EXPECT_EQ(values[0], 0);
  EXPECT_EQ(values[3], 3);
  EXPECT_EQ(std::accumulate(values.begin(), values.end(), int64_t{0}), 2773);
  auto px = tree->FindColumn("Jet_Px");
  ASSERT_TRUE(px.IsOk());
  EXPECT_EQ(tree->Columns()[*px].kind, ColumnKind::kJagged);
  auto jets = tree->ReadColumn(*px, {1, 4});
  ASSERT_TRUE(jets.IsOk()) << jets.status().ToString();
  ASSERT_EQ(jets->offsets, (std::vector<int64_t>{0, 1, 1, 4}));
  EXPECT_FLOAT_EQ(jets->As<float>()[0], -38.87471389770508f);
  EXPECT_FLOAT_EQ(jets->As<float>()[1], -71.6952133178711f);
}

TEST(TreeSourceTest, UnknownBranchListsWhatExists) {
  auto tree = OpenTree("uproot-HZZ.root", "events");
  ASSERT_NE(tree, nullptr);
  auto missing = tree->FindColumn("Jet_Pxx");
  ASSERT_FALSE(missing.IsOk());
  EXPECT_EQ(missing.status().Code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().Message().find("Jet_Px"), std::string::npos) << missing.status().ToString();
}

TEST(TreeSourceTest, UnknownTreeListsTrees) {
  auto root = RootFile::Open(TestFile("uproot-nesteddirs.root"));
  ASSERT_TRUE(root.IsOk());
  auto tree = TreeSource::Open(*root, "one/nope");
  ASSERT_FALSE(tree.IsOk());
  EXPECT_EQ(tree.status().Code(), StatusCode::kNotFound);
  EXPECT_NE(tree.status().Message().find("one/two/tree;1"), std::string::npos) << tree.status().ToString();
}

TEST(TreeSourceTest, UnsupportedBranchSaysWhy) {
  // std::vector<std::string> is not read (std::vector<std::vector<double>>,
  // which this test used before, now is).
  auto tree = OpenTree("uproot-stl_containers.root", "tree");
  ASSERT_NE(tree, nullptr);
  ASSERT_FALSE(tree->Skipped().empty());
  auto column = tree->FindColumn("vector_string");
  ASSERT_FALSE(column.IsOk());
  EXPECT_EQ(column.status().Code(), StatusCode::kUnsupported);
  EXPECT_NE(column.status().Message().find("'vector<string>'"), std::string::npos) << column.status().ToString();
}

TEST(TreeSourceTest, VectorOfVectorsOfNumbersIsDoublyJagged) {
  // Values from uproot 5 (AsVector(True, AsVector(False, '>f8'))):
  // [[], [[], []], [[10], [], [10, 20]], [[20, -21, -22]], [[200], [-201], [202]]]
  auto tree = OpenTree("uproot-vectorVectorDouble.root", "t");
  ASSERT_NE(tree, nullptr);
  EXPECT_TRUE(tree->Skipped().empty());
  auto x = tree->FindColumn("x");
  ASSERT_TRUE(x.IsOk()) << x.status().ToString();
  const ColumnSpec& spec = tree->Columns()[*x];
  EXPECT_EQ(spec.kind, ColumnKind::kDoublyJagged);
  EXPECT_EQ(spec.type, DataType::kFloat64);
  EXPECT_EQ(spec.source_type, "std::vector<std::vector<double>>");
  auto column = tree->ReadColumn(*x, {0, 5});
  ASSERT_TRUE(column.IsOk()) << column.status().ToString();
  EXPECT_EQ(column->num_entries, 5);
  EXPECT_EQ(column->offsets, (std::vector<int64_t>{0, 0, 2, 5, 6, 9}));
  EXPECT_EQ(column->inner_offsets, (std::vector<int64_t>{0, 0, 0, 1, 1, 3, 6, 7, 8, 9}));
  EXPECT_EQ(std::vector<double>(column->As<double>().begin(), column->As<double>().end()),
            (std::vector<double>{10, 10, 20, 20, -21, -22, 200, -201, 202}));
  // A range from the middle starts both offset levels at 0.
  auto part = tree->ReadColumn(*x, {2, 4});
  ASSERT_TRUE(part.IsOk()) << part.status().ToString();
  EXPECT_EQ(part->offsets, (std::vector<int64_t>{0, 3, 4}));
  EXPECT_EQ(part->inner_offsets, (std::vector<int64_t>{0, 1, 1, 3, 6}));
  // Another writer's int32 case (uproot: [[1]], [[1], [1, 2]], ...).
  auto stl = OpenTree("uproot-stl_containers.root", "tree");
  ASSERT_NE(stl, nullptr);
  auto vvi = stl->FindColumn("vector_vector_int32");
  ASSERT_TRUE(vvi.IsOk()) << vvi.status().ToString();
  auto ints = stl->ReadColumn(*vvi, {0, 5});
  ASSERT_TRUE(ints.IsOk()) << ints.status().ToString();
  EXPECT_EQ(ints->offsets, (std::vector<int64_t>{0, 1, 3, 6, 10, 15}));
  EXPECT_EQ(ints->inner_offsets.back(), 1 + 3 + 6 + 10 + 15);
  EXPECT_EQ(ints->As<int32_t>()[0], 1);
}

TEST(TreeSourceTest, RangeOutsideTreeIsRejected) {
  auto tree = OpenTree("uproot-HZZ.root", "events");
  ASSERT_NE(tree, nullptr);
  EXPECT_EQ(tree->ReadColumn(0, {0, 2422}).status().Code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tree->ReadColumn(0, {-1, 2}).status().Code(), StatusCode::kInvalidArgument);
}

TEST(TreeSourceTest, ClusterBoundariesCoverTheTree) {
  auto tree = OpenTree("nanoAOD_2015_CMS_Open_Data_ttbar.root", "Events");
  ASSERT_NE(tree, nullptr);
  auto bounds = tree->ClusterBoundaries();
  ASSERT_GE(bounds.size(), 2u);
  EXPECT_EQ(bounds.front(), 0);
  EXPECT_EQ(bounds.back(), tree->NumEntries());
  EXPECT_TRUE(std::is_sorted(bounds.begin(), bounds.end()));
  for (size_t c = 0; c < tree->Columns().size(); ++c) {
    auto units = tree->UnitBoundaries(c);
    ASSERT_EQ(units.back(), tree->NumEntries());
  }
}

TEST(TreeSourceTest, MisspelledColumnOnTheWideNanoAODSuggestsTheName) {
  auto tree = OpenTree("nanoAOD_2015_CMS_Open_Data_ttbar.root", "Events");
  ASSERT_NE(tree, nullptr);
  ASSERT_EQ(tree->Columns().size(), 947u);
  auto missing = tree->FindColumn("MET_pT");
  ASSERT_FALSE(missing.IsOk());
  EXPECT_EQ(missing.status().Code(), StatusCode::kNotFound);
  const std::string& message = missing.status().Message();
  EXPECT_NE(message.find("did you mean 'MET_pt'?"), std::string::npos) << message;
  EXPECT_NE(message.find("(947 columns)"), std::string::npos) << message;
}

TEST(TreeSourceTest, MisspelledTreeSuggestsTheTree) {
  auto root = RootFile::Open(TestFile("nanoAOD_2015_CMS_Open_Data_ttbar.root"));
  ASSERT_TRUE(root.IsOk());
  auto tree = TreeSource::Open(*root, "Event");
  ASSERT_FALSE(tree.IsOk());
  EXPECT_EQ(tree.status().Code(), StatusCode::kNotFound);
  EXPECT_NE(tree.status().Message().find("did you mean 'Events'? (1 tree)"), std::string::npos)
      << tree.status().ToString();
}

TEST(TreeSourceTest, TreeNamedWithoutItsDirectorySuggestsThePaths) {
  auto root = RootFile::Open(TestFile("uproot-nesteddirs.root"));
  ASSERT_TRUE(root.IsOk());
  auto tree = TreeSource::Open(*root, "tree");
  ASSERT_FALSE(tree.IsOk());
  EXPECT_EQ(tree.status().Code(), StatusCode::kNotFound);
  EXPECT_NE(tree.status().Message().find("did you mean 'one/two/tree', 'one/tree' or 'three/tree'? (3 trees)"),
            std::string::npos)
      << tree.status().ToString();
}

TEST(TreeSourceTest, RNTupleIsNotATreeAndSaysHowToOpenIt) {
  // The TTree reader refuses an RNTuple, naming it; OpenColumnSource (frame)
  // opens either format by the key's class.
  const std::string name = "test_int_float_rntuple_v1-0-0-0.root";
  auto root = RootFile::Open(TestFile(name));
  ASSERT_TRUE(root.IsOk()) << root.status().ToString();
  auto tree = TreeSource::Open(*root, "ntuple");
  ASSERT_FALSE(tree.IsOk());
  EXPECT_EQ(tree.status().Code(), StatusCode::kInvalidArgument) << tree.status().ToString();
  const std::string& message = tree.status().Message();
  EXPECT_NE(message.find("'ntuple'"), std::string::npos) << message;
  EXPECT_NE(message.find(name), std::string::npos) << message;
  EXPECT_NE(message.find("is an RNTuple"), std::string::npos) << message;
  EXPECT_NE(message.find("open it as an RNTuple"), std::string::npos) << message;
  // A missing tree in such a file names the RNTuple instead of "no trees" alone.
  auto missing = TreeSource::Open(*root, "events");
  ASSERT_FALSE(missing.IsOk());
  EXPECT_EQ(missing.status().Code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().Message().find("RNTuples: ntuple"), std::string::npos)
      << missing.status().ToString();
}

TEST(TreeSourceTest, SplitObjectLeavesByTheirShortName) {
  // uproot accepts tree["I16"] and tree["P3.Px"] for evt/I16, evt/P3/P3.Px.
  auto tree = OpenTree("uproot-small-evnt-tree-fullsplit.root", "tree");
  ASSERT_NE(tree, nullptr);
  for (const auto& [short_name, full] : std::vector<std::pair<std::string, std::string>>{
           {"I16", "evt/I16"}, {"P3.Px", "evt/P3/P3.Px"}, {"StlVecF64", "evt/StlVecF64"}}) {
    auto by_short = tree->FindColumn(short_name);
    auto by_full = tree->FindColumn(full);
    ASSERT_TRUE(by_full.IsOk()) << by_full.status().ToString();
    ASSERT_TRUE(by_short.IsOk()) << by_short.status().ToString();
    EXPECT_EQ(*by_short, *by_full) << short_name;
  }
  // The members of TObject in another file: fBits is unique there too.
  auto other = OpenTree("uproot-issue31.root", "T");
  ASSERT_NE(other, nullptr);
  auto bits = other->FindColumn("fBits");
  ASSERT_TRUE(bits.IsOk()) << bits.status().ToString();
  EXPECT_EQ(other->Columns()[*bits].name, "data/TObject/fBits");
}

TEST(TreeSourceTest, EmbeddedBasketsCountInReadStats) {
  // NanoAOD keeps 947 of its 949 baskets inside the TTree record.
  auto tree = OpenTree("nanoAOD_2015_CMS_Open_Data_ttbar.root", "Events");
  ASSERT_NE(tree, nullptr);
  auto met = tree->FindColumn("MET_pt");
  ASSERT_TRUE(met.IsOk());
  const BranchModel& branch = tree->Model().branches[static_cast<size_t>(tree->ColumnInterpretation(*met).branch)];
  ASSERT_EQ(branch.write_basket, 0);  // no basket on disk
  ASSERT_EQ(branch.embedded.size(), 1u);
  ReadStats stats;
  auto column = tree->ReadColumn(*met, {0, 200}, &stats);
  ASSERT_TRUE(column.IsOk()) << column.status().ToString();
  // 200 float32 values in one basket without an offset table.
  EXPECT_EQ(stats.units_read, 1);
  EXPECT_EQ(stats.bytes_read, 200 * 4);
  EXPECT_EQ(stats.bytes_decompressed, 200 * 4);
  // A jagged column also counts its offset table (one i32 per entry, plus one).
  auto jet = tree->FindColumn("Jet_pt");
  ASSERT_TRUE(jet.IsOk());
  ReadStats jagged_stats;
  auto jets = tree->ReadColumn(*jet, {0, 200}, &jagged_stats);
  ASSERT_TRUE(jets.IsOk()) << jets.status().ToString();
  EXPECT_EQ(jagged_stats.units_read, 1);
  EXPECT_GE(jagged_stats.bytes_read, jets->offsets.back() * 4 + 200 * 4);
}

}  // namespace
}  // namespace rootbatch
