#include "rootbatch/loader/scatter_batches.hpp"

#include <algorithm>

#include "rootbatch/loader/row_copy.hpp"

namespace rootbatch::loader {
namespace {

// Where part `p` of the layout starts in `batch` (the tensor
// BatchAssembler::Begin placed it in).
uint8_t* PartData(const RowLayout& layout, const Batch& batch, size_t p) {
  const int part = static_cast<int>(p);
  if (p == 0) return static_cast<uint8_t*>(batch.features.data);
  if (part == layout.targets_part) return static_cast<uint8_t*>(batch.targets->data);
  if (part == layout.weights_part) return static_cast<uint8_t*>(batch.weights->data);
  if (part == layout.entries_part) return static_cast<uint8_t*>(batch.entries.data);
  for (size_t j = 0; j < layout.padded_parts.size(); ++j) {
    if (layout.padded_parts[j] == part) return static_cast<uint8_t*>(batch.padded[j].data);
    if (layout.mask_parts[j] == part) return static_cast<uint8_t*>(batch.masks[j]->data);
  }
  return nullptr;
}

// Rows resolved per pass (their batch rows looked up first, so that those
// lookups overlap), and rows whose destination lines are prefetched ahead
// of the copy: each row is written to a random place of the open batches,
// a few lines per part, and a miss not started early stalls the copy.
constexpr size_t kTile = 256;
constexpr size_t kAhead = 8;

}  // namespace

ScatterBatches::ScatterBatches(const RowLayout& layout, int64_t slots, int64_t batch_size,
                               std::shared_ptr<BufferPool> pool)
    : layout_(layout),
      slots_(std::max<int64_t>(slots, 1)),
      batch_size_(std::max<int64_t>(batch_size, 1)),
      assembler_(layout, 0, nullptr, std::move(pool)),
      open_(static_cast<size_t>(slots_)),
      part_base_(static_cast<size_t>(slots_) * layout.parts.size(), nullptr),
      order_(static_cast<size_t>(slots_ * batch_size_), 0) {
  for (const RowPart& part : layout.parts) {
    part_bytes_.push_back(part.bytes);
    part_offset_.push_back(part.offset);
  }
}

void ScatterBatches::Open(const ScatterSchedule& schedule, int64_t batch, int64_t epoch) {
  const size_t slot = SlotOf(batch);
  assembler_.Begin(schedule.BatchRows(batch), epoch, batch);
  open_[slot] = assembler_.Finish();  // no ragged parts: the tensors only
  const size_t parts = part_bytes_.size();
  for (size_t p = 0; p < parts; ++p) part_base_[slot * parts + p] = PartData(layout_, open_[slot], p);
  schedule.BatchOrder(batch, &scratch_order_);
  std::copy(scratch_order_.begin(), scratch_order_.end(),
            order_.begin() + static_cast<std::ptrdiff_t>(slot * static_cast<size_t>(batch_size_)));
}

Batch ScatterBatches::Close(int64_t batch) {
  Batch out = std::move(open_[SlotOf(batch)]);
  open_[SlotOf(batch)] = Batch();
  return out;
}

void ScatterBatches::Write(const StagedBlock& block, std::span<const ScatterTarget> targets) const {
  const size_t parts = part_bytes_.size();
  const size_t row_bytes = layout_.row_bytes;
  const auto batch = static_cast<size_t>(batch_size_);
  uint32_t slot_of[kTile];
  int64_t row_of[kTile];
  auto prefetch = [&](size_t i) {
    if (row_of[i] < 0) return;
    uint8_t* const* base = part_base_.data() + slot_of[i] * parts;
    for (size_t p = 0; p < parts; ++p) {
      const auto first = reinterpret_cast<uintptr_t>(base[p] + static_cast<size_t>(row_of[i]) * part_bytes_[p]);
      for (uintptr_t line = first & ~uintptr_t{63}; line < first + part_bytes_[p]; line += 64) {
        __builtin_prefetch(reinterpret_cast<const void*>(line), 1);
      }
    }
  };
  for (size_t t = 0; t < targets.size(); t += kTile) {
    const size_t count = std::min(kTile, targets.size() - t);
    for (size_t i = 0; i < count; ++i) {
      const ScatterTarget& target = targets[t + i];
      slot_of[i] = target.slot;
      row_of[i] = target.slot == ScatterTarget::kSkip ? -1 : order_[target.slot * batch + target.index];
    }
    for (size_t i = 0; i < count && i < kAhead; ++i) prefetch(i);
    const uint8_t* rows = block.fixed.get() + t * row_bytes;
    for (size_t i = 0; i < count; ++i) {
      if (i + kAhead < count) prefetch(i + kAhead);
      if (row_of[i] < 0) continue;
      uint8_t* const* base = part_base_.data() + slot_of[i] * parts;
      const auto row = static_cast<size_t>(row_of[i]);
      for (size_t p = 0; p < parts; ++p) {
        CopySmall(base[p] + row * part_bytes_[p], rows + i * row_bytes + part_offset_[p], part_bytes_[p]);
      }
    }
  }
}

}  // namespace rootbatch::loader
