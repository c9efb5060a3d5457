#include "cli/column_stats.hpp"

#include <cmath>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <vector>

namespace rootbatch::cli {
namespace {

// Element i of a flat value array, loaded as its C++ type.
template <typename T>
T Load(const uint8_t* values, int64_t i) {
  T value;
  std::memcpy(&value, values + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
  return value;
}

// Value i of the column's flat value array, as the JSON it deserves.
void WriteValue(JsonWriter& json, DataType type, const uint8_t* values, int64_t i) {
  VisitDataType(type, [&](auto tag) {
    using T = decltype(tag);
    const T value = Load<T>(values, i);
    if constexpr (std::is_same_v<T, bool>) {
      json.Bool(value);
    } else if constexpr (std::is_floating_point_v<T>) {
      json.Double(value);
    } else if constexpr (std::is_same_v<T, uint64_t>) {
      json.UInt(value);
    } else {
      json.Int(static_cast<int64_t>(value));
    }
  });
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
    case ColumnKind::kDoublyJagged: {
      json.BeginArray();
      const int64_t begin = column.offsets[static_cast<size_t>(entry)];
      const int64_t end = column.offsets[static_cast<size_t>(entry) + 1];
      for (int64_t list = begin; list < end; ++list) {
        json.BeginArray();
        const int64_t first = column.inner_offsets[static_cast<size_t>(list)];
        const int64_t last = column.inner_offsets[static_cast<size_t>(list) + 1];
        for (int64_t item = first; item < last; ++item) {
          WriteNested(json, spec.type, values, item * inner, spec.inner_shape, 0);
        }
        json.EndArray();
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
  // Items per entry (for doubly jagged columns: lists per entry).
  if (spec.kind == ColumnKind::kJagged || spec.kind == ColumnKind::kDoublyJagged) {
    sums.counts_sum = column.offsets.empty() ? 0 : column.offsets.back();
  }
  // Neumaier summation: accurate to well below the 1e-9 relative tolerance
  // of a correctly rounded sum for any realistic column.
  double sum = 0, compensation = 0;
  bool non_finite = false;
  double non_finite_sum = 0;
  const int64_t n = column.NumValues();
  sums.has_isum = spec.type == DataType::kBool || IsInteger(spec.type);
  for (int64_t i = 0; i < n; ++i) {
    double value = 0;
    __int128 exact = 0;
    VisitDataType(spec.type, [&](auto tag) {
      using T = decltype(tag);
      const T v = Load<T>(column.values.data(), i);
      value = static_cast<double>(v);
      if constexpr (std::is_integral_v<T>) exact = static_cast<__int128>(v);
    });
    if (!std::isfinite(value)) {
      non_finite = true;
      non_finite_sum += value;
      continue;
    }
    double t = sum + value;
    compensation += std::fabs(sum) >= std::fabs(value) ? (sum - t) + value : (value - t) + sum;
    sum = t;
    if (sums.has_isum) sums.isum += exact;
  }
  sums.sum = non_finite ? non_finite_sum : sum + compensation;
  return sums;
}

}  // namespace rootbatch::cli
