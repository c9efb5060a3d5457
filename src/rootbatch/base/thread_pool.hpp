// ThreadPool: a fixed set of worker threads running submitted tasks in FIFO
// order. The loader uses one to read and decompress baskets in parallel.
//
// Ownership and shutdown: the pool owns its threads; Shutdown() (also run by
// the destructor) stops accepting tasks, drops the queued tasks that have not
// started (or, with Drain::kRun, runs them first), waits for the running ones
// and joins every thread. No thread outlives the pool.
//
// Tasks must not throw (the codebase reports errors with Status); a task that
// does terminates the process, as an escaping exception on any thread would.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rootbatch {

class ThreadPool {
 public:
  enum class Drain { kDrop, kRun };

  // Starts `num_threads` workers (at least 1). `name` (15 chars at most are
  // kept) labels the threads for debuggers and /proc/self/task/*/comm.
  explicit ThreadPool(int num_threads, std::string name = "rb-pool");
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool();

  // Queues `task`. Returns false (and drops it) after Shutdown began.
  bool Submit(std::function<void()> task);

  // Idempotent; safe to call from any thread except a worker of this pool.
  void Shutdown(Drain drain = Drain::kDrop);

  int NumThreads() const { return static_cast<int>(threads_.size()); }
  // Tasks queued and not yet started.
  size_t Pending() const;
  // Total seconds the workers spent waiting for a task, summed over workers
  // (the loader reports it as "worker idle time").
  double IdleSeconds() const;

 private:
  void WorkerLoop();

  std::vector<std::thread> threads_;
  mutable std::mutex mutex_;       // guards tasks_, stopping_, drain_
  std::condition_variable wake_;   // a task arrived, or shutdown began
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  Drain drain_ = Drain::kDrop;
  std::once_flag joined_;
  std::atomic<int64_t> idle_ns_{0};
};

}  // namespace rootbatch
