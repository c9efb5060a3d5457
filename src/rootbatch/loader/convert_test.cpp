#include "rootbatch/loader/convert.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace rootbatch::loader {
namespace {

TEST(ConvertTest, LosslessTable) {
  EXPECT_TRUE(IsLossless(DataType::kInt16, DataType::kFloat32));
  EXPECT_FALSE(IsLossless(DataType::kInt32, DataType::kFloat32));
  EXPECT_TRUE(IsLossless(DataType::kInt32, DataType::kFloat64));
  EXPECT_FALSE(IsLossless(DataType::kInt64, DataType::kFloat64));
  EXPECT_TRUE(IsLossless(DataType::kUInt32, DataType::kInt64));
  EXPECT_FALSE(IsLossless(DataType::kUInt64, DataType::kInt64));
  EXPECT_FALSE(IsLossless(DataType::kFloat64, DataType::kFloat32));
  EXPECT_TRUE(IsLossless(DataType::kFloat32, DataType::kFloat64));
  EXPECT_FALSE(IsLossless(DataType::kInt8, DataType::kBool));
}

TEST(ConvertTest, StridedRowsAndSaturation) {
  const double src[4] = {1.5, -2.5, std::nan(""), 1e30};
  uint8_t dst[4 * 12] = {};
  ConvertRows(DataType::kFloat64, src, 4, 1, DataType::kInt32, dst + 4, 12);
  int32_t got[4];
  for (int r = 0; r < 4; ++r) std::memcpy(&got[r], dst + 4 + 12 * r, 4);
  EXPECT_EQ(got[0], 1);
  EXPECT_EQ(got[1], -2);
  EXPECT_EQ(got[2], 0);
  EXPECT_EQ(got[3], std::numeric_limits<int32_t>::max());
  EXPECT_EQ(dst[0], 0);  // bytes outside the rows untouched

  const uint64_t big[2] = {std::numeric_limits<uint64_t>::max(), 7};
  int64_t out[2];
  ConvertRows(DataType::kUInt64, big, 1, 2, DataType::kInt64, out, 16);
  EXPECT_EQ(out[0], std::numeric_limits<int64_t>::max());
  EXPECT_EQ(out[1], 7);

  const int16_t small[3] = {0, 5, -1};
  bool flags[3];
  ConvertRows(DataType::kInt16, small, 3, 1, DataType::kBool, flags, 1);
  EXPECT_FALSE(flags[0]);
  EXPECT_TRUE(flags[1]);
  EXPECT_TRUE(flags[2]);
}

TEST(ConvertTest, TransposeFloat32MatchesAScatter) {
  for (int count : {1, 7, 8, 13, 28}) {
    for (int64_t rows : {1, 7, 8, 9, 100}) {
      std::vector<std::vector<float>> columns(static_cast<size_t>(count));
      std::vector<const float*> pointers;
      for (int c = 0; c < count; ++c) {
        for (int64_t r = 0; r < rows; ++r) columns[static_cast<size_t>(c)].push_back(static_cast<float>(c * 1000 + r));
        pointers.push_back(columns[static_cast<size_t>(c)].data());
      }
      const size_t stride = 4 * static_cast<size_t>(count) + 12;
      std::vector<uint8_t> out(static_cast<size_t>(rows) * stride, 0xAB);
      TransposeFloat32(pointers.data(), count, rows, out.data(), stride);
      for (int64_t r = 0; r < rows; ++r) {
        for (int c = 0; c < count; ++c) {
          float value;
          std::memcpy(&value, out.data() + static_cast<size_t>(r) * stride + 4 * static_cast<size_t>(c), 4);
          ASSERT_EQ(value, static_cast<float>(c * 1000 + r)) << count << " columns, " << rows << " rows";
        }
        ASSERT_EQ(out[static_cast<size_t>(r) * stride + stride - 1], 0xAB);  // padding untouched
      }
    }
  }
}

TEST(ConvertTest, FirstInexactFindsIntegersAFloatRounds) {
  const std::vector<uint64_t> events = {1, 16777216, 16777217, 3};  // 2^24 + 1 is the first float32 loses
  EXPECT_EQ(FirstInexact(DataType::kUInt64, events.data(), 4, DataType::kFloat32), 2);
  EXPECT_EQ(FirstInexact(DataType::kUInt64, events.data(), 4, DataType::kFloat64), -1);
  const std::vector<int64_t> big = {-(int64_t{1} << 53) - 1, 0};
  EXPECT_EQ(FirstInexact(DataType::kInt64, big.data(), 2, DataType::kFloat64), 0);
  const std::vector<int64_t> round = {int64_t{1} << 40, -(int64_t{1} << 40)};  // large but exact
  EXPECT_EQ(FirstInexact(DataType::kInt64, round.data(), 2, DataType::kFloat32), -1);
  const std::vector<uint64_t> top = {~uint64_t{0}};  // rounds up to 2^64, outside uint64
  EXPECT_EQ(FirstInexact(DataType::kUInt64, top.data(), 1, DataType::kFloat64), 0);
  const std::vector<int32_t> counts = {7, -(1 << 24), (1 << 24) + 1};
  EXPECT_EQ(FirstInexact(DataType::kInt32, counts.data(), 3, DataType::kFloat32), 2);
  EXPECT_EQ(FirstInexact(DataType::kInt32, counts.data(), 3, DataType::kFloat64), -1);
  EXPECT_EQ(FirstInexact(DataType::kUInt32, counts.data(), 0, DataType::kFloat32), -1);
}

TEST(ConvertTest, FillValue) {
  float values[3];
  FillValue(DataType::kFloat32, -1.25, values, 3);
  for (float v : values) EXPECT_EQ(v, -1.25f);
}

}  // namespace
}  // namespace rootbatch::loader
