// BatchAssembler: the shuffle buffer's rows (one fixed-size row per slot, in
// output types) and the copying of rows between staged blocks, slots and
// batches. Used by one thread, the pipeline's assembler.
//
// A batch's fixed tensors (features, targets, weights, entries, padded
// columns, masks, ragged offsets) are carved out of ONE pooled buffer, each
// at a 64-byte aligned offset; ragged values get a second buffer.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "rootbatch/loader/batch.hpp"
#include "rootbatch/loader/block_reader.hpp"
#include "rootbatch/loader/buffer_pool.hpp"
#include "rootbatch/loader/layout.hpp"

namespace rootbatch::loader {

class BatchAssembler {
 public:
  // `slot_memory` holds num_slots x layout.slot_stride bytes, owned by the
  // caller (the loader keeps it across epochs, so pages are touched once).
  BatchAssembler(const RowLayout& layout, int64_t num_slots, uint8_t* slot_memory, std::shared_ptr<BufferPool> pool);

  // Copies row `row` of `block` into `slot`.
  void Fill(int32_t slot, const StagedBlock& block, int64_t row);
  // Starts a batch of `rows` rows; GatherRows must then cover every row.
  void Begin(int64_t rows, int64_t epoch, int64_t index);
  // Copies slots[0 .. count) into batch rows first_row, first_row + 1, ...
  // Slots are prefetched a few rows ahead of the copy, so that their cache
  // misses overlap.
  void GatherRows(int64_t first_row, const int32_t* slots, size_t count);
  // GatherRows, and each slot, once copied out, refilled at once with row
  // block_row + i of `block`: the row's lines are still in L1 then, where a
  // separate Fill pass finds them in L2 at best. `slots` must be distinct.
  void Exchange(int64_t first_row, const int32_t* slots, size_t count, const StagedBlock& block, int64_t block_row);
  // Copies `count` rows stored one after another from `rows` (`stride`
  // bytes apart) into batch rows batch_rows[0 .. count): the pieces
  // strategy's runs.
  void ScatterRows(const uint8_t* rows, size_t stride, size_t count, const int32_t* batch_rows);
  // Gives batch row `row` ragged column `column`'s values (those rows).
  void PutRagged(size_t column, int64_t row, std::vector<uint8_t> values) {
    ragged_rows_[column][static_cast<size_t>(row)] = std::move(values);
  }
  Batch Finish();

  // Bytes of the fixed part of a batch of `rows` rows (one buffer).
  static size_t BatchBytes(const RowLayout& layout, int64_t rows);

 private:
  void Prefetch(int32_t slot) const {
    // Every line the row touches: a row of 136 bytes at a random offset
    // spans three or four lines, and one left out stalls the copy.
    const auto first = reinterpret_cast<uintptr_t>(Row(slot)) & ~uintptr_t{63};
    const auto last = reinterpret_cast<uintptr_t>(Row(slot) + layout_.row_bytes - 1);
    for (uintptr_t line = first; line <= last; line += 64) __builtin_prefetch(reinterpret_cast<const void*>(line));
  }
  uint8_t* Row(int32_t slot) const { return slots_ + static_cast<size_t>(slot) * layout_.slot_stride; }
  void FillRagged(int32_t slot, const StagedBlock& block, int64_t row);
  // Copies a slot's fixed row into batch row `at`.
  void CopyOut(const uint8_t* row, size_t at) const;
  // Prefetches the first rows a copy loop reads (it prefetches the rest).
  void PrefetchFirst(const int32_t* slots, size_t count) const;

  const RowLayout& layout_;
  std::shared_ptr<BufferPool> pool_;
  uint8_t* slots_;
  std::vector<std::vector<std::vector<uint8_t>>> ragged_slots_;  // [ragged column][slot]

  // The batch being built.
  Batch batch_;
  std::vector<uint8_t*> part_dst_;
  std::vector<std::vector<std::vector<uint8_t>>> ragged_rows_;  // [ragged column][row]
  std::shared_ptr<Buffer> buffer_;
};

}  // namespace rootbatch::loader
