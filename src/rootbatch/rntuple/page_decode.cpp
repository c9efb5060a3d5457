#include "rootbatch/rntuple/page_decode.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "rootbatch/base/endian.hpp"

namespace rootbatch::rntuple {
namespace {

// Fixed storage widths of the types that have one (0: variable or none).
int FixedBits(ColumnType t) {
  switch (t) {
    case ColumnType::kBit: return 1;
    case ColumnType::kByte: case ColumnType::kChar: case ColumnType::kInt8: case ColumnType::kUInt8: return 8;
    case ColumnType::kInt16: case ColumnType::kUInt16: case ColumnType::kReal16: case ColumnType::kSplitInt16:
    case ColumnType::kSplitUInt16: case ColumnType::kSplitReal16: return 16;
    case ColumnType::kInt32: case ColumnType::kUInt32: case ColumnType::kReal32: case ColumnType::kIndex32:
    case ColumnType::kSplitInt32: case ColumnType::kSplitUInt32: case ColumnType::kSplitReal32:
    case ColumnType::kSplitIndex32: return 32;
    case ColumnType::kInt64: case ColumnType::kUInt64: case ColumnType::kReal64: case ColumnType::kIndex64:
    case ColumnType::kSplitInt64: case ColumnType::kSplitUInt64: case ColumnType::kSplitReal64:
    case ColumnType::kSplitIndex64: return 64;
    case ColumnType::kSwitch: return 96;
    default: return 0;
  }
}

bool IsSplit(ColumnType t) {
  return static_cast<uint16_t>(t) >= 0x11 && static_cast<uint16_t>(t) <= 0x1B;
}

// Byte j of element i sits at j * n + i: gather it back into element order.
// For the widths ROOT splits (2, 4, 8) each element is assembled from its
// byte planes in a register, which compilers vectorise; a byte-at-a-time
// scatter runs several times slower.
template <typename U>
void UnsplitAs(const uint8_t* in, int64_t n, uint8_t* out) {
  constexpr int kWidth = sizeof(U);
  U* dst = reinterpret_cast<U*>(out);
  for (int64_t i = 0; i < n; ++i) {
    U v = 0;
    for (int j = 0; j < kWidth; ++j) v |= static_cast<U>(in[static_cast<size_t>(j) * static_cast<size_t>(n) + i]) << (8 * j);
    dst[i] = v;
  }
}

void Unsplit(std::span<const uint8_t> in, int64_t n, int width, uint8_t* out) {
  if constexpr (std::endian::native == std::endian::little) {
    switch (width) {
      case 2: return UnsplitAs<uint16_t>(in.data(), n, out);
      case 4: return UnsplitAs<uint32_t>(in.data(), n, out);
      case 8: return UnsplitAs<uint64_t>(in.data(), n, out);
      default: break;
    }
  }
  for (int j = 0; j < width; ++j) {
    const uint8_t* plane = in.data() + static_cast<size_t>(j) * static_cast<size_t>(n);
    for (int64_t i = 0; i < n; ++i) out[static_cast<size_t>(i) * width + j] = plane[i];
  }
}

// Reads `bits` bits (<= 32) at bit position `pos`, LSB-first.
uint32_t ReadBits(std::span<const uint8_t> in, uint64_t pos, int bits) {
  uint64_t value = 0;
  int got = 0;
  while (got < bits) {
    const uint64_t byte = pos >> 3;
    const int shift = static_cast<int>(pos & 7);
    const int take = std::min(8 - shift, bits - got);
    const uint64_t chunk = (in[byte] >> shift) & ((1u << take) - 1);
    value |= chunk << got;
    got += take;
    pos += static_cast<uint64_t>(take);
  }
  return static_cast<uint32_t>(value);
}

template <typename U>
void ZigzagInPlace(uint8_t* data, int64_t n) {
  using S = std::make_signed_t<U>;
  for (int64_t i = 0; i < n; ++i) {
    U u;
    std::memcpy(&u, data + i * sizeof(U), sizeof(U));
    const S s = static_cast<S>((u >> 1) ^ (~(u & 1) + 1));
    std::memcpy(data + i * sizeof(U), &s, sizeof(S));
  }
}

}  // namespace

float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t exponent = (h >> 10) & 0x1F;
  uint32_t mantissa = h & 0x3FF;
  uint32_t bits;
  if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      int e = -1;
      do {
        ++e;
        mantissa <<= 1;
      } while ((mantissa & 0x400) == 0);
      bits = sign | (static_cast<uint32_t>(127 - 15 - e) << 23) | ((mantissa & 0x3FF) << 13);
    }
  } else if (exponent == 0x1F) {
    bits = sign | 0x7F800000u | (mantissa << 13);
  } else {
    bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  }
  return std::bit_cast<float>(bits);
}

