#include "rootbatch/loader/pipeline.hpp"

#include <pthread.h>

#include <algorithm>
#include <chrono>

#include "rootbatch/loader/batch_assembler.hpp"
#include "rootbatch/loader/prefetcher.hpp"
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

namespace {

// What an epoch reads from its first batch on (start_batch > 0: a resume):
// first the segments whose rows sit in the buffer at that point (with each
// such row's slot), then the stream from the first row not yet in it.
struct ReadPlan {
  std::vector<std::pair<int64_t, int32_t>> restore;  // (stream position, slot), by position
  std::vector<size_t> restore_segments;              // the segments holding them, in order
  size_t first_segment = 0;                          // of the incoming stream
  std::vector<Segment> reads;                        // restore_segments, then the stream's
};

// `schedule` has replayed the batches before the resume point (positions tracked).
ReadPlan PlanReads(const EpochOrder& order, SlotSchedule& schedule, bool resuming) {
  ReadPlan plan;
  if (resuming) {
    const auto& positions = schedule.SlotPositions();
    for (size_t s = 0; s < positions.size(); ++s) {
      if (positions[s] >= 0) plan.restore.emplace_back(positions[s], static_cast<int32_t>(s));
    }
    std::sort(plan.restore.begin(), plan.restore.end());
    for (const auto& [position, slot] : plan.restore) {
      const size_t segment = order.SegmentOf(position);
      if (plan.restore_segments.empty() || plan.restore_segments.back() != segment) {
        plan.restore_segments.push_back(segment);
      }
    }
    schedule.StopTracking();
  }
  const int64_t first_incoming = resuming ? schedule.NextIncoming() : 0;
  plan.first_segment = first_incoming < order.Rows() ? order.SegmentOf(first_incoming) : order.segments.size();
  for (size_t s : plan.restore_segments) plan.reads.push_back(order.segments[s]);
  for (size_t s = plan.first_segment; s < order.segments.size(); ++s) plan.reads.push_back(order.segments[s]);
  return plan;
}

// The rows arriving in stream order, one staged segment at a time from the
// prefetcher (which reads them in that order after any restore segments).
class IncomingStream {
 public:
  IncomingStream(const EpochOrder& order, Prefetcher& prefetcher, size_t first_segment,
                 std::unique_ptr<StagedBlock> block)
      : order_(order), prefetcher_(prefetcher), current_(first_segment), block_(std::move(block)) {}

  // Makes Block() the segment holding stream position `position` (forward only).
  Status Seek(int64_t position) {
    while (!have_block_ || position >= order_.starts[current_ + 1]) {
      if (have_block_) ++current_;
      prefetcher_.Recycle(std::move(block_));
      RB_ASSIGN_OR_RETURN(block_, prefetcher_.Next());
      if (!block_) return Internal("the prefetcher ran out of blocks at stream position " + std::to_string(position));
      have_block_ = true;
    }
    return Status::Ok();
  }
  const StagedBlock& Block() const { return *block_; }
  // Row of `position` within Block(), and the rows from it to the segment's end.
  int64_t RowOf(int64_t position) const { return position - order_.starts[current_]; }
  int64_t RowsToEnd(int64_t position) const { return order_.starts[current_ + 1] - position; }

