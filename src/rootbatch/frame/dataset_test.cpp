#include "rootbatch/frame/dataset.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "rootbatch/frame/glob.hpp"
#include "rootbatch/loader/testing/memory_source.hpp"

namespace rootbatch {
namespace {

using testing::MakeMemorySource;
using testing::MemorySourceOptions;

std::unique_ptr<ColumnSource> Source(const std::string& name, int64_t entries) {
  MemorySourceOptions options;
  options.name = name;
  options.num_entries = entries;
  return MakeMemorySource(options);
}

TEST(DatasetTest, GlobalIndexCountsAcrossFilesInOrder) {
  std::vector<std::unique_ptr<ColumnSource>> sources;
  sources.push_back(Source("a", 10));
  sources.push_back(Source("empty", 0));
  sources.push_back(Source("b", 5));
  auto dataset = Dataset::FromSources(std::move(sources));
  ASSERT_TRUE(dataset.IsOk());
  const Dataset& d = **dataset;
  EXPECT_EQ(d.NumFiles(), 3u);
  EXPECT_EQ(d.NumEntries(), 15);
  EXPECT_EQ(d.FileStart(2), 10);
  EXPECT_EQ(d.Locate(0), (std::pair<size_t, int64_t>{0, 0}));
  EXPECT_EQ(d.Locate(9), (std::pair<size_t, int64_t>{0, 9}));
  EXPECT_EQ(d.Locate(10), (std::pair<size_t, int64_t>{2, 0}));  // the empty file is skipped
  EXPECT_EQ(d.Locate(14), (std::pair<size_t, int64_t>{2, 4}));
  EXPECT_NE(d.Description().find("and 2 more files"), std::string::npos);
}

TEST(DatasetTest, ResolvesColumnsInEveryFile) {
  std::vector<std::unique_ptr<ColumnSource>> sources;
  sources.push_back(Source("a", 10));
  sources.push_back(Source("b", 10));
  auto dataset = Dataset::FromSources(std::move(sources));
  ASSERT_TRUE(dataset.IsOk());
  std::vector<std::string> names = {"f1", "event_id"};
  auto indices = (*dataset)->ResolveColumns(names);
  ASSERT_TRUE(indices.IsOk());
  ASSERT_EQ(indices->size(), 2u);
  EXPECT_EQ((*indices)[1][1], 0u);
  names = {"missing"};
  auto missing = (*dataset)->ResolveColumns(names);
  EXPECT_EQ(missing.status().Code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().Message().find("'a'"), std::string::npos);
}

TEST(DatasetTest, RejectsFilesThatDisagreeOnAColumn) {
  MemorySourceOptions few;
  few.num_features = 1;
  std::vector<std::unique_ptr<ColumnSource>> sources;
  sources.push_back(Source("a", 10));
  sources.push_back(MakeMemorySource(few));
  auto dataset = Dataset::FromSources(std::move(sources));
  ASSERT_TRUE(dataset.IsOk());
  std::vector<std::string> names = {"f3"};
  EXPECT_EQ((*dataset)->ResolveColumns(names).status().Code(), StatusCode::kNotFound);
}

TEST(DatasetTest, ColumnMissingFromALaterFileSuggestsWhatThatFileHas) {
  MemorySourceOptions few;
  few.name = "second";
  few.num_features = 1;
  std::vector<std::unique_ptr<ColumnSource>> sources;
  sources.push_back(Source("first", 10));
  sources.push_back(MakeMemorySource(few));
  auto dataset = Dataset::FromSources(std::move(sources));
  ASSERT_TRUE(dataset.IsOk());
  std::vector<std::string> names = {"f3"};
  auto missing = (*dataset)->ResolveColumns(names);
  ASSERT_EQ(missing.status().Code(), StatusCode::kNotFound);
  const std::string& message = missing.status().Message();
  EXPECT_NE(message.find("'second'"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean 'f0'?"), std::string::npos) << message;
}

TEST(DatasetTest, OpenUsesTheOpenerAndExpandsGlobs) {
  auto dir = std::filesystem::temp_directory_path() / ("rb_dataset_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (const char* name : {"b.root", "a.root", "c.txt"}) std::ofstream(dir / name) << "x";
  std::vector<std::string> opened;
  SourceOpener opener = [&](const std::string& path, const std::string& tree) -> Result<std::unique_ptr<ColumnSource>> {
    EXPECT_EQ(tree, "events");
    opened.push_back(std::filesystem::path(path).filename().string());
    if (opened.back() == "bad.root") return IOError("cannot open");
    return Source(path, 3);
  };
  auto dataset = Dataset::Open({(dir / "*.root").string(), "/x/explicit.root"}, "events", opener);
  ASSERT_TRUE(dataset.IsOk()) << dataset.status().ToString();
  EXPECT_EQ(opened, (std::vector<std::string>{"a.root", "b.root", "explicit.root"}));
  EXPECT_EQ((*dataset)->NumEntries(), 9);

  auto none = Dataset::Open({(dir / "*.none").string()}, "events", opener);
  EXPECT_EQ(none.status().Code(), StatusCode::kNotFound);
  EXPECT_NE(none.status().Message().find("no file matches"), std::string::npos);

  auto bad = Dataset::Open({"bad.root"}, "events", opener);
  EXPECT_EQ(bad.status().Code(), StatusCode::kIOError);
  EXPECT_NE(bad.status().ToString().find("opening tree 'events' in 'bad.root'"), std::string::npos);
  EXPECT_EQ(Dataset::Open({}, "events", opener).status().Code(), StatusCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

// The default opener picks the format by the key's class: the same call
// opens a TTree and an RNTuple, and errors name what is there.
TEST(DatasetTest, DefaultOpenerOpensTTreesAndRNTuples) {
  const std::string dir = ROOTBATCH_TESTDATA_DIR;
  auto ntuple = Dataset::Open({dir + "/ntpl001_staff_rntuple_v1-0-0-0.root"}, "Staff", DefaultSourceOpener());
  ASSERT_TRUE(ntuple.IsOk()) << ntuple.status().ToString();
  EXPECT_EQ((*ntuple)->NumEntries(), 3354);
  const std::vector<std::string> names{"Age", "Nation"};
  auto columns = (*ntuple)->ResolveColumns(names);
  ASSERT_TRUE(columns.IsOk()) << columns.status().ToString();
  auto tree = Dataset::Open({dir + "/uproot-HZZ.root"}, "events", DefaultSourceOpener());
  ASSERT_TRUE(tree.IsOk()) << tree.status().ToString();
  EXPECT_EQ((*tree)->NumEntries(), 2421);
  // Two RNTuples in one file, opened by name; a missing name lists both.
  const std::string two = dir + "/rntviewer-testfile-multiple-rntuples-v1-0-0-0.root";
  auto b = Dataset::Open({two}, "B", DefaultSourceOpener());
  ASSERT_TRUE(b.IsOk()) << b.status().ToString();
  EXPECT_EQ((*b)->NumEntries(), 100);
  auto missing = Dataset::Open({two}, "C", DefaultSourceOpener());
  EXPECT_EQ(missing.status().Code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().Message().find("RNTuples: A, B"), std::string::npos) << missing.status().ToString();
}

}  // namespace
}  // namespace rootbatch
