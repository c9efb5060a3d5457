// A file over 2 GB: the big-file header, 64-bit keys and directory records,
// written and read back in full. Labelled `slow` (about 2.2 GB of disk and a
// minute or so); run it with `ctest -L slow` (docs/development.md).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <numeric>
#include <string>

#include "rootbatch/tfile/root_file.hpp"
#include "rootbatch/ttree/tree_source.hpp"
#include "rootbatch/write/file_writer.hpp"

namespace rootbatch {
namespace {

constexpr int64_t kArray = 16;  // x[16]: 128 bytes per entry

// Entry i: id = i, x[k] = i * 16 + k, n = i % 3, c[n] = {i + 0.5, ...}, v = n floats i - j.
struct Batch {
  std::vector<int64_t> id;
  std::vector<double> x;
  std::vector<int32_t> n;
  std::vector<float> c, v;
  std::vector<int64_t> offsets;

  void Fill(int64_t begin, int64_t end) {
    id.clear(), x.clear(), n.clear(), c.clear(), v.clear();
    offsets.assign(1, 0);
    for (int64_t i = begin; i < end; ++i) {
      id.push_back(i);
      for (int64_t k = 0; k < kArray; ++k) x.push_back(static_cast<double>(i * kArray + k));
      const int32_t count = static_cast<int32_t>(i % 3);
      n.push_back(count);
      for (int32_t j = 0; j < count; ++j) {
        c.push_back(static_cast<float>(i % 100000) + 0.5f * static_cast<float>(j));
        v.push_back(static_cast<float>(i % 100000) - static_cast<float>(j));
      }
      offsets.push_back(offsets.back() + count);
    }
  }
  std::vector<ColumnView> Views() const {
    return {ColumnView::Of(id), ColumnView::Of(x), ColumnView::Of(n), ColumnView::Of(c, offsets),
            ColumnView::Of(v, offsets)};
  }
};

TEST(BigFileTest, OverTwoGigabytesWritesAndReadsBack) {
  const std::string path = testing::TempDir() + "/rootbatch_big_file_test_" + std::to_string(getpid()) + ".root";
  const int64_t batch_size = 200000;
  int64_t entries = 0;
  {
    auto file = FileWriter::Create(path, {Codec::kNone, 0});
    ASSERT_TRUE(file.IsOk()) << file.status().ToString();
    TreeWriterOptions options;
    options.cluster_size = 1000000;
    auto tree = (*file)->MakeTree("big", "over 2 GB", "", options);
    ASSERT_TRUE(tree.IsOk());
    ASSERT_TRUE((*tree)->AddBranch({"id", DataType::kInt64, BranchKind::kScalar, {}, "", ""}).IsOk());
    ASSERT_TRUE((*tree)->AddBranch({"x", DataType::kFloat64, BranchKind::kFixedArray, {kArray}, "", ""}).IsOk());
    ASSERT_TRUE((*tree)->AddBranch({"n", DataType::kInt32, BranchKind::kScalar, {}, "", ""}).IsOk());
    ASSERT_TRUE((*tree)->AddBranch({"c", DataType::kFloat32, BranchKind::kCounterArray, {}, "n", ""}).IsOk());
    ASSERT_TRUE((*tree)->AddBranch({"v", DataType::kFloat32, BranchKind::kVector, {}, "", ""}).IsOk());
    Batch batch;
    // Past 2.1e9 bytes, so that everything written at Close lies beyond kStartBigFile.
    while ((*file)->End() < 2100000000) {
      batch.Fill(entries, entries + batch_size);
      ASSERT_TRUE((*tree)->Append(batch.Views(), batch_size).IsOk());
      entries += batch_size;
    }
    // A directory and a tree created beyond 2e9: a 64-bit directory key.
    auto late = (*file)->MakeTree("late", "", "after/two_gb");
    ASSERT_TRUE(late.IsOk());
    ASSERT_TRUE((*late)->AddBranch({"id", DataType::kInt64, BranchKind::kScalar, {}, "", ""}).IsOk());
    std::vector<int64_t> ids(10);
    std::iota(ids.begin(), ids.end(), 0);
    const ColumnView view = ColumnView::Of(ids);
    ASSERT_TRUE((*late)->Append({&view, 1}, 10).IsOk());
    const Status closed = (*file)->Close();
    ASSERT_TRUE(closed.IsOk()) << closed.ToString();
  }
  ASSERT_GT(std::filesystem::file_size(path), 2000000000u);

  auto root = RootFile::Open(path);
  ASSERT_TRUE(root.IsOk()) << root.status().ToString();
  const FileHeader& h = root->get()->Header();
  EXPECT_TRUE(h.big);
  EXPECT_EQ(h.units, 8);
  EXPECT_EQ(h.end, static_cast<int64_t>(std::filesystem::file_size(path)));
  EXPECT_GT(h.seek_info, 2000000000);
  EXPECT_GT(h.seek_free, 2000000000);
  EXPECT_GT(root->get()->Top().record.seek_keys, 2000000000);
  EXPECT_GT(root->get()->Top().record.version, 1000);
  for (const auto& entry : root->get()->AllKeys()) {
    SCOPED_TRACE(entry.path);
    if (entry.key->seek_key > 2000000000) {
      EXPECT_GT(entry.key->version, 1000);
    }
  }
  auto late = OpenTreeSource(path, "after/two_gb/late");
  ASSERT_TRUE(late.IsOk()) << late.status().ToString();
  auto late_ids = (*late)->ReadColumn(0, {0, 10});
  ASSERT_TRUE(late_ids.IsOk());
  EXPECT_EQ(late_ids->As<int64_t>()[9], 9);

  auto source = OpenTreeSource(path, "big");
  ASSERT_TRUE(source.IsOk()) << source.status().ToString();
  ASSERT_EQ((*source)->NumEntries(), entries);
  const auto& columns = (*source)->Columns();
  ASSERT_EQ(columns.size(), 5u);
  Batch want;
  for (int64_t begin = 0; begin < entries; begin += 1000000) {
    const int64_t end = std::min(entries, begin + 1000000);
    want.Fill(begin, end);
    for (size_t c = 0; c < columns.size(); ++c) {
      auto column = (*source)->ReadColumn(c, {begin, end});
      ASSERT_TRUE(column.IsOk()) << column.status().ToString();
      const ColumnView expected = want.Views()[c];
      ASSERT_TRUE(std::equal(expected.values.begin(), expected.values.end(), column->values.begin(),
                             column->values.end()))
          << columns[c].name << " entries " << begin << ".." << end;
      if (!expected.offsets.empty()) {
        ASSERT_TRUE(std::equal(expected.offsets.begin(), expected.offsets.end(), column->offsets.begin(),
                               column->offsets.end()));
      }
    }
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace rootbatch
