#include "rootbatch/base/thread_pool.hpp"

#include <pthread.h>

#include <chrono>
#include <utility>

namespace rootbatch {

ThreadPool::ThreadPool(int num_threads, std::string name) {
  if (num_threads < 1) num_threads = 1;
  if (name.size() > 15) name.resize(15);  // the kernel's limit for thread names
  threads_.reserve(static_cast<size_t>(num_threads));
  for (int i = 0; i < num_threads; ++i) {
    threads_.emplace_back([this] { WorkerLoop(); });
    pthread_setname_np(threads_.back().native_handle(), name.c_str());
  }
}

ThreadPool::~ThreadPool() { Shutdown(); }

bool ThreadPool::Submit(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void ThreadPool::Shutdown(Drain drain) {
  std::deque<std::function<void()>> dropped;
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      stopping_ = true;
      drain_ = drain;
      if (drain == Drain::kDrop) dropped.swap(tasks_);
    }
  }
  wake_.notify_all();
  dropped.clear();  // destroy the dropped closures outside the lock
  std::call_once(joined_, [this] {
    for (auto& thread : threads_) thread.join();
  });
}

size_t ThreadPool::Pending() const {
  std::lock_guard lock(mutex_);
  return tasks_.size();
}

double ThreadPool::IdleSeconds() const { return static_cast<double>(idle_ns_.load()) * 1e-9; }

void ThreadPool::WorkerLoop() {
  using Clock = std::chrono::steady_clock;
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      auto wait_start = Clock::now();
      wake_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      idle_ns_ += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - wait_start).count();
      if (tasks_.empty()) return;  // stopping, nothing left to run
      if (stopping_ && drain_ == Drain::kDrop) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace rootbatch
