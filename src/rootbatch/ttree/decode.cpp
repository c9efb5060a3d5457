#include "rootbatch/ttree/decode.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

#include "rootbatch/base/byte_swap.hpp"
#include "rootbatch/base/endian.hpp"

namespace rootbatch {
namespace {

constexpr int64_t kVectorHeaderBytes = 10;  // byte count (4) + version (2) + size (4)
constexpr int64_t kStdStringHeaderBytes = 6;  // byte count (4) + version (2)

float DecodeTruncated(const uint8_t* src, int nbits) {
  // InterpretTree refuses wider mantissas; the clamp keeps the shifts defined whatever it is given.
  nbits = std::clamp(nbits, 0, kMaxTruncatedMantissaBits);
  const uint32_t exponent = src[0];
  const uint32_t mantissa = LoadBigEndian<uint16_t>(src + 1);
  uint32_t bits = (exponent << 23) | ((mantissa & ((1u << (nbits + 1)) - 1)) << (23 - nbits));
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return (mantissa & (1u << (nbits + 1))) ? -value : value;
}

// Decodes `n` values from disk into native values of the output type.
void DecodeValues(const Interpretation& in, const uint8_t* src, int64_t n, uint8_t* dst) {
  switch (in.encoding) {
    case ValueEncoding::kPlain:
      switch (ByteWidth(in.spec.type)) {
        case 1:
          if (in.spec.type == DataType::kBool) {
            for (int64_t i = 0; i < n; ++i) dst[i] = src[i] != 0;
          } else {
            std::memcpy(dst, src, static_cast<size_t>(n));
          }
          return;
        case 2:
        case 4:
        case 8: ByteSwapCopy(src, static_cast<size_t>(n), static_cast<size_t>(ByteWidth(in.spec.type)), dst); return;
      }
      return;
    case ValueEncoding::kFloat16Range: {
      // Float16_t arithmetic is float32 throughout (matches ROOT's output).
      const float scale = static_cast<float>(in.range_max - in.range_min) / std::ldexp(1.0f, in.nbits);
      const float min = static_cast<float>(in.range_min);
      for (int64_t i = 0; i < n; ++i) {
        float value = min + static_cast<float>(LoadBigEndian<uint32_t>(src + 4 * i)) * scale;
        std::memcpy(dst + 4 * i, &value, 4);
      }
      return;
    }
    case ValueEncoding::kDouble32Range: {
      const double scale = (in.range_max - in.range_min) / std::ldexp(1.0, in.nbits);
      for (int64_t i = 0; i < n; ++i) {
        double value = in.range_min + static_cast<double>(LoadBigEndian<uint32_t>(src + 4 * i)) * scale;
        std::memcpy(dst + 8 * i, &value, 8);
      }
      return;
    }
    case ValueEncoding::kTruncated:
      for (int64_t i = 0; i < n; ++i) {
        float value = DecodeTruncated(src + 3 * i, in.nbits);
        if (in.spec.type == DataType::kFloat64) {
          double wide = value;
          std::memcpy(dst + 8 * i, &wide, 8);
        } else {
          std::memcpy(dst + 4 * i, &value, 4);
        }
      }
      return;
    case ValueEncoding::kFloatAsDouble:
      for (int64_t i = 0; i < n; ++i) {
        double wide = LoadBigEndian<float>(src + 4 * i);
        std::memcpy(dst + 8 * i, &wide, 8);
      }
      return;
  }
}

// Tag: decode through DecodeValues (every encoding that is not a plain swap).
struct ViaDecodeValues {};

// Where one entry's items start in the basket data, and how many.
struct ItemRun {
  int64_t start = 0;
  int64_t items = 0;
};

// Decodes the runs of jagged entries into the column with one resize, not
// one per entry: a per-entry resize costs more than decoding a few items.
void AppendRuns(const Interpretation& in, const uint8_t* data, std::span<const ItemRun> runs, int64_t values_per_item,
                Column& column) {
  int64_t total = 0;
  for (const ItemRun& r : runs) total += r.items;
  const int64_t width = ByteWidth(in.spec.type);
  const size_t old_size = column.values.size();
  column.values.resize(old_size + static_cast<size_t>(total * values_per_item * width));
  uint8_t* dst = column.values.data() + old_size;
  column.offsets.reserve(column.offsets.size() + runs.size());
  auto decode = [&](auto tag) {
    for (const ItemRun& r : runs) {
      const int64_t n = r.items * values_per_item;
      if constexpr (std::is_same_v<decltype(tag), ViaDecodeValues>) {
        if (n > 0) DecodeValues(in, data + r.start, n, dst);
      } else {
        // Short runs (a few jets per event) swapped inline: the bulk
        // routine's dispatch costs more than the values.
        using T = decltype(tag);
        for (int64_t k = 0; k < n; ++k) {
          const T v = LoadBigEndian<T>(data + r.start + k * static_cast<int64_t>(sizeof(T)));
          std::memcpy(dst + k * static_cast<int64_t>(sizeof(T)), &v, sizeof(T));
        }
      }
      dst += n * width;
      column.offsets.push_back(column.offsets.back() + r.items);
    }
  };
  const bool plain = in.encoding == ValueEncoding::kPlain && in.spec.type != DataType::kBool;
  if (plain && width == 4) {
    decode(uint32_t{});
  } else if (plain && width == 8) {
    decode(uint64_t{});
  } else if (plain && width == 2) {
    decode(uint16_t{});
  } else {
    decode(ViaDecodeValues{});
  }
}

// Appends `n` values decoded from `src` to the column.
void AppendValues(const Interpretation& in, const uint8_t* src, int64_t n, Column& column) {
  if (n <= 0) return;  // also keeps null pointers of empty buffers away from memcpy
  const size_t old_size = column.values.size();
  column.values.resize(old_size + static_cast<size_t>(n * ByteWidth(in.spec.type)));
  DecodeValues(in, src, n, column.values.data() + old_size);
}

Status Truncated(int64_t entry, const char* what) {
  return Corrupt(std::string(what) + " of basket entry " + std::to_string(entry) +
                 " passes the end of the basket data");
}

// Bytes of basket entry i: from the offset table, or by walking entries that
// carry their own size (vectors, strings) from the basket start.
class EntryWalker {
 public:
  EntryWalker(const Interpretation& in, const BasketData& basket) : in_(in), basket_(basket) {}

