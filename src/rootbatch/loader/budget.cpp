#include "rootbatch/loader/budget.hpp"

#include <algorithm>
#include <cstdio>

#include "rootbatch/loader/batch_assembler.hpp"
#include "rootbatch/loader/shuffle.hpp"

namespace rootbatch::loader {
namespace {

constexpr int64_t kMaxWindow = 256;  // segments read ahead at most
constexpr int kTurnWorkers = 2;      // the workers turn_entries is sized for

std::string MiB(int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return text;
}

// For errors that compare sizes: exact bytes (a rounded MiB would make a
// budget and the size it falls short of look equal), then MiB to read.
std::string Bytes(int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return std::to_string(bytes) + " bytes (" + text + ")";
}

}  // namespace

std::string MemoryPlan::Describe() const {
  return "buffer " + std::to_string(num_slots) + " rows (" + MiB(buffer_bytes) + "), in flight " +
         std::to_string(window) + " x " + std::to_string(max_read_entries) + " entries (" + MiB(in_flight_bytes) +
         (fetch_bytes ? ", of which fetched ahead " + MiB(fetch_bytes) : "") + "), batches " + MiB(batches_bytes) + (resident_bytes ? ", sources " + MiB(resident_bytes) : "");
}

Result<MemoryPlan> PlanMemory(const RowLayout& layout, const LoaderOptions& options, double mean_items,
                              int64_t largest_block, double fetch_row) {
  MemoryPlan plan;
  const int64_t batch = options.batch_size;
  double ragged_row = 0;  // ragged values per row, output types
  for (const auto& part : layout.ragged) {
    ragged_row += mean_items * static_cast<double>(part.inner * ByteWidth(part.type)) + sizeof(std::vector<uint8_t>);
  }
  plan.batch_bytes = static_cast<int64_t>(BatchAssembler::BatchBytes(layout, batch)) +
                     static_cast<int64_t>(ragged_row * static_cast<double>(batch));
  plan.batches_bytes = plan.batch_bytes * (options.queue_batches + 2);
  plan.slot_bytes = static_cast<int64_t>(layout.slot_stride) + 12 + static_cast<int64_t>(ragged_row);

  // The buffer gets 7/8 of the budget less four batches (two queued, one
  // being built, one held by the consumer). It depends on nothing else, so
  // that the thread count and queue depth never change the batches.
  const int64_t share = options.memory_budget / 8;
  const int64_t fixed_batches = 4 * plan.batch_bytes;
  const int64_t buffer_room = options.memory_budget - share - fixed_batches;
  plan.num_slots = buffer_room > 0 ? buffer_room / plan.slot_bytes : 0;
  if (plan.num_slots < batch) {
    // The least budget B with B - B / 8 >= room (that is ceil(7B / 8) >= room).
    const int64_t room = fixed_batches + plan.slot_bytes * batch;
    const int64_t needed = 8 * (room - 1) / 7 + 1;
    return InvalidArgument("memory budget " + Bytes(options.memory_budget) + " is too small for batches of " +
                           std::to_string(batch) + " rows (" + Bytes(plan.batch_bytes) +
                           " each; the loader holds 4 and a buffer of at least one batch of rows); it needs at least " +
                           Bytes(needed));
  }

  // The other 1/8: reads in flight and batches queued beyond two.
  double widest_raw = 0;
  for (const auto& route : layout.routes) {
    double raw = static_cast<double>(route.inner * ByteWidth(route.spec.type));
    if (route.spec.kind == ColumnKind::kJagged) raw = raw * mean_items + 8;
    if (route.spec.kind == ColumnKind::kDoublyJagged) raw = (raw + 8) * mean_items + 8;
    widest_raw = std::max(widest_raw, raw);
  }
  // Per entry of a segment: the staged rows of every segment in the window,
  // and per worker the raw columns of its segment plus the reader's basket
  // buffers (compressed and decompressed, about twice the widest column).
  const double staged_row = static_cast<double>(layout.row_bytes) + ragged_row;
  const double read_row = static_cast<double>(layout.RawBytesPerEntry(mean_items)) + 2.0 * widest_raw;
  // Remote files: a segment's fetched bytes are held from when it enters the
  // window until its read ends (fetch_row per entry).
  auto per_entry = [&](int workers, double fetch) {
    return std::max(2, workers + 1) * (staged_row + fetch) + workers * read_row;
  };
  const int64_t read_room = share - plan.batch_bytes * std::max(0, options.queue_batches - 2);
  if (read_room < static_cast<int64_t>(per_entry(options.num_threads, fetch_row))) {
    return InvalidArgument("memory budget " + Bytes(options.memory_budget) + " leaves no room to read ahead with " +
                           std::to_string(options.queue_batches) + " queued batches of " + Bytes(plan.batch_bytes) +
                           "; queue fewer batches or raise the budget");
  }
  auto entries_for = [&](int64_t room, int workers, double fetch) {
    return std::clamp<int64_t>(static_cast<int64_t>(static_cast<double>(room) / per_entry(workers, fetch)), 1,
                               options.max_block_entries);
  };
  // Turns from the share alone (neither threads, nor queued batches, nor
  // whether the files are remote: the order, hence the batches, must not
  // depend on them); reads from what is left with this loader's threads,
  // queue and fetches.
  plan.turn_entries = entries_for(share, kTurnWorkers, 0);
  plan.max_read_entries = std::min(plan.turn_entries, entries_for(read_room, options.num_threads, fetch_row));
  plan.window = std::max(2, options.num_threads + 1);
  // Segments are no longer than the largest block: deepen the window to fill
  // the share with them.
  const int64_t segment = std::clamp<int64_t>(largest_block, 1, plan.max_read_entries);
  const double per_worker = options.num_threads * read_row * static_cast<double>(segment);
  const double per_segment = (staged_row + fetch_row) * static_cast<double>(segment);
  const auto deep = static_cast<int64_t>((static_cast<double>(read_room) - per_worker) / per_segment);
  plan.window = static_cast<int>(std::clamp<int64_t>(deep, plan.window, kMaxWindow));
  plan.in_flight_bytes = static_cast<int64_t>(
      std::max(per_entry(options.num_threads, fetch_row) * static_cast<double>(plan.max_read_entries),
               per_worker + plan.window * per_segment));
  plan.fetch_bytes = static_cast<int64_t>(fetch_row * static_cast<double>(segment) * plan.window);
  if (!ShuffleOf(options.shuffle).Mixes()) plan.num_slots = batch;  // no mixing: one batch of rows suffices
  plan.buffer_bytes = plan.num_slots * plan.slot_bytes;
  return plan;
}

}  // namespace rootbatch::loader
