#include "rootbatch/write/test_pattern.hpp"

#include <cstring>

#include "rootbatch/write/rntuple_writer.hpp"
#include "rootbatch/write/tree_writer.hpp"

namespace rootbatch::write {
namespace {

struct TypeSuffix {
  DataType type;
  const char* suffix;
};
constexpr TypeSuffix kTypes[] = {
    {DataType::kBool, "b"},    {DataType::kInt8, "i1"},   {DataType::kUInt8, "u1"},  {DataType::kInt16, "i2"},
    {DataType::kUInt16, "u2"}, {DataType::kInt32, "i4"},  {DataType::kUInt32, "u4"}, {DataType::kInt64, "i8"},
    {DataType::kUInt64, "u8"}, {DataType::kFloat32, "f4"}, {DataType::kFloat64, "f8"},
};

template <typename T>
void Put(std::vector<uint8_t>& out, T value) {
  const size_t at = out.size();
  out.resize(at + sizeof(T));
  std::memcpy(out.data() + at, &value, sizeof(T));
}

void PutValue(std::vector<uint8_t>& out, DataType type, int64_t i, int64_t k) {
  const int64_t raw = i * 31 + k * 7 - 50;
  const int64_t raw64 = raw * 1000003;
  switch (type) {
    case DataType::kBool: Put<uint8_t>(out, (i + k) % 3 == 0 ? 1 : 0); break;
    case DataType::kInt8: Put(out, static_cast<int8_t>(raw)); break;
    case DataType::kUInt8: Put(out, static_cast<uint8_t>(raw)); break;
    case DataType::kInt16: Put(out, static_cast<int16_t>(raw)); break;
    case DataType::kUInt16: Put(out, static_cast<uint16_t>(raw)); break;
    case DataType::kInt32: Put(out, static_cast<int32_t>(raw)); break;
    case DataType::kUInt32: Put(out, static_cast<uint32_t>(raw)); break;
    case DataType::kInt64: Put(out, static_cast<int64_t>(raw64)); break;
    case DataType::kUInt64: Put(out, static_cast<uint64_t>(raw64)); break;
    case DataType::kFloat32:
      Put(out, static_cast<float>(i) * 0.5f + static_cast<float>(k) * 0.25f - 10.0f);
      break;
    case DataType::kFloat64:
      Put(out, static_cast<double>(i) * 0.125 + static_cast<double>(k) * 0.0625 - 3.0);
      break;
    case DataType::kChar: break;
  }
}

int64_t ItemsOf(const BranchSpec& spec, int64_t i) {
  if (spec.kind == BranchKind::kCounterArray) return i % 5;
  if (spec.kind == BranchKind::kVector) return (i * 7) % 4;
  return 1;
}

}  // namespace

std::vector<BranchSpec> PatternBranches() {
  std::vector<BranchSpec> specs;
  for (const auto& t : kTypes) specs.push_back({std::string("x_") + t.suffix, t.type, BranchKind::kScalar, {}, "", ""});
  for (const auto& t : kTypes) {
    specs.push_back({std::string("a_") + t.suffix, t.type, BranchKind::kFixedArray, {3}, "", ""});
  }
  specs.push_back({"m_f4", DataType::kFloat32, BranchKind::kFixedArray, {2, 3}, "", ""});
  specs.push_back({"n", DataType::kInt32, BranchKind::kScalar, {}, "", ""});
  for (const auto& t : kTypes) {
    specs.push_back({std::string("A_") + t.suffix, t.type, BranchKind::kCounterArray, {}, "n", ""});
  }
  specs.push_back({"P_f4", DataType::kFloat32, BranchKind::kCounterArray, {2}, "n", ""});
  for (const auto& t : kTypes) specs.push_back({std::string("v_") + t.suffix, t.type, BranchKind::kVector, {}, "", ""});
  return specs;
}

Column PatternColumn(const BranchSpec& spec, int64_t begin, int64_t end) {
  Column column;
  column.type = spec.type;
  column.num_entries = end - begin;
  const int64_t per_item = ValuesPerItem(spec);
  const bool jagged = IsJagged(spec.kind);
  if (jagged) column.offsets.push_back(0);
  for (int64_t i = begin; i < end; ++i) {
    if (spec.name == "n") {  // the counter: the item count of the A_ arrays
      Put<int32_t>(column.values, static_cast<int32_t>(i % 5));
      continue;
    }
    const int64_t items = ItemsOf(spec, i);
    for (int64_t k = 0; k < items * per_item; ++k) PutValue(column.values, spec.type, i, k);
    if (jagged) column.offsets.push_back(column.offsets.back() + items);
  }
  return column;
}

Status WritePattern(TreeWriter& tree, int64_t entries, int64_t batch) {
  const std::vector<BranchSpec> specs = PatternBranches();
  for (const auto& spec : specs) {
    RB_ASSIGN_OR_RETURN(size_t index, tree.AddBranch(spec));
    (void)index;
  }
  for (int64_t begin = 0; begin < entries; begin += batch) {
    const int64_t end = std::min(entries, begin + batch);
    std::vector<Column> columns;
    columns.reserve(specs.size());
    for (const auto& spec : specs) columns.push_back(PatternColumn(spec, begin, end));
    std::vector<ColumnView> views;
    for (const auto& c : columns) views.push_back(ColumnView::Of(c));
    RB_RETURN_IF_ERROR(tree.Append(views, end - begin));
  }
  return Status::Ok();
}

std::string PatternString(int64_t i) {
  std::string one = "s" + std::to_string(i), out;
  for (int64_t r = 0; r < i % 4; ++r) out += one;
  return out;
}

Status WriteRNTuplePattern(RNTupleWriter& ntuple, int64_t entries, int64_t batch) {
  std::vector<BranchSpec> specs;
  for (const auto& spec : PatternBranches()) {
    if (spec.kind == BranchKind::kScalar && spec.name != "n") specs.push_back(spec);
  }
  for (const auto& spec : PatternBranches()) {
    if (spec.kind == BranchKind::kCounterArray && spec.dims.empty()) specs.push_back(spec);
  }
  for (const auto& spec : PatternBranches()) {
    if (spec.kind == BranchKind::kVector) specs.push_back(spec);
  }
  for (const auto& spec : specs) {
    const auto kind = spec.kind == BranchKind::kScalar ? RNTupleFieldKind::kScalar : RNTupleFieldKind::kVector;
    RB_ASSIGN_OR_RETURN(size_t index, ntuple.AddField({spec.name, spec.type, kind}));
    (void)index;
  }
  RB_ASSIGN_OR_RETURN(size_t string_index, ntuple.AddField({"s", DataType::kChar, RNTupleFieldKind::kString}));
  (void)string_index;
  for (int64_t begin = 0; begin < entries; begin += batch) {
    const int64_t end = std::min(entries, begin + batch);
    std::vector<Column> columns;
    columns.reserve(specs.size() + 1);
    for (const auto& spec : specs) columns.push_back(PatternColumn(spec, begin, end));
    Column strings;
    strings.type = DataType::kChar;
    strings.num_entries = end - begin;
    strings.offsets.push_back(0);
    for (int64_t i = begin; i < end; ++i) {
      const std::string text = PatternString(i);
      strings.values.insert(strings.values.end(), text.begin(), text.end());
      strings.offsets.push_back(static_cast<int64_t>(strings.values.size()));
    }
    columns.push_back(std::move(strings));
    std::vector<ColumnView> views;
    for (const auto& c : columns) views.push_back(ColumnView::Of(c));
    RB_RETURN_IF_ERROR(ntuple.Append(views, end - begin));
  }
  return Status::Ok();
}

}  // namespace rootbatch::write
