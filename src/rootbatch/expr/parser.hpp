// Lexer and parser of the expression language (C++ expression syntax as
// ROOT's RDataFrame accepts it in Filter and Define strings) to an AST.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "rootbatch/base/status.hpp"
#include "rootbatch/expr/ast.hpp"

namespace rootbatch::expr {

// Says whether a name is a column, so that a name with dots or slashes
// ("Muon.pt", "evt/P3/Px") is read as one column name instead of a member
// access or a division. May be empty: then only dotted names not followed by
// '(' are read as one name.
using IsColumnName = std::function<bool(std::string_view)>;

// Parses `text`; fails with kInvalidArgument whose message shows the
// expression and a caret under the offending position.
Result<std::unique_ptr<Node>> Parse(std::string_view text, const IsColumnName& is_column = {});

// "<what> at position N:\n  <text>\n  <spaces>^" for errors of any pass.
std::string CaretMessage(std::string_view what, std::string_view text, size_t pos);

}  // namespace rootbatch::expr
