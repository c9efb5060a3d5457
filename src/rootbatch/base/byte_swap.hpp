// Reversing the bytes of many values at once: ROOT stores numbers big-endian,
// and turning a whole basket of them into native order is the innermost loop
// of every read. One call per run of values, vectorised where the CPU can.
#pragma once

#include <cstddef>

namespace rootbatch {

// Copies `count` values of `width` bytes (1, 2, 4 or 8) from `src` to `dst`,
// reversing the bytes of each. Any alignment; the ranges must not overlap.
void ByteSwapCopy(const void* src, size_t count, size_t width, void* dst);

}  // namespace rootbatch
