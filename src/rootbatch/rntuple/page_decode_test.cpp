#include "rootbatch/rntuple/page_decode.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>

namespace rootbatch::rntuple {
namespace {

ColumnRecord Col(ColumnType type, uint16_t bits) {
  ColumnRecord c;
  c.type = static_cast<uint16_t>(type);
  c.bits = bits;
  return c;
}

template <typename T>
std::vector<T> Decode(const ColumnRecord& c, const std::vector<uint8_t>& page, int64_t n) {
  std::vector<T> out(static_cast<size_t>(n));
  Status s = DecodePage(c, page, n, {reinterpret_cast<uint8_t*>(out.data()), out.size() * sizeof(T)});
  EXPECT_TRUE(s.IsOk()) << s.ToString();
  return out;
}

TEST(PageDecodeTest, BitIsLsbFirst) {
  // 1,0,0,1,0,0,1,0 | 0,1 (test_bit's values)
  auto v = Decode<uint8_t>(Col(ColumnType::kBit, 1), {0b01001001, 0b10}, 10);
  EXPECT_EQ(v, (std::vector<uint8_t>{1, 0, 0, 1, 0, 0, 1, 0, 0, 1}));
}

TEST(PageDecodeTest, SplitUndoesByteInterleavingAndZigzag) {
  // SplitInt16 of {-1, 2, -3}: zigzag 1, 4, 5; planes low bytes then high bytes.
  auto v = Decode<int16_t>(Col(ColumnType::kSplitInt16, 16), {1, 4, 5, 0, 0, 0}, 3);
  EXPECT_EQ(v, (std::vector<int16_t>{-1, 2, -3}));
  // SplitUInt32 of {0x01020304, 0x0A0B0C0D}: no zigzag.
  auto u = Decode<uint32_t>(Col(ColumnType::kSplitUInt32, 32), {4, 0x0D, 3, 0x0C, 2, 0x0B, 1, 0x0A}, 2);
  EXPECT_EQ(u, (std::vector<uint32_t>{0x01020304u, 0x0A0B0C0Du}));
  // SplitInt64 of {INT64_MIN}: zigzag 0xFFFF...FF.
  auto w = Decode<int64_t>(Col(ColumnType::kSplitInt64, 64), std::vector<uint8_t>(8, 0xFF), 1);
  EXPECT_EQ(w[0], INT64_MIN);
  // SplitReal64 of {1.0}: 0x3FF0000000000000.
  auto d = Decode<double>(Col(ColumnType::kSplitReal64, 64), {0, 0, 0, 0, 0, 0, 0xF0, 0x3F}, 1);
  EXPECT_EQ(d[0], 1.0);
}

TEST(PageDecodeTest, SplitIndexIsDeltaEncodedPerPage) {
  // SplitIndex32 deltas {1, 0, 2} -> ends {1, 1, 3}.
  auto v = Decode<int64_t>(Col(ColumnType::kSplitIndex32, 32), {1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 3);
  EXPECT_EQ(v, (std::vector<int64_t>{1, 1, 3}));
  // Index64 is stored as is.
  std::vector<uint8_t> raw(16, 0);
  raw[0] = 5;
  raw[8] = 7;
  EXPECT_EQ(Decode<int64_t>(Col(ColumnType::kIndex64, 64), raw, 2), (std::vector<int64_t>{5, 7}));
}

TEST(PageDecodeTest, HalfFloatsIncludingSubnormalsAndSpecials) {
  EXPECT_EQ(HalfToFloat(0x3C00), 1.0f);
  EXPECT_EQ(HalfToFloat(0xC000), -2.0f);
  EXPECT_EQ(HalfToFloat(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(HalfToFloat(0x03FF), std::ldexp(1023.0f, -24));
  EXPECT_EQ(HalfToFloat(0x7BFF), 65504.0f);
  EXPECT_TRUE(std::isinf(HalfToFloat(0x7C00)));
  EXPECT_TRUE(std::isnan(HalfToFloat(0x7E00)));
  EXPECT_TRUE(std::signbit(HalfToFloat(0x8000)));
  // SplitReal16 of {1.0, -2.0}: planes {0x00, 0x00}, {0x3C, 0xC0}.
  auto v = Decode<float>(Col(ColumnType::kSplitReal16, 16), {0, 0, 0x3C, 0xC0}, 2);
  EXPECT_EQ(v, (std::vector<float>{1.0f, -2.0f}));
}

TEST(PageDecodeTest, TruncatedAndQuantisedReals) {
  // Real32Trunc with 10 bits: 4 elements in 5 bytes; each keeps the top 10 bits.
  ColumnRecord trunc = Col(ColumnType::kReal32Trunc, 10);
  EXPECT_EQ(PageBytes(trunc, 4), 5u);
  const uint32_t one = std::bit_cast<uint32_t>(1.0f) >> 22;   // 0x0FE
  const uint32_t neg = std::bit_cast<uint32_t>(-2.0f) >> 22;  // 0x300
  uint64_t packed = one | (neg << 10) | (one << 20) | (uint64_t{0} << 30);
  std::vector<uint8_t> page(5);
  for (int i = 0; i < 5; ++i) page[i] = static_cast<uint8_t>(packed >> (8 * i));
  EXPECT_EQ(Decode<float>(trunc, page, 4), (std::vector<float>{1.0f, -2.0f, 1.0f, 0.0f}));

  // Real32Quant with 8 bits over [-2, 3]: q=0 -> -2, q=255 -> 3, q=51 -> -1.
  ColumnRecord quant = Col(ColumnType::kReal32Quant, 8);
  quant.range = std::make_pair(-2.0, 3.0);
  EXPECT_EQ(Decode<float>(quant, {0, 255, 51}, 3), (std::vector<float>{-2.0f, 3.0f, -1.0f}));
  // Without a value range a Quant column is corrupt.
  quant.range.reset();
  EXPECT_EQ(ColumnMemoryType(quant).status().Code(), StatusCode::kCorrupt);
}

TEST(PageDecodeTest, SwitchAndUnknownTypesAreUnsupportedByName) {
  auto s = ColumnMemoryType(Col(ColumnType::kSwitch, 96));
  EXPECT_EQ(s.status().Code(), StatusCode::kUnsupported);
  EXPECT_NE(s.status().Message().find("Switch"), std::string::npos);
  ColumnRecord unknown;
  unknown.type = 0x42;
  unknown.bits = 8;
  EXPECT_EQ(ColumnMemoryType(unknown).status().Code(), StatusCode::kUnsupported);
  EXPECT_NE(ColumnMemoryType(unknown).status().Message().find("0x42"), std::string::npos);
  // Bits on storage that contradict the type.
  EXPECT_EQ(ColumnMemoryType(Col(ColumnType::kReal32, 16)).status().Code(), StatusCode::kCorrupt);
}

}  // namespace
}  // namespace rootbatch::rntuple