 private:
  const EpochOrder& order_;
  Prefetcher& prefetcher_;
  size_t current_;
  bool have_block_ = false;
  std::unique_ptr<StagedBlock> block_;  // the last block read (recycled at the first Seek)
};

// On resume: reads the restore segments and puts each row still in the
// buffer back into its slot. Returns the last block (to recycle).
Result<std::unique_ptr<StagedBlock>> RestoreBuffer(const EpochOrder& order, const ReadPlan& plan,
                                                   Prefetcher& prefetcher, BatchAssembler& assembler) {
  std::unique_ptr<StagedBlock> block;
  for (size_t r = 0, at = 0; r < plan.restore_segments.size(); ++r) {
    prefetcher.Recycle(std::move(block));
    RB_ASSIGN_OR_RETURN(block, prefetcher.Next());
    if (!block) return Internal("the prefetcher ran out of blocks while restoring the buffer");
    const int64_t start = order.starts[plan.restore_segments[r]];
    for (; at < plan.restore.size() && order.SegmentOf(plan.restore[at].first) == plan.restore_segments[r]; ++at) {
      assembler.Fill(plan.restore[at].second, *block, plan.restore[at].first - start);
    }
  }
  return block;
}

// One batch: copies each taken slot's row out and refills the slot with the
// next incoming row at once, while its lines are in cache, in runs that
// never take a slot refilled earlier in the same run (SlotSchedule::CheckStep).
Status CopyOutAndRefill(const SlotSchedule::Step& step, IncomingStream& incoming, BatchAssembler& assembler) {
  const size_t count = step.take.size();
  size_t run_begin = 0;
  for (size_t g = 0; g <= step.generation_starts.size(); ++g) {
    const size_t run_end = g < step.generation_starts.size() ? step.generation_starts[g] : count;
    const size_t fill_end = std::max(run_begin, std::min(run_end, static_cast<size_t>(step.fill_count)));
    for (size_t i = run_begin; i < fill_end;) {
      // Incoming rows are consecutive: exchange segment by segment.
      const int64_t position = step.fill_begin + static_cast<int64_t>(i);
      RB_RETURN_IF_ERROR(incoming.Seek(position));
      const auto rows_here =
          static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(fill_end - i), incoming.RowsToEnd(position)));
      assembler.Exchange(static_cast<int64_t>(i), step.take.data() + i, rows_here, incoming.Block(),
                         incoming.RowOf(position));
      i += rows_here;
    }
    if (fill_end < run_end) {
      // The stream has ended: these slots are emptied, not refilled.
      assembler.GatherRows(static_cast<int64_t>(fill_end), step.take.data() + fill_end, run_end - fill_end);
    }
    run_begin = run_end;
  }
  return Status::Ok();
}

}  // namespace

Status Pipeline::Assemble() {
  const EpochOrder& order = *config_.order;
  const int64_t rows = order.Rows();
  const int64_t slots = std::min(config_.memory.num_slots, rows);
  const bool resuming = config_.start_batch > 0;
  SlotSchedule schedule(config_.strategy, slots, config_.batch_size, rows, config_.num_batches, config_.slot_seed,
                        /*track_positions=*/resuming);
  SlotSchedule::Step step;
  for (int64_t b = 0; b < config_.start_batch; ++b) schedule.Next(&step);  // replay (resume)
  ReadPlan plan = PlanReads(order, schedule, resuming);

  // The buffer's pages, committed by every thread at once before the reads
  // start (a no-op after the first epoch).
  config_.slot_memory->Commit(static_cast<size_t>(std::max<int64_t>(slots, 1)) * config_.reader->Layout().slot_stride,
                              config_.pool);

  auto prefetcher = std::make_shared<Prefetcher>(config_.pool, config_.reader, std::move(plan.reads),
                                                 config_.memory.window, [this](const Status& error) { Fail(error); });
  {
    std::lock_guard lock(mutex_);
    prefetcher_ = prefetcher;
    if (cancelled_) prefetcher->Cancel();
  }

  BatchAssembler assembler(config_.reader->Layout(), std::max<int64_t>(slots, 1), config_.slot_memory->data(),
                           config_.buffers);
  RB_ASSIGN_OR_RETURN(auto last_block, RestoreBuffer(order, plan, *prefetcher, assembler));
  IncomingStream incoming(order, *prefetcher, plan.first_segment, std::move(last_block));
  if (!resuming) {  // the buffer starts with the first rows
    for (int64_t position = 0; position < schedule.InitialFill(); ++position) {
      RB_RETURN_IF_ERROR(incoming.Seek(position));
      assembler.Fill(static_cast<int32_t>(position), incoming.Block(), incoming.RowOf(position));
    }
  }

  for (int64_t b = config_.start_batch; schedule.Next(&step); ++b) {
#ifndef NDEBUG
    RB_RETURN_IF_ERROR(SlotSchedule::CheckStep(step, schedule.NumSlots()));  // the contract CopyOutAndRefill relies on
#endif
    assembler.Begin(static_cast<int64_t>(step.take.size()), config_.epoch, b);
    RB_RETURN_IF_ERROR(CopyOutAndRefill(step, incoming, assembler));
    if (!queue_.Push(assembler.Finish())) return Cancelled("the loader was stopped");
  }
  return Status::Ok();
}

}  // namespace rootbatch::loader
