#include "rootbatch/write/rntuple_column.hpp"

#include <cstring>
#include <type_traits>

#include "rootbatch/base/endian.hpp"

namespace rootbatch::write {
namespace {

using T = RNTupleColumnType;

enum class Transform { kNone, kZigzag, kDelta };

struct Encoding {
  int bytes = 0;  // element width on storage (0 for Bit)
  bool split = false;
  Transform transform = Transform::kNone;
};

Encoding EncodingOf(RNTupleColumnType type) {
  switch (type) {
    case T::kBit: return {0, false, Transform::kNone};
    case T::kChar: case T::kInt8: case T::kUInt8: return {1, false, Transform::kNone};
    case T::kInt16: case T::kUInt16: return {2, false, Transform::kNone};
    case T::kInt32: case T::kUInt32: case T::kReal32: return {4, false, Transform::kNone};
    case T::kInt64: case T::kUInt64: case T::kReal64: case T::kIndex64: return {8, false, Transform::kNone};
    case T::kSplitInt16: return {2, true, Transform::kZigzag};
    case T::kSplitUInt16: return {2, true, Transform::kNone};
    case T::kSplitInt32: return {4, true, Transform::kZigzag};
    case T::kSplitUInt32: case T::kSplitReal32: return {4, true, Transform::kNone};
    case T::kSplitInt64: return {8, true, Transform::kZigzag};
    case T::kSplitUInt64: case T::kSplitReal64: return {8, true, Transform::kNone};
    case T::kSplitIndex64: return {8, true, Transform::kDelta};
  }
  return {};
}

// Little-endian elements of width U, with the page transform applied.
template <typename U>
void Transformed(std::span<const uint8_t> in, size_t n, Transform transform, uint8_t* out) {
  static_assert(std::is_unsigned_v<U>);
  U previous = 0;
  for (size_t i = 0; i < n; ++i) {
    U v;
    std::memcpy(&v, in.data() + i * sizeof(U), sizeof(U));
    if (transform == Transform::kZigzag) {
      // (v << 1) ^ (v >> (bits - 1)) with an arithmetic shift of the signed value.
      using S = std::make_signed_t<U>;
      const U sign = static_cast<U>(static_cast<S>(v) < 0 ? ~U{0} : U{0});
      v = static_cast<U>((v << 1) ^ sign);
    } else if (transform == Transform::kDelta) {
      const U value = v;
      v = static_cast<U>(v - previous);
      previous = value;
    }
    StoreLittleEndian<U>(out + i * sizeof(U), v);
  }
}

}  // namespace

std::string_view ColumnTypeName(RNTupleColumnType type) {
  switch (type) {
    case T::kBit: return "Bit";
    case T::kChar: return "Char";
    case T::kInt8: return "Int8";
    case T::kUInt8: return "UInt8";
    case T::kInt16: return "Int16";
    case T::kUInt16: return "UInt16";
    case T::kInt32: return "Int32";
    case T::kUInt32: return "UInt32";
    case T::kInt64: return "Int64";
    case T::kUInt64: return "UInt64";
    case T::kReal32: return "Real32";
    case T::kReal64: return "Real64";
    case T::kIndex64: return "Index64";
    case T::kSplitInt16: return "SplitInt16";
    case T::kSplitUInt16: return "SplitUInt16";
    case T::kSplitInt32: return "SplitInt32";
    case T::kSplitUInt32: return "SplitUInt32";
    case T::kSplitInt64: return "SplitInt64";
    case T::kSplitUInt64: return "SplitUInt64";
    case T::kSplitReal32: return "SplitReal32";
    case T::kSplitReal64: return "SplitReal64";
    case T::kSplitIndex64: return "SplitIndex64";
  }
  return "?";
}

uint16_t ColumnBits(RNTupleColumnType type) {
  const Encoding e = EncodingOf(type);
  return e.bytes == 0 ? 1 : static_cast<uint16_t>(8 * e.bytes);
}

int ColumnMemoryWidth(RNTupleColumnType type) {
  const Encoding e = EncodingOf(type);
  return e.bytes == 0 ? 1 : e.bytes;
}

RNTupleColumnType ValueColumnType(DataType type, bool split) {
  switch (type) {
    case DataType::kBool: return T::kBit;
    case DataType::kChar: return T::kChar;
    case DataType::kInt8: return T::kInt8;
    case DataType::kUInt8: return T::kUInt8;
    case DataType::kInt16: return split ? T::kSplitInt16 : T::kInt16;
    case DataType::kUInt16: return split ? T::kSplitUInt16 : T::kUInt16;
    case DataType::kInt32: return split ? T::kSplitInt32 : T::kInt32;
    case DataType::kUInt32: return split ? T::kSplitUInt32 : T::kUInt32;
    case DataType::kInt64: return split ? T::kSplitInt64 : T::kInt64;
    case DataType::kUInt64: return split ? T::kSplitUInt64 : T::kUInt64;
    case DataType::kFloat32: return split ? T::kSplitReal32 : T::kReal32;
    case DataType::kFloat64: return split ? T::kSplitReal64 : T::kReal64;
  }
  return T::kUInt8;
}

RNTupleColumnType IndexColumnType(bool split) { return split ? T::kSplitIndex64 : T::kIndex64; }

void EncodePage(RNTupleColumnType type, std::span<const uint8_t> elements, size_t n, std::vector<uint8_t>& out) {
  const Encoding e = EncodingOf(type);
  if (e.bytes == 0) {  // Bit: element i is bit i % 8 of byte i / 8
    out.assign((n + 7) / 8, 0);
    for (size_t i = 0; i < n; ++i) {
      if (elements[i] != 0) out[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
    }
    return;
  }
  const size_t width = static_cast<size_t>(e.bytes);
  std::vector<uint8_t> plain(n * width);
  switch (width) {
    case 1: std::memcpy(plain.data(), elements.data(), n); break;
    case 2: Transformed<uint16_t>(elements, n, e.transform, plain.data()); break;
    case 4: Transformed<uint32_t>(elements, n, e.transform, plain.data()); break;
    default: Transformed<uint64_t>(elements, n, e.transform, plain.data()); break;
  }
  if (!e.split || width == 1) {
    out = std::move(plain);
    return;
  }
  out.resize(n * width);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < width; ++j) out[j * n + i] = plain[i * width + j];
  }
}

}  // namespace rootbatch::write
