// The element types a column can hold, independent of the file format.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>

namespace rootbatch {

enum class DataType : uint8_t {
  kBool,
  kInt8,
  kUInt8,
  kInt16,
  kUInt16,
  kInt32,
  kUInt32,
  kInt64,
  kUInt64,
  kFloat32,
  kFloat64,
  kChar,  // bytes of a string column (kind kString)
};

// Bytes per element in memory (bool is one byte, 0 or 1).
int ByteWidth(DataType type);
// "bool", "int8", ..., "float32", "float64", "char"
std::string_view DataTypeName(DataType type);
std::optional<DataType> ParseDataType(std::string_view name);
bool IsInteger(DataType type);  // bool excluded
bool IsFloat(DataType type);

// Calls `f(T{})` with the C++ type that holds one element of `type` in
// memory (bool for kBool, char for kChar), so that code over all types is
// written once: `VisitDataType(t, [&](auto tag) { using T = decltype(tag); ... })`.
template <typename F>
decltype(auto) VisitDataType(DataType type, F&& f) {
  switch (type) {
    case DataType::kBool: return f(bool{});
    case DataType::kInt8: return f(int8_t{});
    case DataType::kUInt8: return f(uint8_t{});
    case DataType::kInt16: return f(int16_t{});
    case DataType::kUInt16: return f(uint16_t{});
    case DataType::kInt32: return f(int32_t{});
    case DataType::kUInt32: return f(uint32_t{});
    case DataType::kInt64: return f(int64_t{});
    case DataType::kUInt64: return f(uint64_t{});
    case DataType::kFloat32: return f(float{});
    case DataType::kFloat64: return f(double{});
    case DataType::kChar: return f(char{});
  }
  return f(char{});
}

// The DataType holding a C++ element type: DataTypeOf<float>() is kFloat32.
template <typename T>
constexpr DataType DataTypeOf() {
  if constexpr (std::is_same_v<T, bool>) return DataType::kBool;
  else if constexpr (std::is_same_v<T, char>) return DataType::kChar;
  else if constexpr (std::is_same_v<T, float>) return DataType::kFloat32;
  else if constexpr (std::is_same_v<T, double>) return DataType::kFloat64;
  else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
    static_assert(sizeof(T) <= 8);
    return sizeof(T) == 1 ? DataType::kInt8 : sizeof(T) == 2 ? DataType::kInt16 : sizeof(T) == 4 ? DataType::kInt32 : DataType::kInt64;
  } else {
    static_assert(std::is_integral_v<T> && std::is_unsigned_v<T>, "a column holds numbers, bool or char");
    return sizeof(T) == 1 ? DataType::kUInt8 : sizeof(T) == 2 ? DataType::kUInt16 : sizeof(T) == 4 ? DataType::kUInt32 : DataType::kUInt64;
  }
}

}  // namespace rootbatch
