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
