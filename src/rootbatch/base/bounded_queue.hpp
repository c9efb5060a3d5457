// BoundedQueue<T>: a blocking multi-producer multi-consumer FIFO with a fixed
// capacity, used for back-pressure between pipeline stages (the loader's
// queue of ready batches).
//
// Shutdown has two forms, and both unblock every waiter:
//   Close():  producers are done. Push fails from now on; Pop keeps returning
//             the queued items, then nullopt.
//   Cancel(): stop now. Push and Pop fail at once; queued items are dropped
//             (destroyed by Cancel, on the calling thread).
// One mutex guards the deque and the flags; `not_full_` signals producers,
// `not_empty_` signals consumers.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace rootbatch {

template <typename T>
class BoundedQueue {
 public:
  // A capacity of 0 is treated as 1: a rendezvous queue would deadlock a
  // single producer that also waits on the consumer.
  explicit BoundedQueue(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  BoundedQueue(const BoundedQueue&) = delete;
  BoundedQueue& operator=(const BoundedQueue&) = delete;
  ~BoundedQueue() { Cancel(); }

  // Blocks while the queue is full. Returns false (dropping `item`) if the
  // queue is closed or cancelled before there is room.
  bool Push(T item) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return closed_ || cancelled_ || items_.size() < capacity_; });
    if (closed_ || cancelled_) return false;
    items_.push_back(std::move(item));
    lock.unlock();
    not_empty_.notify_one();
    return true;
  }

  // Blocks while the queue is empty and open. Returns nullopt once the queue
  // is closed and drained, or as soon as it is cancelled.
  std::optional<T> Pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return cancelled_ || closed_ || !items_.empty(); });
    return TakeLocked(lock);
  }

  // Like Pop, waiting at most `timeout`. nullopt either way it returns empty:
  // `*timed_out` (if given) tells "nothing yet, still open" (true) from
  // "closed and drained, or cancelled" (false). An item that arrives after
  // the timeout stays queued for the next call.
  template <typename Rep, typename Period>
  std::optional<T> PopFor(std::chrono::duration<Rep, Period> timeout, bool* timed_out = nullptr) {
    std::unique_lock lock(mutex_);
    const bool ready = not_empty_.wait_for(lock, timeout, [&] { return cancelled_ || closed_ || !items_.empty(); });
    if (timed_out != nullptr) *timed_out = !ready;
    return TakeLocked(lock);
  }

  // Like Pop, without waiting: nullopt if nothing is queued right now.
  std::optional<T> TryPop() {
    std::unique_lock lock(mutex_);
    return TakeLocked(lock);
  }

  void Close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  void Cancel() {
    std::deque<T> dropped;  // destroyed outside the lock
    {
      std::lock_guard lock(mutex_);
      cancelled_ = true;
      dropped.swap(items_);
    }
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  bool IsCancelled() const {
    std::lock_guard lock(mutex_);
    return cancelled_;
  }
  size_t Size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }
  size_t Capacity() const { return capacity_; }

 private:
  std::optional<T> TakeLocked(std::unique_lock<std::mutex>& lock) {
    if (cancelled_ || items_.empty()) return std::nullopt;
    std::optional<T> item(std::move(items_.front()));
    items_.pop_front();
    lock.unlock();
    not_full_.notify_one();
    return item;
  }

  const size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_full_;   // an item left, or the queue shut down
  std::condition_variable not_empty_;  // an item arrived, or the queue shut down
  std::deque<T> items_;
  bool closed_ = false;
  bool cancelled_ = false;
};

}  // namespace rootbatch
