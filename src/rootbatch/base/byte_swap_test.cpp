#include "rootbatch/base/byte_swap.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace rootbatch {
namespace {

// Every width, counts around the vector sizes, and misaligned pointers: the
// result must equal reversing each value's bytes one by one.
TEST(ByteSwapTest, MatchesReversingEachValue) {
  std::vector<uint8_t> src(1100);
  for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<uint8_t>(i * 37 + 11);
  for (size_t width : {1, 2, 4, 8}) {
    for (size_t count : {0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 127}) {
      for (size_t misalign : {0, 1, 3}) {
        std::vector<uint8_t> dst(count * width + 8, 0xEE);
        ByteSwapCopy(src.data() + misalign, count, width, dst.data() + misalign);
        for (size_t v = 0; v < count; ++v) {
          for (size_t b = 0; b < width; ++b) {
            ASSERT_EQ(dst[misalign + v * width + b], src[misalign + v * width + (width - 1 - b)])
                << "width " << width << ", count " << count << ", value " << v;
          }
        }
        // Nothing past the last value is written.
        for (size_t i = misalign + count * width; i < dst.size(); ++i) ASSERT_EQ(dst[i], 0xEE);
      }
    }
  }
}

}  // namespace
}  // namespace rootbatch
