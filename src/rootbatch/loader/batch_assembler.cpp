#include "rootbatch/loader/batch_assembler.hpp"

#include <cstring>

#include "rootbatch/loader/row_copy.hpp"

namespace rootbatch::loader {
namespace {

size_t Align64(size_t value) { return (value + kBufferAlignment - 1) / kBufferAlignment * kBufferAlignment; }

Tensor MakeTensor(std::string name, DataType dtype, std::vector<int64_t> shape, const std::shared_ptr<Buffer>& buffer,
                  size_t offset) {
  Tensor tensor;
  tensor.name = std::move(name);
  tensor.dtype = dtype;
  tensor.strides = RowMajorStrides(shape);
  tensor.shape = std::move(shape);
  tensor.data = buffer->data() + offset;
  tensor.owner = buffer;
  return tensor;
}

}  // namespace

BatchAssembler::BatchAssembler(const RowLayout& layout, int64_t num_slots, uint8_t* slot_memory,
                               std::shared_ptr<BufferPool> pool)
    : layout_(layout),
      pool_(std::move(pool)),
      slots_(slot_memory),
      ragged_slots_(layout.ragged.size()),
      ragged_rows_(layout.ragged.size()) {
  for (auto& column : ragged_slots_) column.resize(static_cast<size_t>(num_slots));
}

size_t BatchAssembler::BatchBytes(const RowLayout& layout, int64_t rows) {
  size_t bytes = 0;
  for (const auto& part : layout.parts) bytes = Align64(bytes) + part.bytes * static_cast<size_t>(rows);
  for (size_t r = 0; r < layout.ragged.size(); ++r) {
    bytes = Align64(bytes) + sizeof(int64_t) * static_cast<size_t>(rows + 1);  // offsets
  }
  return Align64(bytes);
}

void BatchAssembler::Fill(int32_t slot, const StagedBlock& block, int64_t row) {
  CopySmall(Row(slot), block.fixed.get() + static_cast<size_t>(row) * layout_.row_bytes, layout_.row_bytes);
  FillRagged(slot, block, row);
}

void BatchAssembler::FillRagged(int32_t slot, const StagedBlock& block, int64_t row) {
  for (size_t c = 0; c < layout_.ragged.size(); ++c) {
    const StagedBlock::Ragged& source = block.ragged[c];
    const size_t item_bytes = static_cast<size_t>(layout_.ragged[c].inner * ByteWidth(layout_.ragged[c].type));
    const size_t begin = static_cast<size_t>(source.offsets[static_cast<size_t>(row)]) * item_bytes;
    const size_t end = static_cast<size_t>(source.offsets[static_cast<size_t>(row) + 1]) * item_bytes;
    ragged_slots_[c][static_cast<size_t>(slot)].assign(source.values.begin() + static_cast<std::ptrdiff_t>(begin),
                                                       source.values.begin() + static_cast<std::ptrdiff_t>(end));
  }
}

void BatchAssembler::Begin(int64_t rows, int64_t epoch, int64_t index) {
  buffer_ = pool_->Acquire(BatchBytes(layout_, rows));
  batch_ = Batch();
  batch_.epoch = epoch;
  batch_.index = index;
  batch_.num_rows = rows;
  batch_.padded.resize(layout_.padded_parts.size());
  batch_.masks.resize(layout_.padded_parts.size());
  part_dst_.assign(layout_.parts.size(), nullptr);

  size_t offset = 0;
  auto place = [&](size_t p) -> Tensor {
    const RowPart& part = layout_.parts[p];
    offset = Align64(offset);
    std::vector<int64_t> shape = {rows};
    shape.insert(shape.end(), part.shape.begin(), part.shape.end());
    Tensor tensor = MakeTensor(part.name, part.type, std::move(shape), buffer_, offset);
    part_dst_[p] = buffer_->data() + offset;
    offset += part.bytes * static_cast<size_t>(rows);
    return tensor;
  };
  for (size_t p = 0; p < layout_.parts.size(); ++p) {
    Tensor tensor = place(p);
    if (p == 0) {
      batch_.features = std::move(tensor);
    } else if (static_cast<int>(p) == layout_.targets_part) {
      batch_.targets = std::move(tensor);
    } else if (static_cast<int>(p) == layout_.weights_part) {
      batch_.weights = std::move(tensor);
    } else if (static_cast<int>(p) == layout_.entries_part) {
      batch_.entries = std::move(tensor);
    } else {
      for (size_t j = 0; j < layout_.padded_parts.size(); ++j) {
        if (layout_.padded_parts[j] == static_cast<int>(p)) batch_.padded[j] = tensor;
        if (layout_.mask_parts[j] == static_cast<int>(p)) batch_.masks[j] = tensor;
      }
    }
  }
  batch_.ragged.resize(layout_.ragged.size());
  for (size_t c = 0; c < layout_.ragged.size(); ++c) {
    offset = Align64(offset);
    batch_.ragged[c].name = layout_.ragged[c].name;
    batch_.ragged[c].offsets = MakeTensor(layout_.ragged[c].name + "_offsets", DataType::kInt64, {rows + 1}, buffer_, offset);
    offset += sizeof(int64_t) * static_cast<size_t>(rows + 1);
    ragged_rows_[c].resize(static_cast<size_t>(rows));
  }
}

// Rows sit at random places of a buffer far larger than the caches: each
// costs a miss. Prefetching a fixed distance ahead of the copy keeps several
// misses in flight; prefetching all rows first does not work, as the CPU
// drops prefetches once its miss buffers are full. 12 rows (36-48 lines) was
// best among 6 to 48 on the machine of docs/benchmarks.md.
constexpr size_t kLookahead = 12;

void BatchAssembler::PrefetchFirst(const int32_t* slots, size_t count) const {
  for (size_t i = 0; i < count && i < kLookahead; ++i) Prefetch(slots[i]);
}

void BatchAssembler::CopyOut(const uint8_t* row, size_t at) const {
  const size_t num_parts = layout_.parts.size();
  for (size_t p = 0; p < num_parts; ++p) {
    const RowPart& part = layout_.parts[p];
    CopySmall(part_dst_[p] + at * part.bytes, row + part.offset, part.bytes);
  }
}

void BatchAssembler::GatherRows(int64_t first_row, const int32_t* slots, size_t count) {
  PrefetchFirst(slots, count);
  for (size_t i = 0; i < count; ++i) {
    if (i + kLookahead < count) Prefetch(slots[i + kLookahead]);
    CopyOut(Row(slots[i]), static_cast<size_t>(first_row) + i);
  }
  for (size_t c = 0; c < layout_.ragged.size(); ++c) {
    // The slots are refilled next; take their vectors rather than copy them.
    for (size_t i = 0; i < count; ++i) {
      ragged_rows_[c][static_cast<size_t>(first_row) + i] = std::move(ragged_slots_[c][static_cast<size_t>(slots[i])]);
    }
  }
}

void BatchAssembler::Exchange(int64_t first_row, const int32_t* slots, size_t count, const StagedBlock& block,
                              int64_t block_row) {
  PrefetchFirst(slots, count);
  const uint8_t* incoming = block.fixed.get() + static_cast<size_t>(block_row) * layout_.row_bytes;
  for (size_t i = 0; i < count; ++i) {
    if (i + kLookahead < count) Prefetch(slots[i + kLookahead]);
    uint8_t* row = Row(slots[i]);
    CopyOut(row, static_cast<size_t>(first_row) + i);
    CopySmall(row, incoming + i * layout_.row_bytes, layout_.row_bytes);
  }
  if (layout_.ragged.empty()) return;
  for (size_t i = 0; i < count; ++i) {
    const auto slot = static_cast<size_t>(slots[i]);
    for (size_t c = 0; c < layout_.ragged.size(); ++c) {
      ragged_rows_[c][static_cast<size_t>(first_row) + i] = std::move(ragged_slots_[c][slot]);
    }
    FillRagged(slots[i], block, block_row + static_cast<int64_t>(i));
  }
}

void BatchAssembler::ScatterRows(const uint8_t* rows, size_t stride, size_t count, const int32_t* batch_rows) {
  // The rows are contiguous (and prefetched by the caller); the batch (a few
  // hundred KiB) is in L2, where the scattered writes land.
  for (size_t i = 0; i < count; ++i) CopyOut(rows + i * stride, static_cast<size_t>(batch_rows[i]));
}

Batch BatchAssembler::Finish() {
  if (!layout_.ragged.empty()) {
    size_t total = 0;
    for (size_t c = 0; c < layout_.ragged.size(); ++c) {
      total = Align64(total);
      for (const auto& piece : ragged_rows_[c]) total += piece.size();
    }
    std::shared_ptr<Buffer> values = pool_->Acquire(std::max<size_t>(total, 1));
    size_t offset = 0;
    for (size_t c = 0; c < layout_.ragged.size(); ++c) {
      const RaggedPart& part = layout_.ragged[c];
      const size_t item_bytes = static_cast<size_t>(part.inner * ByteWidth(part.type));
      offset = Align64(offset);
      const size_t start = offset;
      auto* offsets = static_cast<int64_t*>(batch_.ragged[c].offsets.data);
      offsets[0] = 0;
      for (size_t r = 0; r < ragged_rows_[c].size(); ++r) {
        const auto& piece = ragged_rows_[c][r];
        if (!piece.empty()) std::memcpy(values->data() + offset, piece.data(), piece.size());
        offset += piece.size();
        offsets[r + 1] = offsets[r] + static_cast<int64_t>(piece.size() / item_bytes);
      }
      std::vector<int64_t> shape = {offsets[ragged_rows_[c].size()]};
      shape.insert(shape.end(), part.item_shape.begin(), part.item_shape.end());
      batch_.ragged[c].values = MakeTensor(part.name, part.type, std::move(shape), values, start);
      ragged_rows_[c].clear();
    }
  }
  buffer_.reset();
  return std::move(batch_);
}

}  // namespace rootbatch::loader
