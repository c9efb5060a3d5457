#include "rootbatch/io/byte_source.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

namespace rootbatch {
namespace {

TEST(LocalFileTest, MissingFileIsNotFound) {
  auto source = OpenLocalFile("/nonexistent/definitely-missing.root");
  ASSERT_FALSE(source.IsOk());
  EXPECT_EQ(source.status().Code(), StatusCode::kNotFound);
  EXPECT_NE(source.status().Message().find("definitely-missing.root"), std::string::npos);
  EXPECT_EQ(source.status().Path(), "/nonexistent/definitely-missing.root");
  EXPECT_EQ(source.status().Errno(), ENOENT);
}

TEST(LocalFileTest, DirectoryIsAnError) {
  auto source = OpenLocalFile(std::filesystem::temp_directory_path().string());
  ASSERT_FALSE(source.IsOk());
  EXPECT_EQ(source.status().Code(), StatusCode::kIOError);
  EXPECT_EQ(source.status().Path(), std::filesystem::temp_directory_path().string());
  EXPECT_EQ(source.status().Errno(), EISDIR);
}

TEST(LocalFileTest, PositionalReadsFromManyThreads) {
  auto path = std::filesystem::temp_directory_path() / "rootbatch_io_test.bin";
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 65536; ++i) out.put(static_cast<char>(i % 251));
  }
  auto opened = OpenLocalFile(path.string());
  ASSERT_TRUE(opened.IsOk()) << opened.status().ToString();
  const ByteSource& source = **opened;
  EXPECT_EQ(source.Size(), 65536);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int64_t offset = t; offset < 65000; offset += 997) {
        auto bytes = source.Read(offset, 100);
        if (!bytes.IsOk() || (*bytes)[0] != offset % 251 || (*bytes)[99] != (offset + 99) % 251) {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto past_end = source.Read(65500, 100);
  ASSERT_FALSE(past_end.IsOk());
  EXPECT_EQ(past_end.status().Code(), StatusCode::kCorrupt);
  EXPECT_NE(past_end.status().Message().find("65500"), std::string::npos);
  EXPECT_EQ(past_end.status().Offset(), 65500);
  EXPECT_EQ(past_end.status().Path(), path.string());
  std::filesystem::remove(path);
}

TEST(MemorySourceTest, ReadsAndBounds) {
  auto source = MakeMemorySource("mem", {1, 2, 3, 4});
  auto bytes = source->Read(1, 2);
  ASSERT_TRUE(bytes.IsOk());
  EXPECT_EQ((*bytes)[0], 2);
  EXPECT_FALSE(source->Read(3, 2).IsOk());
  EXPECT_FALSE(source->Read(-1, 1).IsOk());
}


TEST(CoalesceRangesTest, SortsClipsAndMergesAcrossSmallGaps) {
  const std::vector<ByteRange> ranges = {
      {1000, 100},   // merged with the next: 50 bytes apart
      {0, 10},       // alone: 990 bytes before the next with max_gap 64
      {1150, 20},
      {1160, 5},     // inside the previous
      {5000, 400},   // clipped to the size, 5200
      {-20, 5},      // before the start: nothing left
      {1100, 0},     // empty
  };
  const std::vector<ByteRange> stretches = CoalesceRanges(ranges, 5200, 64);
  ASSERT_EQ(stretches.size(), 3u);
  EXPECT_EQ(stretches[0].offset, 0);
  EXPECT_EQ(stretches[0].length, 10);
  EXPECT_EQ(stretches[1].offset, 1000);
  EXPECT_EQ(stretches[1].length, 170);
  EXPECT_EQ(stretches[2].offset, 5000);
  EXPECT_EQ(stretches[2].length, 200);
  // A gap of exactly max_gap merges; one more byte does not.
  EXPECT_EQ(CoalesceRanges(std::vector<ByteRange>{{0, 10}, {74, 1}}, 100, 64).size(), 1u);
  EXPECT_EQ(CoalesceRanges(std::vector<ByteRange>{{0, 10}, {75, 1}}, 100, 64).size(), 2u);
  EXPECT_TRUE(CoalesceRanges(std::vector<ByteRange>{}, 100).empty());
}

}  // namespace
}  // namespace rootbatch