Result<DataType> ColumnMemoryType(const ColumnRecord& column) {
  const auto t = static_cast<ColumnType>(column.type);
  const std::string name = ColumnTypeName(column.type);
  if (t == ColumnType::kSwitch) {
    return Unsupported("RNTuple column type Switch (variant) is not readable by rootbatch");
  }
  if (t == ColumnType::kReal32Trunc) {
    if (column.bits < 10 || column.bits > 31) {
      return Corrupt("RNTuple Real32Trunc column with " + std::to_string(column.bits) + " bits (10-31 allowed)");
    }
    return DataType::kFloat32;
  }
  if (t == ColumnType::kReal32Quant) {
    if (column.bits < 1 || column.bits > 32) {
      return Corrupt("RNTuple Real32Quant column with " + std::to_string(column.bits) + " bits (1-32 allowed)");
    }
    if (!column.range || !(column.range->first <= column.range->second) || !std::isfinite(column.range->first) ||
        !std::isfinite(column.range->second)) {
      return Corrupt("RNTuple Real32Quant column without a finite value range");
    }
    return DataType::kFloat32;
  }
  const int fixed = FixedBits(t);
  if (fixed == 0) return Unsupported("RNTuple column " + name + " is not a type format 1.0 defines");
  if (column.bits != fixed) {
    return Corrupt("RNTuple column " + name + " says it stores " + std::to_string(column.bits) +
                   " bits per element; the type has " + std::to_string(fixed));
  }
  switch (t) {
    case ColumnType::kBit: return DataType::kBool;
    case ColumnType::kByte: case ColumnType::kUInt8: return DataType::kUInt8;
    case ColumnType::kChar: return DataType::kChar;
    case ColumnType::kInt8: return DataType::kInt8;
    case ColumnType::kInt16: case ColumnType::kSplitInt16: return DataType::kInt16;
    case ColumnType::kUInt16: case ColumnType::kSplitUInt16: return DataType::kUInt16;
    case ColumnType::kInt32: case ColumnType::kSplitInt32: return DataType::kInt32;
    case ColumnType::kUInt32: case ColumnType::kSplitUInt32: return DataType::kUInt32;
    case ColumnType::kInt64: case ColumnType::kSplitInt64: return DataType::kInt64;
    case ColumnType::kUInt64: case ColumnType::kSplitUInt64: return DataType::kUInt64;
    case ColumnType::kReal16: case ColumnType::kSplitReal16: case ColumnType::kReal32:
    case ColumnType::kSplitReal32: return DataType::kFloat32;
    case ColumnType::kReal64: case ColumnType::kSplitReal64: return DataType::kFloat64;
    case ColumnType::kIndex32: case ColumnType::kIndex64: case ColumnType::kSplitIndex32:
    case ColumnType::kSplitIndex64: return DataType::kInt64;
    default: break;
  }
  return Unsupported("RNTuple column " + name + " is not readable by rootbatch");
}

uint64_t PageBytes(const ColumnRecord& column, int64_t n) {
  return (static_cast<uint64_t>(n) * column.bits + 7) / 8;
}

