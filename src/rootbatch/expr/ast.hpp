// The syntax tree of an expression, filled in two passes: the parser sets
// the shape and source positions, the checker the types and what each call
// and column refers to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rootbatch/expr/type.hpp"

namespace rootbatch::expr {

enum class NodeKind : uint8_t {
  kLiteral,  // a number, true or false
  kColumn,   // a column name or rdfentry_
  kUnary,    // op: "-", "+", "!", "~"
  kBinary,   // op: "+", "&&", "<<", ...
  kTernary,  // args: condition, if true, if false
  kCast,     // (T)x, static_cast<T>(x); the target is `type`
  kCall,     // name(args...); `name` is as written, with its prefix
  kIndex,    // args: collection, index or mask
  kSize,     // args[0].size()
};

struct Node {
  NodeKind kind = NodeKind::kLiteral;
  std::string name;   // operator, column or function name
  size_t pos = 0;     // offset of the node's first character in the expression
  size_t end = 0;     // one past its last character
  std::vector<std::unique_ptr<Node>> args;
  int height = 1;     // levels down to the deepest leaf (the parser bounds it)

  // Literals: the value in the field its type selects.
  DataType literal_type = DataType::kInt32;
  int64_t int_value = 0;
  uint64_t uint_value = 0;
  double float_value = 0;

  // Set by the checker.
  ExprType type;
  int function = -1;     // kCall: the Function it resolved to
  bool tmath_double = false;  // kCall: a TMath function computing in Double_t
  int column_slot = -1;  // kColumn: index into the compiled inputs; -1 for rdfentry_
  int id = 0;            // position in the checker's node list
};

}  // namespace rootbatch::expr
