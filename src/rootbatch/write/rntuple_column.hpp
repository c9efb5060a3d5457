// RNTuple column types and the page encodings ROOT writes by default
// (ROOTIO-FORMAT.md §5.5, §5.6).
//
// A page holds n elements of one column. Its bytes, before compression, are
// the elements in little-endian order, then, for the Split* types: zigzag
// (signed integers: (v << 1) ^ (v >> (bits - 1))) or delta (SplitIndex*: the
// first value as is, then differences) applied within the page, then the
// bytes split: byte j of element i goes to position j * n + i. Bit columns
// pack eight elements a byte, LSB first.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "rootbatch/column/data_type.hpp"

namespace rootbatch::write {

// The on-disk column type codes of RNTuple 1.0 that the writer uses.
enum class RNTupleColumnType : uint16_t {
  kBit = 0x00,
  kChar = 0x02,
  kInt8 = 0x03,
  kUInt8 = 0x04,
  kInt16 = 0x05,
  kUInt16 = 0x06,
  kInt32 = 0x07,
  kUInt32 = 0x08,
  kInt64 = 0x09,
  kUInt64 = 0x0A,
  kReal32 = 0x0C,
  kReal64 = 0x0D,
  kIndex64 = 0x0F,
  kSplitInt16 = 0x11,
  kSplitUInt16 = 0x12,
  kSplitInt32 = 0x13,
  kSplitUInt32 = 0x14,
  kSplitInt64 = 0x15,
  kSplitUInt64 = 0x16,
  kSplitReal32 = 0x18,
  kSplitReal64 = 0x19,
  kSplitIndex64 = 0x1B,
};

std::string_view ColumnTypeName(RNTupleColumnType type);  // "SplitReal32", as ROOT prints it
// Bits per element on storage (the column record's "bits on storage").
uint16_t ColumnBits(RNTupleColumnType type);
// Bytes per element as the writer holds it in memory before encoding: bool
// one byte (0 or 1), index columns uint64, chars one byte, numbers their width.
int ColumnMemoryWidth(RNTupleColumnType type);

// ROOT's default column for a value of `type`: Split* for integers wider than
// a byte and for floats when `split` (ROOT's choice for compressed RNTuples),
// the plain types otherwise; Bit for bool; Char for string bytes.
RNTupleColumnType ValueColumnType(DataType type, bool split);
// The offset column of collections and strings: SplitIndex64 or Index64.
RNTupleColumnType IndexColumnType(bool split);

// Encodes `n` elements held in memory form (ColumnMemoryWidth bytes each,
// native byte order) into the page bytes of `type`. `out` is overwritten.
void EncodePage(RNTupleColumnType type, std::span<const uint8_t> elements, size_t n, std::vector<uint8_t>& out);

}  // namespace rootbatch::write
