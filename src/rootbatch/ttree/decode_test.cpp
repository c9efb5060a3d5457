// Entry layouts that the real test files do not all exercise: std::vector
// and string baskets without an offset table, and hostile sizes.
#include "rootbatch/ttree/decode.hpp"

#include <gtest/gtest.h>

#include "rootbatch/base/endian.hpp"

namespace rootbatch {
namespace {

void PutU32(std::vector<uint8_t>& out, uint32_t value) {
  uint8_t bytes[4];
  StoreBigEndian(bytes, value);
  out.insert(out.end(), bytes, bytes + 4);
}

// One std::vector<int32_t> entry as ROOT streams it: byte count, version, size, values.
void PutVector(std::vector<uint8_t>& out, const std::vector<int32_t>& values) {
  PutU32(out, 0x40000000u | static_cast<uint32_t>(6 + 4 * values.size()));
  out.push_back(0);
  out.push_back(9);  // class version
  PutU32(out, static_cast<uint32_t>(values.size()));
  for (int32_t v : values) PutU32(out, static_cast<uint32_t>(v));
}

Interpretation VectorOfInt() {
  Interpretation in;
  in.spec.name = "v";
  in.spec.type = DataType::kInt32;
  in.spec.kind = ColumnKind::kJagged;
  in.layout = EntryLayout::kVector;
  in.disk_width = 4;
  return in;
}

BasketData Basket(std::vector<uint8_t> data, int64_t entries) {
  BasketData basket;
  basket.data_size = static_cast<int64_t>(data.size());
  basket.buffer.assign(data.begin(), data.end());
  basket.num_entries = entries;
  return basket;
}

TEST(DecodeTest, VectorsWithoutOffsetTableAreWalkedByByteCount) {
  std::vector<uint8_t> data;
  PutVector(data, {1, 2, 3});
  PutVector(data, {});
  PutVector(data, {-7});
  BasketData basket = Basket(std::move(data), 3);
  Column all;
  all.type = DataType::kInt32;
  ASSERT_TRUE(DecodeBasket(VectorOfInt(), basket, 0, 3, {}, all).IsOk());
  EXPECT_EQ(all.offsets, (std::vector<int64_t>{0, 3, 3, 4}));
  EXPECT_EQ(std::vector<int32_t>(all.As<int32_t>().begin(), all.As<int32_t>().end()),
            (std::vector<int32_t>{1, 2, 3, -7}));
  // A range that starts mid-basket walks past the entries before it.
  Column tail;
  tail.type = DataType::kInt32;
  ASSERT_TRUE(DecodeBasket(VectorOfInt(), basket, 2, 3, {}, tail).IsOk());
  EXPECT_EQ(tail.offsets, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(tail.As<int32_t>()[0], -7);
}

TEST(DecodeTest, VectorClaimingMoreElementsThanBytesIsCorrupt) {
  std::vector<uint8_t> data;
  PutVector(data, {1, 2});
  StoreBigEndian<uint32_t>(data.data() + 6, 1000);  // size field lies
  BasketData basket = Basket(data, 1);
  basket.offsets = {0, static_cast<int64_t>(data.size())};
  Column column;
  column.type = DataType::kInt32;
  Status status = DecodeBasket(VectorOfInt(), basket, 0, 1, {}, column);
  EXPECT_EQ(status.Code(), StatusCode::kCorrupt);
  EXPECT_NE(status.Message().find("1000"), std::string::npos) << status.ToString();
}

TEST(DecodeTest, ByteCountPastTheBasketIsCorrupt) {
  std::vector<uint8_t> data;
  PutVector(data, {1});
  data.resize(data.size() - 2);  // the entry's byte count now passes the end
  BasketData basket = Basket(std::move(data), 1);
  Column column;
  column.type = DataType::kInt32;
  EXPECT_EQ(DecodeBasket(VectorOfInt(), basket, 0, 1, {}, column).Code(), StatusCode::kCorrupt);
}

TEST(DecodeTest, StringsWithoutOffsetTableIncludingLongForm) {
  std::vector<uint8_t> data = {2, 'h', 'i', 0};
  std::string long_text(300, 'x');
  data.push_back(255);
  PutU32(data, 300);
  data.insert(data.end(), long_text.begin(), long_text.end());
  Interpretation in;
  in.spec.type = DataType::kChar;
  in.spec.kind = ColumnKind::kString;
  in.layout = EntryLayout::kLeafString;
  in.disk_width = 1;
  BasketData basket = Basket(std::move(data), 3);
  Column column;
  column.type = DataType::kChar;
  ASSERT_TRUE(DecodeBasket(in, basket, 0, 3, {}, column).IsOk());
  EXPECT_EQ(column.offsets, (std::vector<int64_t>{0, 2, 2, 302}));
}

TEST(DecodeTest, CountedArrayWithoutOffsetsUsesCounts) {
  std::vector<uint8_t> data;
  for (int32_t v : {10, 20, 30}) PutU32(data, static_cast<uint32_t>(v));
  Interpretation in;
  in.spec.type = DataType::kInt32;
  in.spec.kind = ColumnKind::kJagged;
  in.layout = EntryLayout::kCountedArray;
  in.disk_width = 4;
  BasketData basket = Basket(std::move(data), 2);
  std::vector<int64_t> counts = {1, 2};
  Column column;
  column.type = DataType::kInt32;
  ASSERT_TRUE(DecodeBasket(in, basket, 1, 2, counts, column).IsOk());
  EXPECT_EQ(column.offsets, (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(column.As<int32_t>()[1], 30);
  std::vector<int64_t> too_many = {1, 5};
  Column bad;
  bad.type = DataType::kInt32;
  EXPECT_EQ(DecodeBasket(in, basket, 0, 2, too_many, bad).Code(), StatusCode::kCorrupt);
}

// One std::vector<std::vector<int32_t>> entry as ROOT streams it: the outer
// header (byte count, version, number of inner vectors), then each inner
// vector's size and values without a header.
void PutVectorOfVectors(std::vector<uint8_t>& out, const std::vector<std::vector<int32_t>>& lists) {
  uint32_t bytes = 6;
  for (const auto& list : lists) bytes += 4 + 4 * static_cast<uint32_t>(list.size());
  PutU32(out, 0x40000000u | bytes);
  out.push_back(0);
  out.push_back(9);
  PutU32(out, static_cast<uint32_t>(lists.size()));
  for (const auto& list : lists) {
    PutU32(out, static_cast<uint32_t>(list.size()));
    for (int32_t v : list) PutU32(out, static_cast<uint32_t>(v));
  }
}

Interpretation VectorOfVectorsOfInt() {
  Interpretation in = VectorOfInt();
  in.spec.kind = ColumnKind::kDoublyJagged;
  in.layout = EntryLayout::kVectorOfVectors;
  return in;
}

TEST(DecodeTest, VectorsOfVectorsGiveTwoLevelsOfOffsets) {
  std::vector<uint8_t> data;
  PutVectorOfVectors(data, {{1, 2}, {}, {3}});
  PutVectorOfVectors(data, {});    // empty outer
  PutVectorOfVectors(data, {{}});  // one empty inner
  PutVectorOfVectors(data, {{-4, 5, 6}});
  BasketData basket = Basket(std::move(data), 4);
  Column all;
  all.type = DataType::kInt32;
  ASSERT_TRUE(DecodeBasket(VectorOfVectorsOfInt(), basket, 0, 4, {}, all).IsOk());
  EXPECT_EQ(all.num_entries, 4);
  EXPECT_EQ(all.offsets, (std::vector<int64_t>{0, 3, 3, 4, 5}));
  EXPECT_EQ(all.inner_offsets, (std::vector<int64_t>{0, 2, 2, 3, 3, 6}));
  EXPECT_EQ(std::vector<int32_t>(all.As<int32_t>().begin(), all.As<int32_t>().end()),
            (std::vector<int32_t>{1, 2, 3, -4, 5, 6}));
  // From the middle of the basket, walked by byte counts.
  Column tail;
  tail.type = DataType::kInt32;
  ASSERT_TRUE(DecodeBasket(VectorOfVectorsOfInt(), basket, 2, 4, {}, tail).IsOk());
  EXPECT_EQ(tail.offsets, (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(tail.inner_offsets, (std::vector<int64_t>{0, 0, 3}));
}

TEST(DecodeTest, HostileVectorOfVectorsSizesAreCorrupt) {
  // An inner size larger than the bytes left.
  std::vector<uint8_t> data;
  PutVectorOfVectors(data, {{1, 2}});
  data[10 + 3] = 200;  // the inner size's low byte: 200 elements in 8 bytes
  Column column;
  column.type = DataType::kInt32;
  auto status = DecodeBasket(VectorOfVectorsOfInt(), Basket(data, 1), 0, 1, {}, column);
  EXPECT_EQ(status.Code(), StatusCode::kCorrupt) << status.ToString();
  // More inner vectors than could fit.
  std::vector<uint8_t> many;
  PutVectorOfVectors(many, {{1}});
  many[9] = 100;  // the outer count's low byte
  Column other;
  other.type = DataType::kInt32;
  status = DecodeBasket(VectorOfVectorsOfInt(), Basket(many, 1), 0, 1, {}, other);
  EXPECT_EQ(status.Code(), StatusCode::kCorrupt) << status.ToString();
  // A negative inner size.
  std::vector<uint8_t> negative;
  PutVectorOfVectors(negative, {{1}});
  negative[10] = 0xff;
  Column third;
  third.type = DataType::kInt32;
  status = DecodeBasket(VectorOfVectorsOfInt(), Basket(negative, 1), 0, 1, {}, third);
  EXPECT_EQ(status.Code(), StatusCode::kCorrupt) << status.ToString();
}

// A Float16 without a range whose title asks for more mantissa bits than
// ROOT's 16-bit field holds (a fuzzer found the shifts undefined for 16 to
// 32 bits): InterpretTree skips the branch with the reason, and the decoder
// stays defined if it is given one anyway.
TEST(DecodeTest, TruncatedFloatsWithTooManyMantissaBits) {
  TreeModel model;
  model.entries = 1;
  BranchModel branch;
  branch.class_name = "TBranch";
  branch.name = branch.path = branch.title = "h";
  branch.leaves = {0};
  model.branches.push_back(branch);
  model.top_branches = {0};
  LeafModel leaf;
  leaf.class_name = "TLeafF16";
  leaf.name = "h";
  leaf.title = "h[0,0,30]";
  leaf.len = 1;
  leaf.len_type = 4;
  model.leaves.push_back(leaf);
  const BranchInterpretations read = InterpretTree(model, nullptr);
  EXPECT_TRUE(read.columns.empty());
  ASSERT_EQ(read.skipped.size(), 1u);
  EXPECT_NE(read.skipped[0].reason.find("30 mantissa bits"), std::string::npos) << read.skipped[0].reason;

  leaf.title = "h[0,0,15]";
  model.leaves[0] = leaf;
  ASSERT_EQ(InterpretTree(model, nullptr).columns.size(), 1u);

  Interpretation in;
  in.spec.name = "h";
  in.spec.type = DataType::kFloat32;
  in.encoding = ValueEncoding::kTruncated;
  in.disk_width = 3;
  in.entry_size = 3;
  in.nbits = 33;
  Column column;
  column.type = DataType::kFloat32;
  EXPECT_TRUE(DecodeBasket(in, Basket({0x7F, 0x12, 0x34}, 1), 0, 1, {}, column).IsOk());
  EXPECT_EQ(column.NumValues(), 1);
}

}  // namespace
}  // namespace rootbatch
