// Vectorised evaluation of a checked AST over a chunk of entries: each node
// runs once over the whole chunk with a typed kernel, never once per entry.
//
// A failure that C++ leaves undefined or reports by throwing (an index out
// of range, integer division by zero, RVecs of different sizes, Max of an
// empty RVec) marks only the entry where it happens. Marks propagate like
// values, so `n > 0 && v[0] > 1` and `n > 0 ? x / n : 0` never fail on
// entries the guard excludes (C++'s short circuit); a mark that reaches the
// result is an error naming the entry and the sub-expression.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/expr/ast.hpp"

namespace rootbatch::expr {

// One evaluated value over `num_entries` entries.
struct Value {
  DataType type = DataType::kInt32;
  bool jagged = false;
  int64_t num_entries = 0;
  std::vector<uint8_t> bytes;                          // the elements, unless borrowed
  const uint8_t* view = nullptr;  // an input column's elements, borrowed instead of copied
  std::shared_ptr<const std::vector<int64_t>> offsets;  // jagged: num_entries + 1
  std::vector<uint32_t> marks;  // empty, or per entry: 0 or (id of the failing node) + 1
};

// The entry number (rdfentry_) of each evaluated entry: consecutive from
// `first`, or `list[i]` when a list is given (rows left by a filter).
struct EntryNumbers {
  int64_t first = 0;
  std::span<const int64_t> list;
  int64_t At(int64_t i) const { return list.empty() ? first + i : list[static_cast<size_t>(i)]; }
};

// Evaluates `root`. `inputs[slot]` holds the column of each checked slot
// (scalar, fixed array or jagged) over `num_entries` entries numbered by
// `entries`. `nodes` is CheckResult::nodes, `text` the expression.
Result<Value> EvaluateTree(const Node& root, std::span<const Column* const> inputs, std::span<const ExprType> input_types,
                           EntryNumbers entries, int64_t num_entries, std::span<Node* const> nodes,
                           std::string_view text);

}  // namespace rootbatch::expr
