// The element types a column can hold, independent of the file format.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

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

}  // namespace rootbatch
