#include "rootbatch/expr/type.hpp"

namespace rootbatch::expr {

std::string CppTypeName(DataType type) {
  switch (type) {
    case DataType::kBool: return "bool";
    case DataType::kInt8: return "char";
    case DataType::kUInt8: return "unsigned char";
    case DataType::kInt16: return "short";
    case DataType::kUInt16: return "unsigned short";
    case DataType::kInt32: return "int";
    case DataType::kUInt32: return "unsigned int";
    case DataType::kInt64: return "long";
    case DataType::kUInt64: return "unsigned long";
    case DataType::kFloat32: return "float";
    case DataType::kFloat64: return "double";
    case DataType::kChar: return "char";
  }
  return "?";
}

std::string TypeName(ExprType type) {
  if (type.jagged) return "ROOT::VecOps::RVec<" + CppTypeName(type.elem) + ">";
  return CppTypeName(type.elem);
}

int IntegerRank(DataType type) {
  switch (type) {
    case DataType::kBool: return 1;
    case DataType::kInt8:
    case DataType::kUInt8:
    case DataType::kChar: return 2;
    case DataType::kInt16:
    case DataType::kUInt16: return 3;
    case DataType::kInt32:
    case DataType::kUInt32: return 4;
    case DataType::kInt64:
    case DataType::kUInt64: return 5;
    default: return 0;
  }
}

bool IsSigned(DataType type) {
  switch (type) {
    case DataType::kInt8:
    case DataType::kInt16:
    case DataType::kInt32:
    case DataType::kInt64:
    case DataType::kChar:
    case DataType::kFloat32:
    case DataType::kFloat64: return true;
    default: return false;
  }
}

DataType Promote(DataType type) {
  // Every type of rank below int fits in int, so all promote to int.
  if (IntegerRank(type) > 0 && IntegerRank(type) < 4) return DataType::kInt32;
  return type;
}

static DataType UnsignedOf(DataType type) {
  return type == DataType::kInt64 ? DataType::kUInt64 : type == DataType::kInt32 ? DataType::kUInt32 : type;
}

DataType CommonType(DataType a, DataType b) {
  if (a == DataType::kFloat64 || b == DataType::kFloat64) return DataType::kFloat64;
  if (a == DataType::kFloat32 || b == DataType::kFloat32) return DataType::kFloat32;
  a = Promote(a);
  b = Promote(b);
  if (a == b) return a;
  if (IsSigned(a) == IsSigned(b)) return IntegerRank(a) >= IntegerRank(b) ? a : b;
  const DataType s = IsSigned(a) ? a : b;
  const DataType u = IsSigned(a) ? b : a;
  if (IntegerRank(u) >= IntegerRank(s)) return u;
  // The signed type is wider: it holds every value of the unsigned one (LP64).
  if (IntegerRank(s) > IntegerRank(u)) return s;
  return UnsignedOf(s);
}

DataType CommonTypeNoPromote(DataType a, DataType b) {
  if (a == b) return a;
  return CommonType(a, b);
}

}  // namespace rootbatch::expr
