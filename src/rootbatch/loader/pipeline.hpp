// Pipeline: one epoch (or the rest of one, when resuming) in flight.
//
// Threads: the Pipeline owns one assembler thread; reads run on the
// loader's ThreadPool through a Prefetcher. The assembler runs the shuffle
// strategy's assembly (shuffle.hpp): it replays the schedule up to the start
// position, fills the buffer (from the first rows, or on resume from the
// blocks its rows came from), then builds batches into a bounded queue that
// Next() pops.
//
// Shutdown: Cancel() (also run by the destructor) cancels the queue (waking
// the consumer and the assembler), then the prefetcher (waking the
// assembler if it waits for a block); the destructor joins the thread. The
// first error of any stage is kept, cancels the queue, and is what Next()
// returns from then on. `mutex_` guards failure_, cancelled_ and prefetcher_.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "rootbatch/base/bounded_queue.hpp"
#include "rootbatch/base/status.hpp"
#include "rootbatch/base/thread_pool.hpp"
#include "rootbatch/loader/batch.hpp"
#include "rootbatch/loader/block_reader.hpp"
#include "rootbatch/loader/budget.hpp"
#include "rootbatch/loader/buffer_pool.hpp"
#include "rootbatch/loader/epoch_order.hpp"
#include "rootbatch/loader/large_memory.hpp"
#include "rootbatch/loader/prefetcher.hpp"

namespace rootbatch::loader {

struct PipelineConfig {
  std::shared_ptr<const BlockReader> reader;
  std::shared_ptr<const EpochOrder> order;
  std::shared_ptr<BufferPool> buffers;
  std::shared_ptr<LargeMemory> slot_memory;  // memory.num_slots x row bytes; null where the strategy uses none
  ThreadPool* pool = nullptr;
  MemoryPlan memory;
  ShuffleStrategy strategy = ShuffleStrategy::kStream;
  int64_t batch_size = 0;
  int queue_batches = 2;
  int64_t epoch = 0;
  int64_t start_batch = 0;   // batches already consumed (resume)
  int64_t num_batches = 0;   // batches of the whole epoch
  uint64_t slot_seed = 0;
};

class Pipeline {
 public:
  explicit Pipeline(PipelineConfig config);
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;
  ~Pipeline();

  // The next batch; nullopt when the epoch is done; the first failure of any
  // stage otherwise. `waited` receives the seconds spent blocked.
  Result<std::optional<Batch>> Next(double* waited);
  // Like Next, waiting at most `timeout`: nullopt with `*timed_out` set when
  // no batch is ready yet (the batch stays queued for a later call).
  Result<std::optional<Batch>> NextFor(std::chrono::nanoseconds timeout, bool* timed_out, double* waited);
  void Cancel();

  // Valid once the assembler thread finished (after the last batch, or
  // after the destructor's join).
  double AssemblerWaitSeconds() const;
  ReadStats Reads() const;

 private:
  void Run();
  Status Assemble();
  // A prefetcher over `reads`, known to Cancel() and the statistics.
  std::shared_ptr<Prefetcher> StartReads(std::vector<Segment> reads, PrefetchHooks hooks, int window);
  void Fail(Status status);
  // What Next returns once the queue gave `batch` (nullopt: closed or cancelled).
  Result<std::optional<Batch>> Popped(std::optional<Batch> batch);

  PipelineConfig config_;
  BoundedQueue<Batch> queue_;
  mutable std::mutex mutex_;
  Status failure_;
  bool cancelled_ = false;
  std::shared_ptr<Prefetcher> prefetcher_;
  std::thread thread_;
};

}  // namespace rootbatch::loader
