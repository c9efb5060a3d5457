#include "rootbatch/base/thread_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <thread>

#include "rootbatch/base/testing/thread_count.hpp"

namespace rootbatch {
namespace {

using rootbatch::testing::CountThreads;
using rootbatch::testing::CountThreadsSettlingAt;

TEST(ThreadPoolTest, RunsEveryTaskOnWorkers) {
  ThreadPool pool(3);
  EXPECT_EQ(pool.NumThreads(), 3);
  std::atomic<int> sum{0};
  std::mutex mutex;
  std::set<std::thread::id> ids;
  std::vector<std::future<void>> done;
  for (int i = 1; i <= 100; ++i) {
    auto promise = std::make_shared<std::promise<void>>();
    done.push_back(promise->get_future());
    ASSERT_TRUE(pool.Submit([&, i, promise] {
      sum += i;
      {
        std::lock_guard lock(mutex);
        ids.insert(std::this_thread::get_id());
      }
      promise->set_value();
    }));
  }
  for (auto& f : done) f.wait();
  EXPECT_EQ(sum.load(), 5050);
  EXPECT_EQ(ids.count(std::this_thread::get_id()), 0u);
  EXPECT_LE(ids.size(), 3u);
}

TEST(ThreadPoolTest, ZeroThreadsMeansOne) {
  ThreadPool pool(0);
  EXPECT_EQ(pool.NumThreads(), 1);
}

TEST(ThreadPoolTest, ShutdownDropsQueuedTasksAndRefusesNewOnes) {
  ThreadPool pool(1);
  std::promise<void> started;
  std::promise<void> release;
  auto release_future = release.get_future().share();
  std::atomic<int> ran{0};
  ASSERT_TRUE(pool.Submit([&] {
    started.set_value();
    release_future.wait();
    ++ran;
  }));
  started.get_future().wait();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(pool.Submit([&] { ++ran; }));
  EXPECT_EQ(pool.Pending(), 10u);
  std::thread stopper([&] { pool.Shutdown(ThreadPool::Drain::kDrop); });
  // Let the stopper mark the pool stopped before the running task ends.
  while (pool.Submit([] {})) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  release.set_value();
  stopper.join();
  EXPECT_EQ(ran.load(), 1);  // only the running task finished
  EXPECT_FALSE(pool.Submit([] {}));
}

TEST(ThreadPoolTest, ShutdownCanRunQueuedTasks) {
  std::atomic<int> ran{0};
  {
    ThreadPool pool(2);
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(pool.Submit([&] { ++ran; }));
    pool.Shutdown(ThreadPool::Drain::kRun);
    pool.Shutdown();  // idempotent
  }
  EXPECT_EQ(ran.load(), 50);
}

TEST(ThreadPoolTest, NoThreadSurvivesThePool) {
  // A thread joined by the test before this one may still be listed for a
  // moment (its exit ends after join returns): count once that has settled.
  int before = CountThreadsSettlingAt(1);
  ASSERT_GT(before, 0);
  {
    ThreadPool pool(4);
    EXPECT_EQ(CountThreads(), before + 4);
  }
  EXPECT_EQ(CountThreadsSettlingAt(before), before);
}

TEST(ThreadPoolTest, CountsIdleTime) {
  ThreadPool pool(2);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  pool.Shutdown();
  // Two workers each waited about 30 ms before shutdown woke them.
  EXPECT_GT(pool.IdleSeconds(), 0.04);
}

}  // namespace
}  // namespace rootbatch
