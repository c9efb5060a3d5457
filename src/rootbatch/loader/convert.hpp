// Element type conversion from a column's type to a batch's output type.
//
// Conversions are C++ value conversions (int64 -> float32 rounds to nearest),
// except that float -> integer saturates at the target's range and maps NaN
// to 0 (a plain cast would be undefined behaviour), and anything -> bool is
// `value != 0`. IsLossless says when every value of a type survives.
#pragma once

#include <cstddef>
#include <cstdint>

#include "rootbatch/column/data_type.hpp"

namespace rootbatch::loader {

// The output types a batch may use.
bool IsOutputType(DataType type);

// True if every value of `from` is represented exactly in `to`.
bool IsLossless(DataType from, DataType to);

// Converts rows of `inner` contiguous values: row r of `src` (at
// src + r * inner * width(from)) goes to dst + r * dst_stride bytes.
// dst need not be aligned.
void ConvertRows(DataType from, const void* src, int64_t rows, int64_t inner, DataType to, void* dst,
                 size_t dst_stride);

// Interleaves `count` float32 columns into rows: value r of columns[c] goes
// to dst + r * dst_stride + 4 * c. The common case of float features kept as
// float32; uses 8x8 AVX2 transposes where the CPU has them (about twice as
// fast as scattering one column at a time).
void TransposeFloat32(const float* const* columns, int count, int64_t rows, void* dst, size_t dst_stride);

// Index of the first of `count` integer values of type `from` that `to` (a
// float type) cannot hold exactly, or -1 if every value survives. For
// integer features going into floats: a uint64 event number as float32
// rounds to a multiple of up to 2^40, turning distinct events into equal
// values, which must not pass silently.
int64_t FirstInexact(DataType from, const void* src, int64_t count, DataType to);

// Writes `count` copies of `value` converted to `to` at dst (unaligned ok).
void FillValue(DataType to, double value, void* dst, int64_t count);

}  // namespace rootbatch::loader
