#include "rootbatch/io/byte_cursor.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace rootbatch {
namespace {

TEST(ByteCursorTest, ReadsBigEndian) {
  std::vector<uint8_t> bytes = {0x00, 0x01, 0x02, 0x03, 0xFF, 0xFE, 0x3F, 0x80, 0x00, 0x00};
  ByteCursor cursor(bytes, 1000);
  EXPECT_EQ(cursor.ReadU32(), 0x00010203u);
  EXPECT_EQ(cursor.ReadI16(), -2);
  EXPECT_EQ(cursor.ReadF32(), 1.0f);
  EXPECT_TRUE(cursor.Ok());
  EXPECT_EQ(cursor.FileOffset(), 1010);
}

TEST(ByteCursorTest, StickyErrorNamesFileOffset) {
  std::vector<uint8_t> bytes = {1, 2, 3};
  ByteCursor cursor(bytes, 500);
  EXPECT_EQ(cursor.ReadU16(), 0x0102);
  EXPECT_EQ(cursor.ReadU32(), 0u);  // passes the end
  EXPECT_FALSE(cursor.Ok());
  EXPECT_EQ(cursor.ReadU8(), 0u);  // sticky: even a read that would fit fails
  EXPECT_EQ(cursor.status().Code(), StatusCode::kCorrupt);
  EXPECT_NE(cursor.status().Message().find("at byte 502"), std::string::npos)
      << cursor.status().ToString();
  EXPECT_EQ(cursor.status().Offset(), 502);
}

TEST(ByteCursorTest, TStringShortAndLong) {
  std::vector<uint8_t> bytes = {3, 'a', 'b', 'c', 255, 0, 0, 0, 2, 'x', 'y'};
  ByteCursor cursor(bytes);
  EXPECT_EQ(cursor.ReadTString(), "abc");
  EXPECT_EQ(cursor.ReadTString(), "xy");
  EXPECT_TRUE(cursor.Ok());
}

TEST(ByteCursorTest, HostileLengthsFailCleanly) {
  std::vector<uint8_t> bytes = {255, 0xFF, 0xFF, 0xFF, 0xFF, 'a'};
  ByteCursor cursor(bytes);
  EXPECT_EQ(cursor.ReadTString(), "");
  EXPECT_FALSE(cursor.Ok());
  ByteCursor negative(bytes);
  negative.ReadBytes(-5);
  EXPECT_FALSE(negative.Ok());
  ByteCursor seek(bytes);
  seek.Seek(7);
  EXPECT_FALSE(seek.Ok());
}

TEST(ByteCursorTest, CStringNeedsTerminator) {
  std::vector<uint8_t> good = {'T', 'K', 0, 9};
  ByteCursor a(good);
  EXPECT_EQ(a.ReadCString(), "TK");
  EXPECT_EQ(a.ReadU8(), 9);
  std::vector<uint8_t> bad = {'T', 'K'};
  ByteCursor b(bad);
  b.ReadCString();
  EXPECT_FALSE(b.Ok());
}

}  // namespace
}  // namespace rootbatch
