#include "rootbatch/loader/scatter_shuffle.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "rootbatch/loader/batch_assembler.hpp"
#include "rootbatch/loader/pipeline.hpp"
#include "rootbatch/loader/scatter_batches.hpp"
#include "rootbatch/loader/scatter_schedule.hpp"

namespace rootbatch::loader {
namespace {

// Batches a stretch of rows reaches beyond its length in whole batches: one
// partly filled at either end, and one for the rounding of the window.
constexpr int64_t kPartialBatches = 3;

ScatterSchedule MakeSchedule(const EpochOrder& order, int64_t buffer_rows, int64_t slot_stride, int64_t batch_size,
                             int64_t num_batches, uint64_t seed) {
  return ScatterSchedule(order.Rows(), batch_size, num_batches,
                         ScatterSchedule::Lags(buffer_rows, slot_stride, batch_size), seed);
}

// One epoch's data path, shared by the assembler thread and the workers'
// tasks (which may outlive the assembly when it is cancelled: they hold it).
// The workers use `batches` (Write) and `targets[read]` of reads submitted
// to them; everything else is the assembler's.
struct ScatterRun {
  ScatterRun(ScatterSchedule schedule_in, int64_t slots, const PipelineConfig& config)
      : reader(config.reader),
        schedule(std::move(schedule_in)),
        order(config.order),
        // Its own pool, holding as many idle buffers as can be in use (the
        // ring, the queue, the consumer's): batches cycle through it and
        // never back to malloc, whose heap otherwise fragments by tens of MB
        // over an epoch of buffers allocated and freed by different threads.
        batches(reader->Layout(), slots, config.batch_size,
                BufferPool::Create(static_cast<size_t>(slots + config.queue_batches + 2))),
        epoch(config.epoch),
        first_batch(config.start_batch) {}

  // The targets of read `read` (segment first_segment + read): every row of
  // the segment, in order; rows before the first step still writing into an
  // unconsumed batch, or past the last batch, go nowhere.
  void Route(size_t read) {
    const size_t segment = first_segment + read;
    const int64_t begin = order->starts[segment];
    const int64_t end = order->starts[segment + 1];
    std::vector<ScatterTarget>& out = targets[read];
    if (!spare_targets.empty()) {
      out = std::move(spare_targets.back());
      spare_targets.pop_back();
    }
    out.assign(static_cast<size_t>(end - begin), ScatterTarget{});
    if (!failure.IsOk()) return;
    const int64_t stop = std::min(end, schedule.Rows());
    for (int64_t position = std::max(begin, first_position); position < stop; ++position) {
      while (position >= schedule.StepBegin(step + 1)) {
        ++step;
        if (!EnterStep()) return;
      }
      const ScatterSchedule::Destination& d = step_targets[static_cast<size_t>(position - schedule.StepBegin(step))];
      const int64_t batch = step + d.lag;
      if (batch < first_batch) continue;
      out[static_cast<size_t>(position - begin)] = {batches.SlotOf(batch), static_cast<uint32_t>(d.index)};
    }
  }

  // Loads step `step`'s destinations and opens the batches it reaches.
  bool EnterStep() {
    schedule.StepDestinations(step, &step_targets);
    const int64_t newest = std::min(schedule.NumBatches() - 1, step + schedule.Lags() - 1);
    for (; next_open <= newest; ++next_open) {
      if (next_open - oldest_open >= batches.Slots()) {
        failure = Internal("scatter shuffle: batch " + std::to_string(next_open) + " needs a slot while batch " +
                           std::to_string(oldest_open) + " is open, and the ring has " +
                           std::to_string(batches.Slots()) + " slots");
        return false;
      }
      batches.Open(schedule, next_open, epoch);
    }
    return true;
  }

