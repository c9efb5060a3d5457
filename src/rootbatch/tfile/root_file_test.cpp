#include "rootbatch/tfile/root_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace rootbatch {
namespace {

std::string TestFile(const std::string& name) { return std::string(ROOTBATCH_TESTDATA_DIR) + "/" + name; }

TEST(RootFileTest, SmallHeaderAndTopKeys) {
  auto file = RootFile::Open(TestFile("uproot-HZZ.root"));
  ASSERT_TRUE(file.IsOk()) << file.status().ToString();
  const FileHeader& header = (*file)->Header();
  EXPECT_FALSE(header.big);
  EXPECT_EQ(header.version, 53201);
  EXPECT_EQ(header.RootVersionString(), "5.32/01");
  EXPECT_EQ(header.begin, 100);
  EXPECT_EQ(header.end, 217945);
  EXPECT_EQ(header.seek_info, 213367);
  auto key = (*file)->FindKey("events");
  ASSERT_TRUE(key.IsOk()) << key.status().ToString();
  EXPECT_EQ((*key)->class_name, "TTree");
  EXPECT_EQ((*key)->cycle, 1);
}

TEST(RootFileTest, BigHeaderFromAnotherWriter) {
  auto file = RootFile::Open(TestFile("other-writers/uproot-issue412.root"));
  ASSERT_TRUE(file.IsOk()) << file.status().ToString();
  EXPECT_TRUE((*file)->Header().big);
  EXPECT_EQ((*file)->Header().units, 4);  // yet 64-bit seeks: key on fVersion only
  EXPECT_TRUE((*file)->FindKey("test").IsOk());
}

TEST(RootFileTest, NestedDirectoriesAndPaths) {
  auto file = RootFile::Open(TestFile("uproot-nesteddirs.root"));
  ASSERT_TRUE(file.IsOk()) << file.status().ToString();
  std::vector<std::string> paths;
  for (const auto& entry : (*file)->AllKeys()) paths.push_back(entry.path + ";" + std::to_string(entry.key->cycle));
  std::vector<std::string> expected = {"one;1", "one/two;1", "one/two/tree;1", "one/tree;1", "three;1",
                                       "three/tree;1"};
  std::sort(paths.begin(), paths.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(paths, expected);
  auto key = (*file)->FindKey("one/two/tree");
  ASSERT_TRUE(key.IsOk()) << key.status().ToString();
  EXPECT_EQ((*key)->class_name, "TTree");
  auto missing = (*file)->FindKey("one/nothere");
  ASSERT_FALSE(missing.IsOk());
  EXPECT_EQ(missing.status().Code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().Message().find("two;1"), std::string::npos) << missing.status().ToString();
}

TEST(RootFileTest, CyclesPickHighestUnlessAsked) {
  auto file = RootFile::Open(TestFile("uproot-issue31.root"));
  ASSERT_TRUE(file.IsOk()) << file.status().ToString();
  auto newest = (*file)->FindKey("T");
  ASSERT_TRUE(newest.IsOk());
  EXPECT_EQ((*newest)->cycle, 2);
  auto first = (*file)->FindKey("T;1");
  ASSERT_TRUE(first.IsOk());
  EXPECT_EQ((*first)->cycle, 1);
  EXPECT_FALSE((*file)->FindKey("T;7").IsOk());
  EXPECT_EQ((*file)->FindKey("T;x").status().Code(), StatusCode::kInvalidArgument);
}

TEST(RootFileTest, StreamerInfosInEveryCodec) {
  for (const char* name : {"uproot-HZZ-zlib.root", "uproot-HZZ-lzma.root", "uproot-HZZ-lz4.root",
                           "uproot-HZZ-zstd.root", "uproot-HZZ-uncompressed.root"}) {
    auto file = RootFile::Open(TestFile(name));
    ASSERT_TRUE(file.IsOk()) << file.status().ToString();
    auto infos = (*file)->StreamerInfos();
    ASSERT_TRUE(infos.IsOk()) << name << ": " << infos.status().ToString();
    const StreamerInfo* tree = (*infos)->Find("TTree");
    ASSERT_NE(tree, nullptr) << name;
    EXPECT_GE(tree->class_version, 16);
    ASSERT_FALSE(tree->elements.empty());
    EXPECT_EQ(tree->elements[0].name, "TNamed");
  }
}

TEST(RootFileTest, StreamerElementsOfUserClass) {
  auto file = RootFile::Open(TestFile("uproot-small-evnt-tree-fullsplit.root"));
  ASSERT_TRUE(file.IsOk()) << file.status().ToString();
  auto infos = (*file)->StreamerInfos();
  ASSERT_TRUE(infos.IsOk()) << infos.status().ToString();
  const StreamerInfo* event = (*infos)->Find("Event");
  ASSERT_NE(event, nullptr);
  bool saw_vector = false;
  for (const auto& element : event->elements) {
    if (element.name == "StlVecF32") {
      saw_vector = true;
      EXPECT_EQ(element.type_name, "vector<float>");
      EXPECT_EQ(element.stl_type, 1);
    }
  }
  EXPECT_TRUE(saw_vector);
}

TEST(RootFileTest, BadInputs) {
  auto missing = RootFile::Open(TestFile("no-such-file.root"));
  ASSERT_FALSE(missing.IsOk());
  EXPECT_EQ(missing.status().Code(), StatusCode::kNotFound);

  auto empty = RootFile::Open(MakeMemorySource("empty.root", {}));
  ASSERT_FALSE(empty.IsOk());
  EXPECT_NE(empty.status().ToString().find("empty.root"), std::string::npos);
  EXPECT_NE(empty.status().ToString().find("empty"), std::string::npos);

  std::vector<uint8_t> text(200, 'x');
  auto not_root = RootFile::Open(MakeMemorySource("notes.txt", text));
  ASSERT_FALSE(not_root.IsOk());
  EXPECT_NE(not_root.status().ToString().find("not a ROOT file"), std::string::npos);
}

}  // namespace
}  // namespace rootbatch
