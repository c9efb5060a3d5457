// CopySmall: memcpy for the short copies of rows and parts of rows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace rootbatch::loader {

// memcpy for the short copies of rows and parts of rows (tens to hundreds of
// bytes, sizes known only at run time): inline 16-byte moves, where a call
// to memcpy would spend more on choosing a method than on copying.
inline void CopySmall(uint8_t* dst, const uint8_t* src, size_t n) {
  if (n >= 16) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) std::memcpy(dst + i, src + i, 16);
    if (i < n) std::memcpy(dst + n - 16, src + n - 16, 16);  // overlaps what was just copied
  } else if (n >= 8) {
    std::memcpy(dst, src, 8);
    std::memcpy(dst + n - 8, src + n - 8, 8);
  } else if (n >= 4) {
    std::memcpy(dst, src, 4);
    std::memcpy(dst + n - 4, src + n - 4, 4);
  } else {
    for (size_t i = 0; i < n; ++i) dst[i] = src[i];
  }
}

}  // namespace rootbatch::loader