  std::shared_ptr<const BlockReader> reader;
  ScatterSchedule schedule;
  std::shared_ptr<const EpochOrder> order;
  ScatterBatches batches;
  std::vector<std::vector<ScatterTarget>> targets;  // per read, given back once it is done
  std::vector<std::vector<ScatterTarget>> spare_targets;  // their memory, for the next reads
  int64_t epoch;
  int64_t first_batch;            // batches before it were consumed (resume)
  int64_t first_position = 0;     // where the first step still writing into first_batch or later begins
  size_t first_segment = 0;       // of the reads
  int64_t step = 0;               // of step_targets
  std::vector<ScatterSchedule::Destination> step_targets;
  int64_t next_open = 0;          // batches below it were opened
  int64_t oldest_open = 0;        // batches below it were handed out
  Status failure;                 // a routing failure (the ring too small: a bug)
};

}  // namespace

Status ScatterShuffle::Replay(const EpochOrder& order, const ScheduleParams& params,
                              const std::function<void(std::span<const int64_t>)>& batch) const {
  const ScatterSchedule schedule =
      MakeSchedule(order, params.buffer_rows, params.slot_stride, params.batch_size, params.num_batches, params.seed);
  const int64_t lags = schedule.Lags();
  std::vector<std::vector<int64_t>> open(static_cast<size_t>(lags));  // batch % lags: position by arrival index
  std::vector<ScatterSchedule::Destination> targets;
  std::vector<int32_t> rows_order;
  std::vector<int64_t> positions;
  for (int64_t step = schedule.FirstStep(); step < schedule.NumBatches(); ++step) {
    schedule.StepDestinations(step, &targets);
    const int64_t begin = schedule.StepBegin(step);
    if (static_cast<int64_t>(targets.size()) != schedule.StepBegin(step + 1) - begin) {
      return Internal("scatter schedule: step " + std::to_string(step) + " has " + std::to_string(targets.size()) +
                      " destinations for " + std::to_string(schedule.StepBegin(step + 1) - begin) + " rows");
    }
    for (size_t j = 0; j < targets.size(); ++j) {
      const int64_t b = step + targets[j].lag;
      std::vector<int64_t>& arrivals = open[static_cast<size_t>(b % lags)];
      if (arrivals.empty()) arrivals.assign(static_cast<size_t>(schedule.BatchRows(b)), -1);
      int64_t& slot = arrivals[static_cast<size_t>(targets[j].index)];
      if (slot >= 0) return Internal("scatter schedule: two rows for one place of batch " + std::to_string(b));
      slot = begin + static_cast<int64_t>(j);
    }
    if (step < 0) continue;
    // Batch `step` is complete: its arrivals in its row order.
    std::vector<int64_t>& arrivals = open[static_cast<size_t>(step % lags)];
    schedule.BatchOrder(step, &rows_order);
    positions.assign(rows_order.size(), -1);
    for (size_t i = 0; i < arrivals.size(); ++i) {
      if (arrivals[i] < 0) return Internal("scatter schedule: batch " + std::to_string(step) + " has a hole");
      positions[static_cast<size_t>(rows_order[i])] = arrivals[i];
    }
    arrivals.clear();
    batch(positions);
  }
  return Status::Ok();
}

Status ScatterShuffle::Assemble(AssemblyContext& context) const {
  const PipelineConfig& config = context.config;
  const EpochOrder& order = *config.order;
  const RowLayout& layout = config.reader->Layout();
  if (!layout.ragged.empty()) {
    return InvalidArgument("shuffle='scatter' writes fixed-size rows straight into their batches, and column '" +
                           layout.ragged.front().name +
                           "' is ragged (its rows vary in size): use shuffle='stream' (or 'pieces'), or read it "
                           "padded");
  }
  ScatterSchedule schedule = MakeSchedule(order, config.memory.num_slots, static_cast<int64_t>(layout.slot_stride),
                                          config.batch_size, config.num_batches, config.slot_seed);
  const int64_t num_batches = schedule.NumBatches();
  if (config.start_batch >= num_batches) return Status::Ok();

  // Reads: from the segment of the first step still writing into an
  // unconsumed batch (all of the stream on a fresh start) to the last row a
  // batch takes.
  const int64_t first_step = schedule.FirstStepFor(config.start_batch);
  const int64_t first_position = schedule.StepBegin(first_step);
  const size_t first_segment = order.SegmentOf(first_position);
  const size_t end_segment = order.SegmentOf(schedule.Rows() - 1) + 1;
  std::vector<Segment> reads(order.segments.begin() + static_cast<std::ptrdiff_t>(first_segment),
                             order.segments.begin() + static_cast<std::ptrdiff_t>(end_segment));
  int64_t longest = 1;
  for (size_t s = first_segment; s < end_segment; ++s) longest = std::max(longest, order.starts[s + 1] - order.starts[s]);

  // Open batches: the schedule's lags (the buffer's share of the budget),
  // plus those the reads in flight reach: while batch t waits, reads are
  // submitted up to window + 1 segments past its last row. They take
  // budget.hpp's in-flight share of staged segments (window of them) less
  // the blocks the workers are filling (one each; a worker gives its block
  // back once its rows are written), so the window is what that room holds
  // in whole batches, and at least one segment per worker (else a worker
  // idles: at small budgets this may take a batch or two beyond the share).
  // At most half the plan's window: the assembler has little to do, so a
  // shallow read-ahead keeps the workers busy (and at 256 MiB a deeper one
  // raised peak RSS from 260 to 271 MiB, the heap's share of more buffers).
  const int threads = config.pool->NumThreads();
  const int64_t batch_bytes = static_cast<int64_t>(BatchAssembler::BatchBytes(layout, config.batch_size)) +
                              4 * config.batch_size;  // and its row order
  const int64_t room = std::max<int64_t>(config.memory.window - threads, 0) * longest *
                       static_cast<int64_t>(layout.row_bytes);
  const int64_t room_batches = room / batch_bytes - kPartialBatches;
  const int window = static_cast<int>(
      std::clamp<int64_t>(room_batches * config.batch_size / longest - 1, threads, std::max(config.memory.window / 2, threads)));
  const int64_t ahead = (static_cast<int64_t>(window) + 1) * longest;
  const int64_t slots = std::min(num_batches - config.start_batch,
                                 schedule.Lags() + (ahead + config.batch_size - 1) / config.batch_size + kPartialBatches);

  auto run = std::make_shared<ScatterRun>(std::move(schedule), slots, config);
  run->targets.resize(reads.size());
  run->first_position = first_position;
  run->first_segment = first_segment;
  run->step = first_step;
  run->next_open = config.start_batch;
  run->oldest_open = config.start_batch;
  if (!run->EnterStep()) return run->failure;

  PrefetchHooks hooks;
  hooks.before_read = [raw = run.get()](size_t read) { raw->Route(read); };
  hooks.after_read = [run](size_t read, const StagedBlock& block) {
    run->batches.Write(block, run->targets[read]);
    return Status::Ok();
  };
  const size_t num_reads = reads.size();
  std::shared_ptr<Prefetcher> prefetcher = context.start_hooked_reads(std::move(reads), std::move(hooks), window);

  int64_t done_end = order.starts[first_segment];  // the stream before it is in its batches
  size_t done_reads = 0;
  for (int64_t b = config.start_batch; b < run->schedule.NumBatches(); ++b) {
    while (done_end < run->schedule.CompleteAt(b)) {
      RB_ASSIGN_OR_RETURN(bool more, prefetcher->Advance());
      RB_RETURN_IF_ERROR(run->failure);
      if (!more || done_reads >= num_reads) {
        return Internal("scatter shuffle: the reads ended at stream position " + std::to_string(done_end) +
                        " before batch " + std::to_string(b) + " was complete");
      }
      run->spare_targets.push_back(std::move(run->targets[done_reads]));
      done_end = order.starts[first_segment + ++done_reads];
    }
    Batch batch = run->batches.Close(b);
    run->oldest_open = b + 1;
    if (!context.push(std::move(batch))) return Cancelled("the loader was stopped");
  }
  return run->failure;
}

}  // namespace rootbatch::loader
