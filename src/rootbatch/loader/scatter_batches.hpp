// ScatterBatches: the open batches of the scatter strategy
// (scatter_schedule.hpp), in a ring of slots, and the workers' write of a
// staged block's rows straight into them.
//
// Threading: Open and Close run on the assembler thread; Write runs on the
// workers, concurrently, each row to a different place. A batch is written
// only by reads submitted after it was opened (the submission orders Open
// before the write) and closed only after every read writing into it is
// done (the prefetcher's hand-over orders the write before Close), so a
// slot is never reopened while a worker may still write into it. Two
// workers may write neighbouring rows of one batch: distinct bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "rootbatch/loader/batch.hpp"
#include "rootbatch/loader/batch_assembler.hpp"
#include "rootbatch/loader/block_reader.hpp"
#include "rootbatch/loader/buffer_pool.hpp"
#include "rootbatch/loader/layout.hpp"
#include "rootbatch/loader/scatter_schedule.hpp"

namespace rootbatch::loader {

// Where a staged row goes: ring slot and arrival index (its batch row is
// the batch's order at that index); kSkip: nowhere (a consumed batch on
// resume, or a row past the epoch's batches).
struct ScatterTarget {
  static constexpr uint32_t kSkip = ~uint32_t{0};
  uint32_t slot = kSkip;
  uint32_t index = 0;
};

class ScatterBatches {
 public:
  ScatterBatches(const RowLayout& layout, int64_t slots, int64_t batch_size, std::shared_ptr<BufferPool> pool);

  int64_t Slots() const { return slots_; }
  uint32_t SlotOf(int64_t batch) const { return static_cast<uint32_t>(batch % slots_); }

  // Takes a batch buffer for `batch` (schedule.BatchRows(batch) rows) into
  // its slot, with its row order.
  void Open(const ScatterSchedule& schedule, int64_t batch, int64_t epoch);
  // Hands `batch` out (every row written) and frees its slot.
  Batch Close(int64_t batch);

  // Copies rows 0 .. targets.size() - 1 of `block` to their targets.
  void Write(const StagedBlock& block, std::span<const ScatterTarget> targets) const;

 private:
  const RowLayout& layout_;
  int64_t slots_;
  int64_t batch_size_;
  BatchAssembler assembler_;  // carves a batch's tensors out of one pooled buffer
  std::vector<Batch> open_;            // per slot
  std::vector<uint8_t*> part_base_;    // [slot][part]: where the part's rows start
  std::vector<int32_t> order_;         // [slot][arrival index]: batch row
  std::vector<size_t> part_bytes_;
  std::vector<size_t> part_offset_;
  std::vector<int32_t> scratch_order_;  // Open's
};

}  // namespace rootbatch::loader
