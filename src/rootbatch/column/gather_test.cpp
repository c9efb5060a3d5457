#include "rootbatch/column/gather.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace rootbatch {
namespace {

template <typename T>
Column Make(std::vector<T> values, std::vector<int64_t> offsets = {}, int64_t n = -1) {
  Column c;
  c.type = DataTypeOf<T>();
  c.values.resize(values.size() * sizeof(T));
  std::memcpy(c.values.data(), values.data(), c.values.size());
  c.offsets = std::move(offsets);
  c.num_entries = n >= 0 ? n : static_cast<int64_t>(c.offsets.empty() ? values.size() : c.offsets.size() - 1);
  return c;
}

template <typename T>
std::vector<T> Values(const Column& c) {
  auto s = c.As<T>();
  return {s.begin(), s.end()};
}

TEST(GatherTest, ScalarsInAnyOrder) {
  ColumnSpec spec{"x", DataType::kFloat64, ColumnKind::kScalar, {}, ""};
  Column c = Make<double>({0.5, 1.5, 2.5, 3.5});
  const std::vector<int64_t> picks{3, 0, 2};
  Column g = GatherEntries(c, spec, picks);
  EXPECT_EQ(g.num_entries, 3);
  EXPECT_EQ(Values<double>(g), (std::vector<double>{3.5, 0.5, 2.5}));
}

TEST(GatherTest, FixedArraysKeepWholeEntries) {
  ColumnSpec spec{"a", DataType::kInt32, ColumnKind::kFixedArray, {2}, ""};
  Column c = Make<int32_t>({0, 1, 10, 11, 20, 21}, {}, 3);
  const std::vector<int64_t> picks{2, 1};
  EXPECT_EQ(Values<int32_t>(GatherEntries(c, spec, picks)), (std::vector<int32_t>{20, 21, 10, 11}));
}

TEST(GatherTest, JaggedRecountsOffsetsFromZero) {
  ColumnSpec spec{"v", DataType::kInt16, ColumnKind::kJagged, {}, ""};
  Column c = Make<int16_t>({1, 2, 3, 4, 5, 6}, {0, 2, 2, 5, 6});
  const std::vector<int64_t> picks{0, 2, 1};
  Column g = GatherEntries(c, spec, picks);
  EXPECT_EQ(g.offsets, (std::vector<int64_t>{0, 2, 5, 5}));
  EXPECT_EQ(Values<int16_t>(g), (std::vector<int16_t>{1, 2, 3, 4, 5}));
}

TEST(GatherTest, StringsAndNoPicks) {
  ColumnSpec spec{"s", DataType::kChar, ColumnKind::kString, {}, ""};
  Column c = Make<char>({'a', 'b', 'c'}, {0, 1, 3});
  const std::vector<int64_t> picks{1};
  EXPECT_EQ(Values<char>(GatherEntries(c, spec, picks)), (std::vector<char>{'b', 'c'}));
  Column none = GatherEntries(c, spec, {});
  EXPECT_EQ(none.num_entries, 0);
  EXPECT_EQ(none.offsets, (std::vector<int64_t>{0}));
}

TEST(GatherTest, DoublyJaggedKeepsListsOfEachPick) {
  ColumnSpec spec{"t", DataType::kInt32, ColumnKind::kDoublyJagged, {}, ""};
  // entry 0: [[1], [2, 3]]; entry 1: []; entry 2: [[4, 5, 6]]
  Column c = Make<int32_t>({1, 2, 3, 4, 5, 6}, {0, 2, 2, 3});
  c.inner_offsets = {0, 1, 3, 6};
  const std::vector<int64_t> picks{2, 0};
  Column g = GatherEntries(c, spec, picks);
  EXPECT_EQ(g.offsets, (std::vector<int64_t>{0, 1, 3}));
  EXPECT_EQ(g.inner_offsets, (std::vector<int64_t>{0, 3, 4, 6}));
  EXPECT_EQ(Values<int32_t>(g), (std::vector<int32_t>{4, 5, 6, 1, 2, 3}));
}

}  // namespace
}  // namespace rootbatch

namespace rootbatch {
namespace {

TEST(GatherTest, AppendShiftsOffsets) {
  ColumnSpec spec{"v", DataType::kInt32, ColumnKind::kJagged, {}, ""};
  Column all = EmptyColumn(spec);
  AppendEntries(all, Make<int32_t>({1, 2, 3}, {0, 2, 3}), spec);
  AppendEntries(all, Make<int32_t>({4}, {0, 0, 1}), spec);
  EXPECT_EQ(all.num_entries, 4);
  EXPECT_EQ(all.offsets, (std::vector<int64_t>{0, 2, 3, 3, 4}));
  EXPECT_EQ(Values<int32_t>(all), (std::vector<int32_t>{1, 2, 3, 4}));
}

}  // namespace
}  // namespace rootbatch
