#include "rootbatch/base/bounded_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <numeric>
#include <thread>
#include <vector>

namespace rootbatch {
namespace {

TEST(BoundedQueueTest, FifoWithinCapacity) {
  BoundedQueue<int> queue(3);
  EXPECT_TRUE(queue.Push(1));
  EXPECT_TRUE(queue.Push(2));
  EXPECT_TRUE(queue.Push(3));
  EXPECT_EQ(queue.Size(), 3u);
  EXPECT_EQ(queue.Pop(), 1);
  EXPECT_EQ(queue.TryPop(), 2);
  EXPECT_EQ(queue.Pop(), 3);
  EXPECT_EQ(queue.TryPop(), std::nullopt);
}

TEST(BoundedQueueTest, PushBlocksWhileFull) {
  BoundedQueue<int> queue(1);
  ASSERT_TRUE(queue.Push(1));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    EXPECT_TRUE(queue.Push(2));
    pushed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(pushed.load());
  EXPECT_EQ(queue.Pop(), 1);
  producer.join();
  EXPECT_TRUE(pushed.load());
  EXPECT_EQ(queue.Pop(), 2);
}

TEST(BoundedQueueTest, CloseDrainsThenEnds) {
  BoundedQueue<int> queue(4);
  queue.Push(7);
  queue.Push(8);
  queue.Close();
  EXPECT_FALSE(queue.Push(9));
  EXPECT_EQ(queue.Pop(), 7);
  EXPECT_EQ(queue.Pop(), 8);
  EXPECT_EQ(queue.Pop(), std::nullopt);
}

TEST(BoundedQueueTest, CancelUnblocksBlockedConsumerAndProducer) {
  BoundedQueue<int> empty(1);
  std::thread consumer([&] { EXPECT_EQ(empty.Pop(), std::nullopt); });
  BoundedQueue<int> full(1);
  full.Push(1);
  std::thread producer([&] { EXPECT_FALSE(full.Push(2)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  empty.Cancel();
  full.Cancel();
  consumer.join();
  producer.join();
  EXPECT_TRUE(full.IsCancelled());
  EXPECT_EQ(full.Size(), 0u);  // queued item dropped
  EXPECT_EQ(full.Pop(), std::nullopt);
}

TEST(BoundedQueueTest, PopForTimesOutThenReturnsTheLateItem) {
  BoundedQueue<int> queue(2);
  bool timed_out = false;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(queue.PopFor(std::chrono::milliseconds(20), &timed_out), std::nullopt);
  EXPECT_TRUE(timed_out);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(20));
  // An item pushed after the timeout is kept, in order, for the next call.
  std::thread producer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    queue.Push(1);
    queue.Push(2);
  });
  EXPECT_EQ(queue.PopFor(std::chrono::milliseconds(1), &timed_out), std::nullopt);
  EXPECT_TRUE(timed_out);
  producer.join();
  EXPECT_EQ(queue.PopFor(std::chrono::milliseconds(1), &timed_out), 1);
  EXPECT_FALSE(timed_out);
  EXPECT_EQ(queue.Pop(), 2);
  // Closed and drained is not a timeout: the caller must not wait again.
  queue.Close();
  EXPECT_EQ(queue.PopFor(std::chrono::seconds(10), &timed_out), std::nullopt);
  EXPECT_FALSE(timed_out);
}

TEST(BoundedQueueTest, CancelWakesAConsumerInPopFor) {
  BoundedQueue<int> queue(1);
  bool timed_out = true;
  std::thread consumer([&] { EXPECT_EQ(queue.PopFor(std::chrono::seconds(30), &timed_out), std::nullopt); });
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const auto start = std::chrono::steady_clock::now();
  queue.Cancel();
  consumer.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_FALSE(timed_out);
}

TEST(BoundedQueueTest, MoveOnlyItems) {
  BoundedQueue<std::unique_ptr<int>> queue(2);
  queue.Push(std::make_unique<int>(5));
  auto item = queue.Pop();
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(**item, 5);
}

TEST(BoundedQueueTest, ManyProducersManyConsumersSeeEveryItemOnce) {
  constexpr int kProducers = 4;
  constexpr int kPerProducer = 2000;
  BoundedQueue<int> queue(8);
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) ASSERT_TRUE(queue.Push(p * kPerProducer + i));
    });
  }
  std::vector<int> seen(kProducers * kPerProducer, 0);
  std::mutex seen_mutex;
  std::vector<std::thread> consumers;
  for (int c = 0; c < 3; ++c) {
    consumers.emplace_back([&] {
      while (auto item = queue.Pop()) {
        std::lock_guard lock(seen_mutex);
        ++seen[static_cast<size_t>(*item)];
      }
    });
  }
  for (auto& t : producers) t.join();
  queue.Close();
  for (auto& t : consumers) t.join();
  for (int count : seen) ASSERT_EQ(count, 1);
}

}  // namespace
}  // namespace rootbatch
