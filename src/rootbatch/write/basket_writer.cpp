#include "rootbatch/write/basket_writer.hpp"

#include <algorithm>
#include <cstring>

#include "rootbatch/base/endian.hpp"
#include "rootbatch/write/byte_writer.hpp"
#include "rootbatch/write/file_writer.hpp"

namespace rootbatch::write {
namespace {

constexpr int32_t kBasketFieldsSize = 19;  // TBasket fields after the key header (§4.4)
constexpr int16_t kBasketVersion = 3;

template <typename U>
void SwapCopy(const uint8_t* in, uint8_t* out, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    U v;
    std::memcpy(&v, in + i * sizeof(U), sizeof(U));
    StoreBigEndian<U>(out + i * sizeof(U), v);
  }
}

}  // namespace

BranchWriter::BranchWriter(BranchSpec spec, BasketContext context)
    : spec_(std::move(spec)),
      context_(std::move(context)),
      width_(ByteWidth(spec_.type)),
      values_per_item_(ValuesPerItem(spec_)) {
  data_.reserve(static_cast<size_t>(context_.basket_size) + 64);
}

void BranchWriter::AppendFixed(const uint8_t* values, int64_t count) {
  const size_t at = data_.size();
  data_.resize(at + static_cast<size_t>(count * width_));
  uint8_t* out = data_.data() + at;
  switch (width_) {
    case 1:
      if (spec_.type == DataType::kBool) {
        for (int64_t i = 0; i < count; ++i) out[i] = values[i] != 0 ? 1 : 0;
      } else if (count > 0) {
        std::memcpy(out, values, static_cast<size_t>(count));
      }
      break;
    case 2: SwapCopy<uint16_t>(values, out, count); break;
    case 4: SwapCopy<uint32_t>(values, out, count); break;
    case 8: SwapCopy<uint64_t>(values, out, count); break;
  }
}

Status BranchWriter::AppendEntries(const ColumnView& column, int64_t begin, int64_t end) {
  if (!IsJagged(spec_.kind)) {
    const int64_t entry_bytes = values_per_item_ * width_;
    int64_t entry = begin;
    while (entry < end) {
      // Enough whole entries to reach the basket size (at least one).
      const int64_t room = context_.basket_size - static_cast<int64_t>(data_.size());
      const int64_t fit = std::max<int64_t>(1, (room + entry_bytes - 1) / entry_bytes);
      const int64_t n = std::min(fit, end - entry);
      AppendFixed(column.values.data() + entry * entry_bytes, n * values_per_item_);
      basket_entries_ += static_cast<int32_t>(n);
      num_entries_ += n;
      entry += n;
      if (BasketFull()) RB_RETURN_IF_ERROR(FlushBasket());
    }
    return Status::Ok();
  }

  const int64_t first_item = column.offsets[0];
  const bool is_vector = spec_.kind == BranchKind::kVector;
  for (int64_t entry = begin; entry < end; ++entry) {
    const int64_t items = column.offsets[entry + 1] - column.offsets[entry];
    const int64_t count = items * values_per_item_;
    entry_offsets_.push_back(static_cast<int32_t>(data_.size()));
    if (is_vector) {
      // bc + version + size: the 10 bytes ROOT puts before each vector.
      uint8_t header[10];
      StoreBigEndian<uint32_t>(header, kByteCountMask | static_cast<uint32_t>(6 + count * width_));
      StoreBigEndian<int16_t>(header + 4, kVectorEntryVersion);
      StoreBigEndian<int32_t>(header + 6, static_cast<int32_t>(count));
      data_.insert(data_.end(), header, header + 10);
    }
    const int64_t value_index = (column.offsets[entry] - first_item) * values_per_item_;
    AppendFixed(column.values.data() + value_index * width_, count);
    ++basket_entries_;
    ++num_entries_;
    if (BasketFull()) RB_RETURN_IF_ERROR(FlushBasket());
  }
  return Status::Ok();
}

Status BranchWriter::FlushBasket() {
  if (basket_entries_ == 0) return Status::Ok();
  FileWriter& file = *context_.file;
  KeyHeader key = file.NewKey("TBasket", spec_.name, context_.tree_name, context_.directory,
                              kBasketFieldsSize, /*force_large=*/true);
  const int32_t keylen = key.keylen;
  const int32_t last = keylen + static_cast<int32_t>(data_.size());  // fLast

  std::span<const uint8_t> payload(data_);
  const bool jagged = IsJagged(spec_.kind);
  if (jagged) {
    // Data, then the offset table: n = fNevBuf + 1, offsets counted from the
    // key start, the last one being the end of the data.
    payload_.assign(data_.begin(), data_.end());
    ByteWriter table;
    table.Reserve(4 * (entry_offsets_.size() + 2));
    table.PutI32(basket_entries_ + 1);
    for (int32_t offset : entry_offsets_) table.PutI32(keylen + offset);
    table.PutI32(last);
    payload_.insert(payload_.end(), table.Bytes().begin(), table.Bytes().end());
    payload = payload_;
  }
  key.cycle = static_cast<int16_t>(basket_bytes_.size() & 0x7fff);

  ByteWriter fields;
  fields.PutI16(kBasketVersion);
  fields.PutI32(std::max<int32_t>(context_.basket_size, keylen + static_cast<int32_t>(payload.size())));  // fBufferSize
  const int32_t nev_buf_size =
      jagged ? std::max(kJaggedEntryOffsetLen, basket_entries_ + 1) : static_cast<int32_t>(values_per_item_ * width_);
  fields.PutI32(nev_buf_size);  // fNevBufSize
  fields.PutI32(basket_entries_);  // fNevBuf
  fields.PutI32(last);             // fLast
  fields.PutU8(0);                 // flag: basket on disk

  RB_RETURN_IF_ERROR(file.WriteKey(key, fields.Bytes(), payload, context_.compression, nullptr));

  basket_bytes_.push_back(key.nbytes);
  basket_entry_.push_back(basket_first_entry_);
  basket_seek_.push_back(key.seek_key);
  tot_bytes_ += static_cast<int64_t>(key.objlen) + keylen;
  zip_bytes_ += key.nbytes;

  basket_first_entry_ = num_entries_;
  basket_entries_ = 0;
  data_.clear();
  entry_offsets_.clear();
  return Status::Ok();
}

}  // namespace rootbatch::write
