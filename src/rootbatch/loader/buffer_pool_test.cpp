#include "rootbatch/loader/buffer_pool.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace rootbatch::loader {
namespace {

TEST(BufferPoolTest, ReusesReleasedBuffersOfTheSameSize) {
  auto pool = BufferPool::Create(2);
  uint8_t* first = nullptr;
  {
    auto buffer = pool->Acquire(1000);
    first = buffer->data();
    EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % kBufferAlignment, 0u);
    std::memset(buffer->data(), 1, buffer->size());
  }
  EXPECT_EQ(pool->Idle(), 1u);
  auto again = pool->Acquire(1000);
  EXPECT_EQ(again->data(), first);
  auto other = pool->Acquire(2000);
  EXPECT_EQ(pool->Allocations(), 2);
}

TEST(BufferPoolTest, KeepsAtMostMaxIdle) {
  auto pool = BufferPool::Create(1);
  {
    auto a = pool->Acquire(64);
    auto b = pool->Acquire(64);
  }
  EXPECT_EQ(pool->Idle(), 1u);
}

TEST(BufferPoolTest, BuffersOutliveThePool) {
  std::shared_ptr<Buffer> kept;
  {
    auto pool = BufferPool::Create(4);
    kept = pool->Acquire(256);
    std::memset(kept->data(), 7, 256);
  }
  EXPECT_EQ(kept->data()[255], 7);
  kept.reset();  // frees itself: the pool is gone (ASan checks)
}

}  // namespace
}  // namespace rootbatch::loader
