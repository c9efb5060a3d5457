// The static type of an expression: an element type and whether the value
// is one number per entry (scalar) or a collection per entry (ROOT's RVec).
#pragma once

#include <string>

#include "rootbatch/column/data_type.hpp"

namespace rootbatch::expr {

struct ExprType {
  DataType elem = DataType::kInt32;
  bool jagged = false;
  bool operator==(const ExprType&) const = default;
};

// C++ spelling, as ROOT users read it: "int", "unsigned long", "float",
// "ROOT::VecOps::RVec<float>".
std::string TypeName(ExprType type);
std::string CppTypeName(DataType type);

// Integer promotion: bool, char and short types become int.
DataType Promote(DataType type);
// The usual arithmetic conversions of C++ (both operands promoted first).
DataType CommonType(DataType a, DataType b);
// std::common_type for two arithmetic types without promotion of equal
// types (common_type<float, float> is float, <short, short> is short).
DataType CommonTypeNoPromote(DataType a, DataType b);
// Integer rank for conversions: 1 bool, 2 char, 3 short, 4 int, 5 long.
int IntegerRank(DataType type);
bool IsSigned(DataType type);

}  // namespace rootbatch::expr
