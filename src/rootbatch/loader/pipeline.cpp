#include "rootbatch/loader/pipeline.hpp"

#include <pthread.h>

#include <algorithm>
#include <chrono>

#include "rootbatch/loader/batch_assembler.hpp"
#include "rootbatch/loader/slot_schedule.hpp"

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

Status Pipeline::Assemble() {
  const EpochOrder& order = *config_.order;
  const int64_t rows = order.Rows();
  const int64_t slots = std::min(config_.memory.num_slots, rows);
  const bool resuming = config_.start_batch > 0;
  SlotSchedule schedule(config_.strategy, slots, config_.batch_size, rows, config_.num_batches, config_.slot_seed,
                        /*track_positions=*/resuming);
  SlotSchedule::Step step;
  for (int64_t b = 0; b < config_.start_batch; ++b) schedule.Next(&step);  // replay (resume)

  // What to read: on resume, first the segments whose rows sit in the buffer.
  std::vector<std::pair<int64_t, int32_t>> restore;  // (position, slot)
  std::vector<size_t> restore_segments;
  if (config_.start_batch > 0) {
    const auto& positions = schedule.SlotPositions();
    for (size_t s = 0; s < positions.size(); ++s) {
      if (positions[s] >= 0) restore.emplace_back(positions[s], static_cast<int32_t>(s));
    }
    std::sort(restore.begin(), restore.end());
    for (const auto& [position, slot] : restore) {
      size_t segment = order.SegmentOf(position);
      if (restore_segments.empty() || restore_segments.back() != segment) restore_segments.push_back(segment);
    }
    schedule.StopTracking();
  }
  const int64_t first_incoming = resuming ? schedule.NextIncoming() : 0;
  const size_t first_segment = first_incoming < rows ? order.SegmentOf(first_incoming) : order.segments.size();
  std::vector<Segment> reads;
  for (size_t s : restore_segments) reads.push_back(order.segments[s]);
  for (size_t s = first_segment; s < order.segments.size(); ++s) reads.push_back(order.segments[s]);

  // The buffer's pages, committed by every thread at once before the reads
  // start (a no-op after the first epoch).
  config_.slot_memory->Commit(static_cast<size_t>(std::max<int64_t>(slots, 1)) * config_.reader->Layout().slot_stride,
                              config_.pool);

  auto prefetcher = std::make_shared<Prefetcher>(config_.pool, config_.reader, std::move(reads), config_.memory.window,
                                                 [this](const Status& error) { Fail(error); });
  {
    std::lock_guard lock(mutex_);
    prefetcher_ = prefetcher;
    if (cancelled_) prefetcher->Cancel();
  }

  BatchAssembler assembler(config_.reader->Layout(), std::max<int64_t>(slots, 1), config_.slot_memory->data(),
                           config_.buffers);
  std::unique_ptr<StagedBlock> block;
  for (size_t r = 0, at = 0; r < restore_segments.size(); ++r) {
    prefetcher->Recycle(std::move(block));
    RB_ASSIGN_OR_RETURN(block, prefetcher->Next());
    if (!block) return Internal("the prefetcher ran out of blocks while restoring the buffer");
    const int64_t start = order.starts[restore_segments[r]];
    for (; at < restore.size() && order.SegmentOf(restore[at].first) == restore_segments[r]; ++at) {
      assembler.Fill(restore[at].second, *block, restore[at].first - start);
    }
  }

  // The incoming stream: `block` holds segment `current` (none yet).
  size_t current = first_segment;
  bool have_block = false;
  auto block_for = [&](int64_t position) -> Status {
    while (!have_block || position >= order.starts[current + 1]) {
      if (have_block) ++current;
      prefetcher->Recycle(std::move(block));
      RB_ASSIGN_OR_RETURN(block, prefetcher->Next());
      if (!block) return Internal("the prefetcher ran out of blocks at stream position " + std::to_string(position));
      have_block = true;
    }
    return Status::Ok();
  };
  if (config_.start_batch == 0) {
    for (int64_t position = 0; position < schedule.InitialFill(); ++position) {
      RB_RETURN_IF_ERROR(block_for(position));
      assembler.Fill(static_cast<int32_t>(position), *block, position - order.starts[current]);
    }
  }

  for (int64_t b = config_.start_batch; schedule.Next(&step); ++b) {
#ifndef NDEBUG
    RB_RETURN_IF_ERROR(SlotSchedule::CheckStep(step, schedule.NumSlots()));  // the contract the runs below rely on
#endif
    const size_t count = step.take.size();
    assembler.Begin(static_cast<int64_t>(count), config_.epoch, b);
    // Copy out and refill, in runs that never take a slot refilled earlier
    // in the same run (see Step::generation_starts); each slot is refilled
    // as soon as its row is out, while its lines are in cache.
    size_t run_begin = 0;
    for (size_t g = 0; g <= step.generation_starts.size(); ++g) {
      const size_t run_end = g < step.generation_starts.size() ? step.generation_starts[g] : count;
      const size_t fill_end = std::max(run_begin, std::min(run_end, static_cast<size_t>(step.fill_count)));
      for (size_t i = run_begin; i < fill_end;) {
        // Incoming rows are consecutive: exchange block by block.
        const int64_t position = step.fill_begin + static_cast<int64_t>(i);
        RB_RETURN_IF_ERROR(block_for(position));
        const auto rows_here = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(fill_end - i),
                                                                     order.starts[current + 1] - position));
        assembler.Exchange(static_cast<int64_t>(i), step.take.data() + i, rows_here, *block,
                           position - order.starts[current]);
        i += rows_here;
      }
      if (fill_end < run_end) {
        assembler.GatherRows(static_cast<int64_t>(fill_end), step.take.data() + fill_end, run_end - fill_end);
      }
      run_begin = run_end;
    }
    if (!queue_.Push(assembler.Finish())) return Cancelled("the loader was stopped");
  }
  return Status::Ok();
}

}  // namespace rootbatch::loader
