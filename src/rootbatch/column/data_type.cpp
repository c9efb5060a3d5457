#include "rootbatch/column/data_type.hpp"

#include <array>

namespace rootbatch {
namespace {
struct TypeInfo {
  DataType type;
  int width;
  std::string_view name;
};
constexpr std::array<TypeInfo, 12> kTypes = {{
    {DataType::kBool, 1, "bool"},       {DataType::kInt8, 1, "int8"},
    {DataType::kUInt8, 1, "uint8"},     {DataType::kInt16, 2, "int16"},
    {DataType::kUInt16, 2, "uint16"},   {DataType::kInt32, 4, "int32"},
    {DataType::kUInt32, 4, "uint32"},   {DataType::kInt64, 8, "int64"},
    {DataType::kUInt64, 8, "uint64"},   {DataType::kFloat32, 4, "float32"},
    {DataType::kFloat64, 8, "float64"}, {DataType::kChar, 1, "char"},
}};
}  // namespace

int ByteWidth(DataType type) { return kTypes[static_cast<size_t>(type)].width; }
std::string_view DataTypeName(DataType type) { return kTypes[static_cast<size_t>(type)].name; }

std::optional<DataType> ParseDataType(std::string_view name) {
  for (const auto& info : kTypes) {
    if (info.name == name) return info.type;
  }
  if (name == "float") return DataType::kFloat32;
  if (name == "double") return DataType::kFloat64;
  return std::nullopt;
}

bool IsInteger(DataType type) {
  return type != DataType::kBool && type != DataType::kFloat32 && type != DataType::kFloat64 &&
         type != DataType::kChar;
}
bool IsFloat(DataType type) { return type == DataType::kFloat32 || type == DataType::kFloat64; }

}  // namespace rootbatch
