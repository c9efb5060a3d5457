// Prefetcher: reads a list of segments on a thread pool, a bounded window
// ahead of its consumer, and hands them out as StagedBlocks in list order.
//
// Each segment is one task; the window (segments read or being read but not
// yet taken, at least threads + 1) keeps every worker busy and bounds the
// memory. A segment's bytes are asked for when it enters the window
// (BlockReader::StartFetch: remote files), so a whole window of requests is
// in flight while the workers decompress: latency is hidden behind it.
// Blocks come out in list order whatever the thread count, which is what
// makes batches deterministic.
//
// Threading: tasks share a State with the Prefetcher (shared_ptr), so a task
// still queued in the pool when the Prefetcher is destroyed finds the state
// cancelled and returns. `mutex` guards everything in State except the
// read-only `reads` and `reader`, and `cancelled`, which is atomic so that a
// running read can poll it between columns, and `tickets`, whose element for
// a segment the owner's thread writes before submitting its task (the task
// and the destructor read it); `changed` signals a finished block, an error
// or cancellation. Only the owner's thread (constructor, Next, destructor)
// schedules.
//
// Hooks (PrefetchHooks, optional): a step run on the owner's thread just
// before each segment's read is submitted, and one run on the worker right
// after the read, with the block. A worker that ran one gives its block back
// for reuse at once, and the owner follows with Advance() instead of Next():
// the scatter strategy writes each row straight into its batch from the
// worker (scatter_shuffle.hpp), so no block waits for the owner.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/base/thread_pool.hpp"
#include "rootbatch/loader/block_reader.hpp"

namespace rootbatch::loader {

struct PrefetchHooks {
  // On the owner's thread, in segment order, before the segment's task is
  // submitted (so what it prepares happens-before the worker's step).
  std::function<void(size_t segment)> before_read;
  // On a worker, after a successful read; an error fails the prefetcher
  // like a read error. Runs while the block's memory is hot in the cache.
  std::function<Status(size_t segment, const StagedBlock& block)> after_read;
};

class Prefetcher {
 public:
  // Called once, from a worker, with the first read error (already carrying
  // its context), so the owner can fail fast instead of waiting for the
  // consumer to reach the broken block. It runs under the prefetcher's lock:
  // it must not call back into the prefetcher.
  using ErrorCallback = std::function<void(const Status&)>;

  Prefetcher(ThreadPool* pool, std::shared_ptr<const BlockReader> reader, std::vector<Segment> reads, int window,
             ErrorCallback on_error, PrefetchHooks hooks = {});
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;
  ~Prefetcher();

  // The next segment's block, waiting for it if needed; nullptr after the
  // last one. Fails with the read error, or kCancelled after Cancel().
  Result<std::unique_ptr<StagedBlock>> Next();
  // With an after_read hook: waits until the next segment's worker step is
  // done; false after the last one. Fails like Next().
  Result<bool> Advance();
  void Cancel();
  // Gives a consumed block back, so its memory serves a later segment
  // (fresh memory costs page faults on every block otherwise).
  void Recycle(std::unique_ptr<StagedBlock> block);

  double WaitSeconds() const;  // time Next() spent waiting for workers
  ReadStats Stats() const;     // what the finished reads cost

 private:
  struct Pending {
    std::unique_ptr<StagedBlock> block;  // set by the task when done
    bool done = false;
  };
  struct State {
    std::shared_ptr<const BlockReader> reader;
    std::vector<Segment> reads;
    ErrorCallback on_error;
    PrefetchHooks hooks;
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<Pending> window;  // segments [taken, scheduled)
    std::vector<int64_t> tickets;  // BlockReader::StartFetch of each segment scheduled (-1: none)
    std::vector<std::unique_ptr<StagedBlock>> spare;  // recycled blocks
    size_t max_spare = 0;                              // the window: more are dropped
    size_t taken = 0;            // segments handed out
    size_t scheduled = 0;        // segments submitted to the pool
    std::atomic<bool> cancelled{false};
    Status error;
    ReadStats stats;
    double wait_seconds = 0;
  };

  // Takes segments into the window until it is full; requires the lock.
  std::vector<size_t> ReserveLocked();
  // Starts the fetches of reserved segments and submits their reads, on the
  // owner's thread without the lock: a remote fetch may reconnect first,
  // which can take seconds, and the workers must not wait for it to hand in
  // their blocks.
  void Start(const std::vector<size_t>& segments);
  static void RunTask(const std::shared_ptr<State>& state, size_t segment);

  ThreadPool* pool_;
  int window_;
  std::shared_ptr<State> state_;
};

}  // namespace rootbatch::loader
