#include "rootbatch/base/xoshiro.hpp"

#include <gtest/gtest.h>

namespace rootbatch {
namespace {

// Known answers: seeds must mean the same thing on every platform and in
// every version, so the generators are pinned to their published outputs.
TEST(XoshiroTest, SplitMix64FromZero) {
  uint64_t state = 0;
  EXPECT_EQ(SplitMix64(state), 0xE220A8397B1DCDAFull);
  EXPECT_EQ(SplitMix64(state), 0x6E789E6AA1B965F4ull);
}

TEST(XoshiroTest, FirstOutputsOfAGivenState) {
  Xoshiro256StarStar engine({1, 2, 3, 4});
  EXPECT_EQ(engine.Next(), 11520u);
  EXPECT_EQ(engine.Next(), 0u);
  EXPECT_EQ(engine.Next(), 1509978240u);
}

}  // namespace
}  // namespace rootbatch
