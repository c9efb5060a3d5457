#include "cli/column_stats.hpp"

#include <cmath>
#include <cstring>
#include <string_view>
#include <vector>

namespace rootbatch::cli {
namespace {

// Value i of the column's flat value array, as the JSON it deserves.
void WriteValue(JsonWriter& json, DataType type, const uint8_t* values, int64_t i) {
  const uint8_t* p = values + i * ByteWidth(type);
  auto load = [p](auto tag) {
    decltype(tag) v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  };
  switch (type) {
    case DataType::kBool: json.Bool(*p != 0); return;
    case DataType::kInt8: json.Int(load(int8_t{})); return;
    case DataType::kUInt8: json.Int(load(uint8_t{})); return;
    case DataType::kInt16: json.Int(load(int16_t{})); return;
    case DataType::kUInt16: json.Int(load(uint16_t{})); return;
    case DataType::kInt32: json.Int(load(int32_t{})); return;
    case DataType::kUInt32: json.Int(load(uint32_t{})); return;
    case DataType::kInt64: json.Int(load(int64_t{})); return;
    case DataType::kUInt64: json.UInt(load(uint64_t{})); return;
    case DataType::kFloat32: json.Double(load(float{})); return;
    case DataType::kFloat64: json.Double(load(double{})); return;
    case DataType::kChar: json.Int(load(int8_t{})); return;
  }
}

// Writes `shape`-nested lists of values starting at flat index `first`.
void WriteNested(JsonWriter& json, DataType type, const uint8_t* values, int64_t first,
                 const std::vector<int64_t>& shape, size_t dim) {
  if (dim == shape.size()) {
    WriteValue(json, type, values, first);
    return;
  }
  int64_t stride = 1;
  for (size_t d = dim + 1; d < shape.size(); ++d) stride *= shape[d];
  json.BeginArray();
  for (int64_t i = 0; i < shape[dim]; ++i) WriteNested(json, type, values, first + i * stride, shape, dim + 1);
  json.EndArray();
}

double AsDouble(DataType type, const uint8_t* p) {
  auto load = [p](auto tag) {
    decltype(tag) v;
    std::memcpy(&v, p, sizeof(v));
    return static_cast<double>(v);
  };
  switch (type) {
    case DataType::kBool: return *p != 0;
    case DataType::kInt8: case DataType::kChar: return load(int8_t{});
    case DataType::kUInt8: return load(uint8_t{});
    case DataType::kInt16: return load(int16_t{});
    case DataType::kUInt16: return load(uint16_t{});
    case DataType::kInt32: return load(int32_t{});
    case DataType::kUInt32: return load(uint32_t{});
    case DataType::kInt64: return load(int64_t{});
    case DataType::kUInt64: return load(uint64_t{});
    case DataType::kFloat32: return load(float{});
    case DataType::kFloat64: return load(double{});
  }
  return 0;
}

__int128 AsInt(DataType type, const uint8_t* p) {
  auto load = [p](auto tag) {
    decltype(tag) v;
    std::memcpy(&v, p, sizeof(v));
    return static_cast<__int128>(v);
  };
  switch (type) {
    case DataType::kBool: return *p != 0;
    case DataType::kInt8: return load(int8_t{});
    case DataType::kUInt8: return load(uint8_t{});
    case DataType::kInt16: return load(int16_t{});
    case DataType::kUInt16: return load(uint16_t{});
    case DataType::kInt32: return load(int32_t{});
    case DataType::kUInt32: return load(uint32_t{});
    case DataType::kInt64: return load(int64_t{});
    case DataType::kUInt64: return load(uint64_t{});
    default: return 0;
  }
}

}  // namespace

void WriteEntry(JsonWriter& json, const ColumnSpec& spec, const Column& column, int64_t entry) {
  const uint8_t* values = column.values.data();
  const int64_t inner = spec.InnerSize();
  switch (spec.kind) {
    case ColumnKind::kScalar:
      WriteValue(json, spec.type, values, entry);
      return;
    case ColumnKind::kFixedArray:
      WriteNested(json, spec.type, values, entry * inner, spec.inner_shape, 0);
      return;
    case ColumnKind::kJagged: {
      json.BeginArray();
      const int64_t begin = column.offsets[static_cast<size_t>(entry)];
      const int64_t end = column.offsets[static_cast<size_t>(entry) + 1];
      for (int64_t item = begin; item < end; ++item) {
        WriteNested(json, spec.type, values, item * inner, spec.inner_shape, 0);
      }
      json.EndArray();
      return;
    }
    case ColumnKind::kString: {
      const int64_t begin = column.offsets[static_cast<size_t>(entry)];
      const int64_t end = column.offsets[static_cast<size_t>(entry) + 1];
      json.String(std::string_view(reinterpret_cast<const char*>(values) + begin, static_cast<size_t>(end - begin)));
      return;
    }
  }
}

ColumnSums Summarize(const ColumnSpec& spec, const Column& column) {
  ColumnSums sums;
  if (spec.kind == ColumnKind::kString) {
    sums.len_sum = static_cast<int64_t>(column.values.size());
    return sums;
  }
  if (spec.kind == ColumnKind::kJagged) sums.counts_sum = column.offsets.empty() ? 0 : column.offsets.back();
  // Neumaier summation: accurate to well below the 1e-9 relative tolerance
  // of a correctly rounded sum for any realistic column.
  double sum = 0, compensation = 0;
  bool non_finite = false;
  double non_finite_sum = 0;
  const int width = ByteWidth(spec.type);
  const int64_t n = column.NumValues();
  sums.has_isum = spec.type == DataType::kBool || IsInteger(spec.type);
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* p = column.values.data() + i * width;
    double value = AsDouble(spec.type, p);
    if (!std::isfinite(value)) {
      non_finite = true;
      non_finite_sum += value;
      continue;
    }
    double t = sum + value;
    compensation += std::fabs(sum) >= std::fabs(value) ? (sum - t) + value : (value - t) + sum;
    sum = t;
    if (sums.has_isum) sums.isum += AsInt(spec.type, p);
  }
  sums.sum = non_finite ? non_finite_sum : sum + compensation;
  return sums;
}

}  // namespace rootbatch::cli
