// Type checking: binds column names to the schema, resolves calls and gives
// every node its C++ type (integer promotion, the usual arithmetic
// conversions, ROOT::VecOps' RVec rules).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/expr/ast.hpp"

namespace rootbatch::expr {

struct CheckResult {
  std::vector<std::string> columns;  // the columns read, in slot order
  std::vector<Node*> nodes;          // every node by id (for error messages)
  bool uses_entry = false;           // reads rdfentry_
};

// The expression type a column of `spec` has, or why it cannot be used.
Result<ExprType> ColumnType(const ColumnSpec& spec);

// Checks `root` (parsed from `text`) against `schema`. Errors carry the
// expression and a caret under the node at fault.
Result<CheckResult> Check(Node& root, std::string_view text, std::span<const ColumnSpec> schema);

}  // namespace rootbatch::expr
