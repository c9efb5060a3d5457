// Decoding one RNTuple page of one column into native values: every data
// column type of format 1.0 except Switch (variants). Split, zigzag and delta
// transformations are undone here, per page, as the format defines them.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/data_type.hpp"
#include "rootbatch/rntuple/descriptor.hpp"

namespace rootbatch::rntuple {

// The in-memory type a column decodes to: bool for Bit, uint8 for Byte, char
// for Char, the integer of its width and sign for (Split)Int/UInt, float32 for
// Real16/Real32/Real32Trunc/Real32Quant, float64 for Real64, int64 for the
// index columns (cluster-local end offsets). kUnsupported for Switch and
// unknown types, naming them; kCorrupt when the bits on storage do not fit
// the type.
Result<DataType> ColumnMemoryType(const ColumnRecord& column);

// Bytes of an uncompressed page of `n` elements: ceil(n * bits / 8).
uint64_t PageBytes(const ColumnRecord& column, int64_t n);

// Decodes the uncompressed page `page` of `n` elements into `out`, which
// holds n * ByteWidth(ColumnMemoryType(column)) bytes. `page` must hold
// PageBytes(column, n) bytes.
Status DecodePage(const ColumnRecord& column, std::span<const uint8_t> page, int64_t n, std::span<uint8_t> out);

// IEEE 754 binary16 to binary32, exact (subnormals, infinities, NaNs).
float HalfToFloat(uint16_t half);

}  // namespace rootbatch::rntuple