Status DecodePage(const ColumnRecord& column, std::span<const uint8_t> page, int64_t n, std::span<uint8_t> out) {
  RB_ASSIGN_OR_RETURN(DataType memory, ColumnMemoryType(column));
  const auto t = static_cast<ColumnType>(column.type);
  const size_t width = static_cast<size_t>(ByteWidth(memory));
  if (page.size() != PageBytes(column, n) || out.size() != static_cast<size_t>(n) * width) {
    return Internal("DecodePage: page of " + std::to_string(page.size()) + " bytes for " + std::to_string(n) +
                    " elements of " + ColumnTypeName(column.type));
  }
  // An empty page may come without a data pointer, which memcpy must not get.
  if (n == 0) return Status::Ok();
  switch (t) {
    case ColumnType::kBit:
      for (int64_t i = 0; i < n; ++i) out[static_cast<size_t>(i)] = (page[static_cast<size_t>(i >> 3)] >> (i & 7)) & 1;
      return Status::Ok();
    case ColumnType::kReal32Trunc:
      for (int64_t i = 0; i < n; ++i) {
        const uint32_t v = ReadBits(page, static_cast<uint64_t>(i) * column.bits, column.bits) << (32 - column.bits);
        std::memcpy(out.data() + i * 4, &v, 4);
      }
      return Status::Ok();
    case ColumnType::kReal32Quant: {
      const double lo = column.range->first, hi = column.range->second;
      const uint64_t q_max = (uint64_t{1} << column.bits) - 1;
      const double scale = (hi - lo) / static_cast<double>(q_max);
      for (int64_t i = 0; i < n; ++i) {
        const uint32_t q = ReadBits(page, static_cast<uint64_t>(i) * column.bits, column.bits);
        const double e = std::clamp(static_cast<double>(q) * scale + lo, lo, hi);
        const float v = static_cast<float>(e);
        std::memcpy(out.data() + i * 4, &v, 4);
      }
      return Status::Ok();
    }
    case ColumnType::kReal16: case ColumnType::kSplitReal16: {
      std::vector<uint8_t> raw(static_cast<size_t>(n) * 2);
      if (t == ColumnType::kSplitReal16) Unsplit(page, n, 2, raw.data());
      else std::memcpy(raw.data(), page.data(), raw.size());
      for (int64_t i = 0; i < n; ++i) {
        const float v = HalfToFloat(LoadLittleEndian<uint16_t>(raw.data() + i * 2));
        std::memcpy(out.data() + i * 4, &v, 4);
      }
      return Status::Ok();
    }
    case ColumnType::kIndex32: case ColumnType::kSplitIndex32: {
      std::vector<uint8_t> raw(static_cast<size_t>(n) * 4);
      if (t == ColumnType::kSplitIndex32) Unsplit(page, n, 4, raw.data());
      else std::memcpy(raw.data(), page.data(), raw.size());
      int64_t sum = 0;
      for (int64_t i = 0; i < n; ++i) {
        const int64_t v = LoadLittleEndian<uint32_t>(raw.data() + i * 4);
        sum = t == ColumnType::kSplitIndex32 ? sum + v : v;  // delta-encoded when split
        std::memcpy(out.data() + i * 8, &sum, 8);
      }
      return Status::Ok();
    }
    case ColumnType::kIndex64: case ColumnType::kSplitIndex64: {
      if (t == ColumnType::kSplitIndex64) Unsplit(page, n, 8, out.data());
      else std::memcpy(out.data(), page.data(), out.size());
      uint64_t sum = 0;
      for (int64_t i = 0; i < n; ++i) {
        uint64_t v = LoadLittleEndian<uint64_t>(out.data() + i * 8);
        sum = t == ColumnType::kSplitIndex64 ? sum + v : v;
        const int64_t s = static_cast<int64_t>(sum);
        std::memcpy(out.data() + i * 8, &s, 8);
      }
      return Status::Ok();
    }
    default: break;
  }
  // Plain and split fixed-width numbers: little-endian on disk.
  if (IsSplit(t)) Unsplit(page, n, static_cast<int>(width), out.data());
  else std::memcpy(out.data(), page.data(), out.size());
  if constexpr (std::endian::native != std::endian::little) {
    for (int64_t i = 0; i < n; ++i) std::reverse(out.data() + i * width, out.data() + (i + 1) * width);
  }
  switch (t) {
    case ColumnType::kSplitInt16: ZigzagInPlace<uint16_t>(out.data(), n); break;
    case ColumnType::kSplitInt32: ZigzagInPlace<uint32_t>(out.data(), n); break;
    case ColumnType::kSplitInt64: ZigzagInPlace<uint64_t>(out.data(), n); break;
    default: break;
  }
  // Bit and Bool: any nonzero byte is true (Byte/Int8 untouched).
  return Status::Ok();
}

}  // namespace rootbatch::rntuple
