#include "rootbatch/loader/piece_shuffle.hpp"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "rootbatch/loader/incoming_stream.hpp"
#include "rootbatch/loader/piece_buffer.hpp"
#include "rootbatch/loader/piece_schedule.hpp"
#include "rootbatch/loader/pipeline.hpp"

namespace rootbatch::loader {
namespace {

// Pages of about 4 KiB of rows, and no more than a 800th of the buffer: the
// order's pieces hold about a 100th of it (pieces_per_buffer), so a piece
// spans eight pages or more and the part of a page it leaves unused is small.
constexpr int64_t kPageBytes = 4096;
constexpr int64_t kPagesPerPiece = 8;

PieceSchedule MakeSchedule(const EpochOrder& order, int64_t buffer_rows, int64_t slot_stride, int64_t batch_size,
                           int64_t num_batches, uint64_t seed) {
  return PieceSchedule(order.starts, buffer_rows, PieceShuffle::PageRows(slot_stride, buffer_rows), batch_size,
                       num_batches, seed);
}

}  // namespace

int64_t PieceShuffle::PageRows(int64_t slot_stride, int64_t buffer_rows) {
  const int64_t by_bytes = kPageBytes / std::max<int64_t>(slot_stride, 1);
  const int64_t by_pieces = buffer_rows / (100 * kPagesPerPiece);
  return std::max<int64_t>(std::min(by_bytes, by_pieces), 1);
}

Status PieceShuffle::Replay(const EpochOrder& order, const ScheduleParams& params,
                            const std::function<void(std::span<const int64_t>)>& batch) const {
  PieceSchedule schedule =
      MakeSchedule(order, params.buffer_rows, params.slot_stride, params.batch_size, params.num_batches, params.seed);
  std::unordered_map<int64_t, std::pair<int64_t, std::vector<int32_t>>> resident;  // id -> (begin, order)
  PieceSchedule::Step step;
  std::vector<int64_t> positions;
  while (schedule.Next(&step)) {
    for (const PieceSchedule::Unit& unit : step.entered) {
      auto& [begin, rows] = resident[unit.id];
      begin = unit.begin;
      PieceSchedule::UnitOrder(unit, &rows);
    }
    positions.assign(step.rows.size(), -1);
    size_t at = 0;
    for (const PieceSchedule::Run& run : step.runs) {
      auto it = resident.find(run.unit);
      if (it == resident.end()) return Internal("piece schedule: a run of a unit not in the buffer");
      const auto& [begin, rows] = it->second;
      for (int64_t k = 0; k < run.count; ++k) {
        positions[static_cast<size_t>(step.rows[at++])] = begin + rows[static_cast<size_t>(run.first + k)];
      }
    }
    for (int64_t id : step.drained) resident.erase(id);
    batch(positions);
  }
  return schedule.Failure();
}

Status PieceShuffle::Assemble(AssemblyContext& context) const {
  const PipelineConfig& config = context.config;
  const EpochOrder& order = *config.order;
  const RowLayout& layout = config.reader->Layout();
  PieceSchedule schedule = MakeSchedule(order, config.memory.num_slots, static_cast<int64_t>(layout.slot_stride),
                                        config.batch_size, config.num_batches, config.slot_seed);
  PieceSchedule::Step step;
  for (int64_t b = 0; b < config.start_batch; ++b) schedule.Next(&step);  // replay (resume)
  RB_RETURN_IF_ERROR(schedule.Failure());

  // Reads: on resume the segments of the units in the buffer, then the
  // stream from the first row not yet entered.
  const std::vector<PieceSchedule::Unit> restore = schedule.Resident();
  std::vector<size_t> restore_segments;
  for (const PieceSchedule::Unit& unit : restore) {
    const size_t segment = order.SegmentOf(unit.begin);
    if (restore_segments.empty() || restore_segments.back() != segment) restore_segments.push_back(segment);
  }
  const size_t first_segment =
      schedule.NextPosition() < order.Rows() ? order.SegmentOf(schedule.NextPosition()) : order.segments.size();
  std::vector<Segment> reads;
  for (size_t s : restore_segments) reads.push_back(order.segments[s]);
  for (size_t s = first_segment; s < order.segments.size(); ++s) reads.push_back(order.segments[s]);

  const int64_t used_rows = std::min(config.memory.num_slots, order.Rows());
  config.slot_memory->Commit(static_cast<size_t>(std::max<int64_t>(used_rows, 1)) * layout.slot_stride, config.pool);
  std::shared_ptr<Prefetcher> prefetcher = context.start_reads(std::move(reads));

  BatchAssembler assembler(layout, 0, config.slot_memory->data(), config.buffers);
  PieceBuffer buffer(layout, schedule.TotalPages(), schedule.PageRows(), config.slot_memory->data());
  std::vector<int32_t> unit_order;

  std::unique_ptr<StagedBlock> block;
  for (size_t u = 0, r = 0; u < restore.size(); ++u) {
    const size_t segment = order.SegmentOf(restore[u].begin);
    while (!block || restore_segments[r - 1] != segment) {
      prefetcher->Recycle(std::move(block));
      RB_ASSIGN_OR_RETURN(block, prefetcher->Next());
      if (!block) return Internal("the prefetcher ran out of blocks while restoring the buffer");
      ++r;
    }
    PieceSchedule::UnitOrder(restore[u], &unit_order);
    RB_RETURN_IF_ERROR(buffer.Enter(restore[u], restore[u].taken, unit_order, *block,
                                    restore[u].begin - order.starts[segment]));
  }
  IncomingStream incoming(order, *prefetcher, first_segment, std::move(block));

  for (int64_t b = config.start_batch; schedule.Next(&step); ++b) {
#ifndef NDEBUG
    RB_RETURN_IF_ERROR(PieceSchedule::CheckStep(step));
#endif
    for (const PieceSchedule::Unit& unit : step.entered) {
      RB_RETURN_IF_ERROR(incoming.Seek(unit.begin));
      PieceSchedule::UnitOrder(unit, &unit_order);
      RB_RETURN_IF_ERROR(buffer.Enter(unit, 0, unit_order, incoming.Block(), incoming.RowOf(unit.begin)));
    }
    assembler.Begin(static_cast<int64_t>(step.rows.size()), config.epoch, b);
    RB_RETURN_IF_ERROR(buffer.TakeRuns(step, assembler));
    if (!context.push(assembler.Finish())) return Cancelled("the loader was stopped");
  }
  return schedule.Failure();
}

}  // namespace rootbatch::loader
