#include "rootbatch/loader/large_memory.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>

namespace rootbatch::loader {
namespace {

// Resident bytes of this process (/proc/self/statm, second field, in pages).
size_t ResidentBytes() {
  std::FILE* file = std::fopen("/proc/self/statm", "r");
  if (file == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  const int read = std::fscanf(file, "%lu %lu", &size, &resident);
  std::fclose(file);
  return read == 2 ? resident * static_cast<size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

TEST(LargeMemoryTest, CommitMakesThePagesResidentAndKeepsThemZero) {
  constexpr size_t kBytes = size_t{48} << 20;
  LargeMemory memory(kBytes);
  ThreadPool pool(2, "rb-test");
  const size_t before = ResidentBytes();
  memory.Commit(kBytes, &pool);
  const size_t after = ResidentBytes();
  EXPECT_GE(after, before + kBytes * 9 / 10) << "before " << before << ", after " << after;
  for (size_t at = 0; at < kBytes; at += 4093) ASSERT_EQ(memory.data()[at], 0) << "byte " << at;
  memory.Commit(kBytes, &pool);  // already committed: returns at once
}

// Both ways of the huge-page probe: kept (a threshold no page reaches) or
// given up after the first page (a threshold every page passes); either way
// every page is committed, zero and writable, and Commit returns.
TEST(LargeMemoryTest, CommitFallsBackToSmallPagesWhereHugeOnesAreSlow) {
  constexpr size_t kBytes = size_t{24} << 20;
  for (double threshold : {1e9, 0.0}) {
    LargeMemory memory(kBytes, threshold);
    const bool advised = memory.HugePages();
    ThreadPool pool(2, "rb-test");
    const size_t before = ResidentBytes();
    memory.Commit(kBytes, &pool);
    EXPECT_GE(ResidentBytes(), before + kBytes * 9 / 10) << threshold;
    EXPECT_EQ(memory.HugePages(), advised && threshold > 0) << threshold;
    for (size_t at = 0; at < kBytes; at += 4093) ASSERT_EQ(memory.data()[at], 0) << "byte " << at;
    memory.data()[kBytes - 1] = 7;
    EXPECT_EQ(memory.data()[kBytes - 1], 7);
  }
}

TEST(LargeMemoryTest, CommitDoesNotWaitForTasksAPoolDrops) {
  constexpr size_t kBytes = size_t{8} << 20;
  LargeMemory memory(kBytes);
  ThreadPool pool(2, "rb-test");
  pool.Shutdown();  // Submit now drops every task: the caller does all parts
  memory.Commit(kBytes, &pool);
  for (size_t at = 0; at < kBytes; at += 4093) ASSERT_EQ(memory.data()[at], 0);
}

TEST(LargeMemoryTest, CommitIsCappedAtTheSize) {
  LargeMemory memory(size_t{1} << 20);
  memory.Commit(size_t{64} << 20, nullptr);  // writing past the mapping would crash
  EXPECT_EQ(memory.size(), size_t{1} << 20);
}

}  // namespace
}  // namespace rootbatch::loader
