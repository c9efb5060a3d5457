// libFuzzer target: the expression language. Input: the text of a Filter or
// Define expression. Compiles it against a fixed schema (scalars of several
// types, a fixed-size array and jagged columns) and evaluates it over 16
// entries, as a value and, when it is a scalar, as a filter mask.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.hpp"
#include "rootbatch/expr/compiled_expr.hpp"

namespace {

using namespace rootbatch;

constexpr int64_t kEntries = 16;

template <typename T>
Column Values(DataType type, std::vector<T> v) {
  Column c;
  c.type = type;
  c.num_entries = kEntries;
  c.values.resize(v.size() * sizeof(T));
  std::memcpy(c.values.data(), v.data(), c.values.size());
  return c;
}

struct Fixture {
  std::vector<ColumnSpec> schema;
  std::map<std::string, Column> columns;

  Fixture() {
    std::vector<int32_t> i32;
    std::vector<uint32_t> u32;
    std::vector<int64_t> i64;
    std::vector<float> f32, arr, jag;
    std::vector<double> f64;
    std::vector<uint8_t> b;
    Column jagged;
    jagged.offsets.push_back(0);
    for (int64_t e = 0; e < kEntries; ++e) {
      i32.push_back(static_cast<int32_t>(e) - 7);
      u32.push_back(static_cast<uint32_t>(e * 3));
      i64.push_back(e * 1'000'000'007LL - 5);
      f32.push_back(static_cast<float>(e) * 0.5f - 2.0f);
      f64.push_back(e % 5 == 0 ? 0.0 : 1.0 / static_cast<double>(e));
      b.push_back(e % 3 == 0);
      for (int k = 0; k < 3; ++k) arr.push_back(static_cast<float>(e + k));
      for (int64_t k = 0; k < e % 4; ++k) jag.push_back(static_cast<float>(e * 10 + k));
      jagged.offsets.push_back(static_cast<int64_t>(jag.size()));
    }
    Add({"i", DataType::kInt32}, Values(DataType::kInt32, i32));
    Add({"u", DataType::kUInt32}, Values(DataType::kUInt32, u32));
    Add({"l", DataType::kInt64}, Values(DataType::kInt64, i64));
    Add({"f", DataType::kFloat32}, Values(DataType::kFloat32, f32));
    Add({"d", DataType::kFloat64}, Values(DataType::kFloat64, f64));
    Add({"b", DataType::kBool}, Values(DataType::kBool, b));
    Add({"a", DataType::kFloat32, ColumnKind::kFixedArray, {3}}, Values(DataType::kFloat32, arr));
    Column v = Values(DataType::kFloat32, jag);
    v.offsets = jagged.offsets;
    Add({"v", DataType::kFloat32, ColumnKind::kJagged}, std::move(v));
    Add({"Muon.pt", DataType::kFloat32}, Values(DataType::kFloat32, f32));
  }

  void Add(ColumnSpec spec, Column column) {
    columns.emplace(spec.name, std::move(column));
    schema.push_back(std::move(spec));
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture fixture;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto compiled = expr::Compile(text, fixture.schema);
  if (!compiled.IsOk()) {
    fuzz::CheckNotInternal(compiled.status(), "expr_fuzz compile");
    return 0;
  }
  std::vector<const Column*> inputs;
  for (const auto& name : compiled->Columns()) inputs.push_back(&fixture.columns.at(name));
  auto value = compiled->Evaluate(inputs, EntryRange{0, kEntries});
  if (!value.IsOk()) fuzz::CheckNotInternal(value.status(), "expr_fuzz evaluate");
  if (compiled->ResultSpec("r").kind == ColumnKind::kScalar) {
    auto mask = compiled->EvaluateMask(inputs, EntryRange{0, kEntries});
    if (!mask.IsOk()) fuzz::CheckNotInternal(mask.status(), "expr_fuzz mask");
  }
  return 0;
}