  // Sets [start, stop) of entry `i`; entries must be asked for in order.
  Status Locate(int64_t i, int64_t& start, int64_t& stop) {
    if (!basket_.offsets.empty()) {
      start = basket_.offsets[static_cast<size_t>(i)];
      stop = basket_.offsets[static_cast<size_t>(i) + 1];
      return Status::Ok();
    }
    // No offset table: walk from the previous position.
    while (next_entry_ <= i) {
      int64_t size = 0;
      RB_RETURN_IF_ERROR(EntrySize(next_entry_, position_, size));
      if (next_entry_ == i) {
        start = position_;
        stop = position_ + size;
      }
      position_ += size;
      ++next_entry_;
    }
    return Status::Ok();
  }

 private:
  Status EntrySize(int64_t entry, int64_t at, int64_t& size) {
    const auto data = basket_.Data();
    const int64_t left = static_cast<int64_t>(data.size()) - at;
    switch (in_.layout) {
      case EntryLayout::kVector:
      case EntryLayout::kVectorOfVectors:
      case EntryLayout::kStdString: {
        if (left < 4) return Truncated(entry, "header");
        uint32_t count = LoadBigEndian<uint32_t>(data.data() + at);
        if (in_.layout == EntryLayout::kStdString && !(count & 0x40000000)) {
          size = StringSize(data.data() + at, left);
        } else {
          size = 4 + (count & ~0x40000000u);
        }
        break;
      }
      case EntryLayout::kLeafString:
        size = StringSize(data.data() + at, left);
        break;
      case EntryLayout::kCharStar:
        if (left < 4) return Truncated(entry, "length");
        // A negative i32 length is no length; widened first so that 4 + INT32_MAX does not overflow.
        if (LoadBigEndian<int32_t>(data.data() + at) < 0) return Truncated(entry, "length");
        size = int64_t{4} + LoadBigEndian<int32_t>(data.data() + at);
        break;
      default:
        return Internal("entry walk for a layout without sizes");
    }
    if (size < 0 || size > left) return Truncated(entry, "entry");
    return Status::Ok();
  }

  static int64_t StringSize(const uint8_t* p, int64_t left) {
    if (left < 1) return left + 1;  // reported as truncated by the caller
    if (p[0] != 255) return 1 + p[0];
    if (left < 5) return left + 1;
    return 5 + static_cast<int64_t>(LoadBigEndian<uint32_t>(p + 1));
  }

