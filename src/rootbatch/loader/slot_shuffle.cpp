// The slot strategies (none, stream, cluster-chunks): a buffer of single
// rows (slots), each batch copying its slots out and refilling each at once
// with the next incoming row (SlotSchedule decides which slots).
#include "rootbatch/loader/slot_shuffle.hpp"

#include <algorithm>

#include "rootbatch/loader/batch_assembler.hpp"
#include "rootbatch/loader/incoming_stream.hpp"
#include "rootbatch/loader/pipeline.hpp"
#include "rootbatch/loader/slot_schedule.hpp"

namespace rootbatch::loader {
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

Status SlotShuffle::Replay(const EpochOrder& order, const ScheduleParams& params,
                           const std::function<void(std::span<const int64_t>)>& batch) const {
  // The assembly on positions: the buffer starts with the first rows; each
  // step copies its slots out in order and refills slot take[i] (i <
  // fill_count) with position fill_begin + i right after (the assembler's
  // runs keep exactly this order, generation_starts included).
  const int64_t slots = std::max<int64_t>(std::min(params.buffer_rows, order.Rows()), 1);
  SlotSchedule schedule(strategy_, slots, params.batch_size, order.Rows(), params.num_batches, params.seed,
                        /*track_positions=*/false);
  std::vector<int64_t> held(static_cast<size_t>(slots), -1);
  for (int64_t p = 0; p < schedule.InitialFill(); ++p) held[static_cast<size_t>(p)] = p;
  SlotSchedule::Step step;
  std::vector<int64_t> positions;
  while (schedule.Next(&step)) {
    positions.clear();
    for (size_t i = 0; i < step.take.size(); ++i) {
      int64_t& slot = held[static_cast<size_t>(step.take[i])];
      if (slot < 0) return Internal("slot schedule: a step took an empty slot");
      positions.push_back(slot);
      slot = static_cast<int64_t>(i) < step.fill_count ? step.fill_begin + static_cast<int64_t>(i) : -1;
    }
    batch(positions);
  }
  return Status::Ok();
}

Status SlotShuffle::Assemble(AssemblyContext& context) const {
  const PipelineConfig& config = context.config;
  const EpochOrder& order = *config.order;
  const int64_t rows = order.Rows();
  const int64_t slots = std::min(config.memory.num_slots, rows);
  const bool resuming = config.start_batch > 0;
  SlotSchedule schedule(strategy_, slots, config.batch_size, rows, config.num_batches, config.slot_seed,
                        /*track_positions=*/resuming);
  SlotSchedule::Step step;
  for (int64_t b = 0; b < config.start_batch; ++b) schedule.Next(&step);  // replay (resume)
  ReadPlan plan = PlanReads(order, schedule, resuming);

  // The buffer's pages, committed by every thread at once before the reads
  // start (a no-op after the first epoch).
  config.slot_memory->Commit(static_cast<size_t>(std::max<int64_t>(slots, 1)) * config.reader->Layout().slot_stride,
                             config.pool);
  std::shared_ptr<Prefetcher> prefetcher = context.start_reads(std::move(plan.reads));

  BatchAssembler assembler(config.reader->Layout(), std::max<int64_t>(slots, 1), config.slot_memory->data(),
                           config.buffers);
  RB_ASSIGN_OR_RETURN(auto last_block, RestoreBuffer(order, plan, *prefetcher, assembler));
  IncomingStream incoming(order, *prefetcher, plan.first_segment, std::move(last_block));
  if (!resuming) {  // the buffer starts with the first rows
    for (int64_t position = 0; position < schedule.InitialFill(); ++position) {
      RB_RETURN_IF_ERROR(incoming.Seek(position));
      assembler.Fill(static_cast<int32_t>(position), incoming.Block(), incoming.RowOf(position));
    }
  }

  for (int64_t b = config.start_batch; schedule.Next(&step); ++b) {
#ifndef NDEBUG
    RB_RETURN_IF_ERROR(SlotSchedule::CheckStep(step, schedule.NumSlots()));  // the contract CopyOutAndRefill relies on
#endif
    assembler.Begin(static_cast<int64_t>(step.take.size()), config.epoch, b);
    RB_RETURN_IF_ERROR(CopyOutAndRefill(step, incoming, assembler));
    if (!context.push(assembler.Finish())) return Cancelled("the loader was stopped");
  }
  return Status::Ok();
}

}  // namespace rootbatch::loader
