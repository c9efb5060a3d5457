#include "rootbatch/loader/pipeline.hpp"

#include <pthread.h>

#include <algorithm>
#include <chrono>

#include "rootbatch/loader/prefetcher.hpp"
#include "rootbatch/loader/shuffle.hpp"

namespace rootbatch::loader {

Pipeline::Pipeline(PipelineConfig config) : config_(std::move(config)), queue_(static_cast<size_t>(config_.queue_batches)) {
  thread_ = std::thread([this] { Run(); });
  pthread_setname_np(thread_.native_handle(), "rb-assembler");
}

Pipeline::~Pipeline() {
  Cancel();
  if (thread_.joinable()) thread_.join();
}

void Pipeline::Cancel() {
  std::shared_ptr<Prefetcher> prefetcher;
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    prefetcher = prefetcher_;
  }
  queue_.Cancel();
  if (prefetcher) prefetcher->Cancel();
}

void Pipeline::Fail(Status status) {
  {
    std::lock_guard lock(mutex_);
    if (!failure_.IsOk()) return;
    failure_ = std::move(status);
  }
  queue_.Cancel();
}

Result<std::optional<Batch>> Pipeline::Next(double* waited) {
  auto start = std::chrono::steady_clock::now();
  std::optional<Batch> batch = queue_.Pop();
  if (waited != nullptr) *waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Popped(std::move(batch));
}

Result<std::optional<Batch>> Pipeline::NextFor(std::chrono::nanoseconds timeout, bool* timed_out, double* waited) {
  auto start = std::chrono::steady_clock::now();
  std::optional<Batch> batch = queue_.PopFor(timeout, timed_out);
  if (waited != nullptr) *waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (*timed_out) return std::optional<Batch>();
  return Popped(std::move(batch));
}

Result<std::optional<Batch>> Pipeline::Popped(std::optional<Batch> batch) {
  if (batch) return batch;
  std::lock_guard lock(mutex_);
  if (!failure_.IsOk()) return failure_;
  if (cancelled_) return Cancelled("the loader was stopped");
  return std::optional<Batch>();
}

// The prefetcher's lock is taken outside mutex_: its error callback takes
// them in the other order.
double Pipeline::AssemblerWaitSeconds() const {
  std::shared_ptr<Prefetcher> prefetcher;
  {
    std::lock_guard lock(mutex_);
    prefetcher = prefetcher_;
  }
  return prefetcher ? prefetcher->WaitSeconds() : 0.0;
}

ReadStats Pipeline::Reads() const {
  std::shared_ptr<Prefetcher> prefetcher;
  {
    std::lock_guard lock(mutex_);
    prefetcher = prefetcher_;
  }
  return prefetcher ? prefetcher->Stats() : ReadStats();
}

void Pipeline::Run() {
  Status status = Assemble();
  if (!status.IsOk()) {
    Fail(std::move(status));
    return;
  }
  queue_.Close();
}

std::shared_ptr<Prefetcher> Pipeline::StartReads(std::vector<Segment> reads, PrefetchHooks hooks, int window) {
  auto prefetcher = std::make_shared<Prefetcher>(config_.pool, config_.reader, std::move(reads), window,
                                                 [this](const Status& error) { Fail(error); }, std::move(hooks));
  bool cancelled = false;
  {
    std::lock_guard lock(mutex_);
    prefetcher_ = prefetcher;
    cancelled = cancelled_;
  }
  // Outside mutex_: a failing read calls Fail (mutex_) while holding the
  // prefetcher's lock, so taking that lock under mutex_ would invert the
  // order. Cancel() either sees prefetcher_ or left cancelled_ for here.
  if (cancelled) prefetcher->Cancel();
  return prefetcher;
}

Status Pipeline::Assemble() {
  AssemblyContext context{
      config_,
      [this](std::vector<Segment> reads) { return StartReads(std::move(reads), {}, config_.memory.window); },
      [this](Batch batch) { return queue_.Push(std::move(batch)); },
      [this](std::vector<Segment> reads, PrefetchHooks hooks, int window) {
        return StartReads(std::move(reads), std::move(hooks), window);
      }};
  return ShuffleOf(config_.strategy).Assemble(context);
}

}  // namespace rootbatch::loader