  const Interpretation& in_;
  const BasketData& basket_;
  int64_t next_entry_ = 0;
  int64_t position_ = 0;
};

Status AppendString(const uint8_t* p, int64_t size, EntryLayout layout, int64_t entry, Column& column) {
  int64_t header = 0, length = 0;
  if (layout == EntryLayout::kCharStar) {
    if (size < 4) return Truncated(entry, "string length");
    length = LoadBigEndian<int32_t>(p);
    header = 4;
  } else {
    if (layout == EntryLayout::kStdString && size >= kStdStringHeaderBytes &&
        (p[0] & 0x40) && (LoadBigEndian<uint32_t>(p) & ~0x40000000u) == static_cast<uint32_t>(size - 4)) {
      p += kStdStringHeaderBytes;
      size -= kStdStringHeaderBytes;
    }
    if (size == 0) {
      length = 0;
    } else if (p[0] == 255) {
      if (size < 5) return Truncated(entry, "string length");
      length = LoadBigEndian<uint32_t>(p + 1);
      header = 5;
    } else {
      length = p[0];
      header = 1;
    }
  }
  if (length < 0 || header + length > size) return Truncated(entry, "string");
  column.values.insert(column.values.end(), p + header, p + header + length);
  column.offsets.push_back(column.offsets.back() + length);
  return Status::Ok();
}

// One entry of a std::vector<std::vector<T>>: the outer vector's header
// (byte count | version | i32 number of inner vectors), then for each inner
// vector an i32 size and its values, with no header of their own.
Status AppendVectorOfVectors(const Interpretation& in, const uint8_t* p, int64_t bytes, int64_t entry,
                             Column& column) {
  int64_t lists = 0;
  if (bytes > 0) {
    if (bytes < kVectorHeaderBytes) return Truncated(entry, "vector header");
    lists = LoadBigEndian<int32_t>(p + 6);
    // Each inner vector takes at least its 4-byte size.
    if (lists < 0 || lists > (bytes - kVectorHeaderBytes) / 4) {
      return Corrupt("entry " + std::to_string(entry) + " claims " + std::to_string(lists) +
                     " inner vectors in " + std::to_string(bytes) + " bytes");
    }
  }
  int64_t at = kVectorHeaderBytes;
  for (int64_t list = 0; list < lists; ++list) {
    if (bytes - at < 4) return Truncated(entry, "inner vector size");
    const int64_t items = LoadBigEndian<int32_t>(p + at);
    at += 4;
    if (items < 0 || items > (bytes - at) / in.disk_width) {
      return Corrupt("entry " + std::to_string(entry) + ", inner vector " + std::to_string(list) + " claims " +
                     std::to_string(items) + " elements in the " + std::to_string(bytes - at) + " bytes left");
    }
    AppendValues(in, p + at, items, column);
    at += items * in.disk_width;
    column.inner_offsets.push_back(column.inner_offsets.back() + items);
  }
  column.offsets.push_back(column.offsets.back() + lists);
  return Status::Ok();
}

}  // namespace

Status DecodeBasket(const Interpretation& in, const BasketData& basket, int64_t begin, int64_t end,
                    std::span<const int64_t> counts, Column& column) {
  const auto data = basket.Data();
  const int64_t data_size = static_cast<int64_t>(data.size());
  const int64_t inner = in.spec.InnerSize();
  const int64_t item_bytes = inner * in.disk_width;
  if (begin < 0 || end > basket.num_entries || begin > end) {
    return Corrupt("basket holds " + std::to_string(basket.num_entries) + " entries, entries [" +
                   std::to_string(begin) + ", " + std::to_string(end) + ") were expected in it");
  }
  if (in.spec.kind == ColumnKind::kJagged || in.spec.kind == ColumnKind::kString ||
      in.spec.kind == ColumnKind::kDoublyJagged) {
    if (column.offsets.empty()) column.offsets.push_back(0);
  }
  if (in.spec.kind == ColumnKind::kDoublyJagged && column.inner_offsets.empty()) column.inner_offsets.push_back(0);
  column.num_entries += end - begin;
  switch (in.layout) {
    case EntryLayout::kFixed: {
      if (basket.offsets.empty()) {
        // Contiguous entries: one bulk decode when this leaf fills the entry.
        const int64_t stop = end * in.entry_size;
        if (stop > data_size) return Truncated(end - 1, "value");
        if (in.leaf_offset == 0 && in.entry_size == item_bytes) {
          AppendValues(in, data.data() + begin * in.entry_size, (end - begin) * inner, column);
          return Status::Ok();
        }
        for (int64_t i = begin; i < end; ++i) {
          AppendValues(in, data.data() + i * in.entry_size + in.leaf_offset, inner, column);
        }
        return Status::Ok();
      }
      for (int64_t i = begin; i < end; ++i) {
        const int64_t start = basket.offsets[static_cast<size_t>(i)] + in.leaf_offset;
        if (start + item_bytes > data_size) return Truncated(i, "value");
        AppendValues(in, data.data() + start, inner, column);
      }
      return Status::Ok();
    }
    case EntryLayout::kCountedArray:
    case EntryLayout::kSpeedbumpArray: {
      const int64_t header = in.layout == EntryLayout::kSpeedbumpArray ? 1 : 0;
      int64_t position = 0;
      if (basket.offsets.empty()) {
        if (in.layout == EntryLayout::kSpeedbumpArray || counts.size() < static_cast<size_t>(end)) {
          return Corrupt("basket has no entry offsets and no counter to size its entries");
        }
        for (int64_t i = 0; i < begin; ++i) position += counts[static_cast<size_t>(i)] * item_bytes;
      }
      std::vector<ItemRun> runs;
      runs.reserve(static_cast<size_t>(end - begin));
      for (int64_t i = begin; i < end; ++i) {
        int64_t start, stop;
        if (!basket.offsets.empty()) {
          start = basket.offsets[static_cast<size_t>(i)];
          stop = basket.offsets[static_cast<size_t>(i) + 1];
        } else {
          start = position;
          stop = position + counts[static_cast<size_t>(i)] * item_bytes;
          position = stop;
        }
        if (stop > data_size || stop < start) return Truncated(i, "array");
        int64_t bytes = stop - start;
        if (bytes > 0 && header) {
          start += header;
          bytes -= header;
        }
        if (item_bytes == 0 || bytes % item_bytes != 0) {
          return Corrupt("entry " + std::to_string(i) + " holds " + std::to_string(bytes) +
                         " bytes, not a whole number of " + std::to_string(item_bytes) + "-byte items");
        }
        runs.push_back({start, bytes / item_bytes});
      }
      AppendRuns(in, data.data(), runs, inner, column);
      return Status::Ok();
    }
    case EntryLayout::kVector: {
      EntryWalker walker(in, basket);
      std::vector<ItemRun> runs;
      runs.reserve(static_cast<size_t>(end - begin));
      for (int64_t i = begin; i < end; ++i) {
        int64_t start = 0, stop = 0;
        RB_RETURN_IF_ERROR(walker.Locate(i, start, stop));
        if (stop > data_size || stop < start) return Truncated(i, "vector");
        const int64_t bytes = stop - start;
        int64_t items = 0;
        if (bytes > 0) {
          if (bytes < kVectorHeaderBytes) return Truncated(i, "vector header");
          items = LoadBigEndian<int32_t>(data.data() + start + 6);
          if (items < 0 || kVectorHeaderBytes + items * in.disk_width > bytes) {
            return Corrupt("entry " + std::to_string(i) + " claims " + std::to_string(items) +
                           " vector elements in " + std::to_string(bytes) + " bytes");
          }
        }
        runs.push_back({start + kVectorHeaderBytes, items});
      }
      AppendRuns(in, data.data(), runs, 1, column);
      return Status::Ok();
    }
    case EntryLayout::kVectorOfVectors: {
      EntryWalker walker(in, basket);
      for (int64_t i = begin; i < end; ++i) {
        int64_t start = 0, stop = 0;
        RB_RETURN_IF_ERROR(walker.Locate(i, start, stop));
        if (stop > data_size || stop < start) return Truncated(i, "vector");
        RB_RETURN_IF_ERROR(AppendVectorOfVectors(in, data.data() + start, stop - start, i, column));
      }
      return Status::Ok();
    }
    case EntryLayout::kLeafString:
    case EntryLayout::kStdString:
    case EntryLayout::kCharStar: {
      EntryWalker walker(in, basket);
      for (int64_t i = begin; i < end; ++i) {
        int64_t start = 0, stop = 0;
        RB_RETURN_IF_ERROR(walker.Locate(i, start, stop));
        if (stop > data_size || stop < start) return Truncated(i, "string");
        RB_RETURN_IF_ERROR(AppendString(data.data() + start, stop - start, in.layout, i, column));
      }
      return Status::Ok();
    }
  }
  return Internal("unknown entry layout");
}

}  // namespace rootbatch
