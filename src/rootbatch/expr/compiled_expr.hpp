// The expression language's public entry point: compile a Filter or Define
// string once against a tree's columns, then evaluate it over chunks of
// entries (from any thread: evaluation keeps no state in the object).
//
//   RB_ASSIGN_OR_RETURN(CompiledExpr e, Compile("nMuon >= 2 && abs(Muon_eta[0]) < 2.4", source.Columns()));
//   // read e.Columns() for entries [b, end) into `inputs`, in that order, then
//   RB_ASSIGN_OR_RETURN(std::vector<uint8_t> pass, e.EvaluateMask(inputs, {b, end}));
//
// docs/expressions.md describes the language and its semantics.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/expr/type.hpp"

namespace rootbatch::expr {

struct Node;
struct EntryNumbers;

class CompiledExpr {
 public:
  CompiledExpr(CompiledExpr&&) noexcept;
  CompiledExpr& operator=(CompiledExpr&&) noexcept;
  ~CompiledExpr();

  const std::string& Text() const { return text_; }
  // The columns the expression reads (full names from the schema), in the
  // order Evaluate takes them.
  const std::vector<std::string>& Columns() const { return columns_; }
  ExprType Type() const { return type_; }
  bool UsesEntryNumber() const { return uses_entry_; }
  // The spec of the result as a column: scalar, or jagged for RVec results.
  ColumnSpec ResultSpec(std::string name) const;

  // Evaluates over entries `range`; `inputs[i]` is Columns()[i] read over
  // that range (scalar, fixed-size array or jagged). rdfentry_ counts from
  // range.begin. Fails naming the entry where evaluation is undefined
  // (docs/expressions.md: index out of range, integer division by zero...).
  Result<Column> Evaluate(std::span<const Column* const> inputs, EntryRange range) const;
  // The same over rows that are not consecutive entries (what a filter
  // left): `entry_numbers[i]` is row i's rdfentry_ and names it in errors.
  Result<Column> Evaluate(std::span<const Column* const> inputs, std::span<const int64_t> entry_numbers) const;
  // As a filter: one byte per entry, 1 where the (scalar) result is nonzero.
  Result<std::vector<uint8_t>> EvaluateMask(std::span<const Column* const> inputs, EntryRange range) const;
  Result<std::vector<uint8_t>> EvaluateMask(std::span<const Column* const> inputs,
                                            std::span<const int64_t> entry_numbers) const;

 private:
  friend Result<CompiledExpr> Compile(std::string_view text, std::span<const ColumnSpec> schema);
  CompiledExpr() = default;
  Result<Column> EvaluateAt(std::span<const Column* const> inputs, EntryNumbers entries, int64_t num_entries) const;
  Status CheckFilter() const;
  static std::vector<uint8_t> ToMask(const Column& c);

  std::string text_;
  std::unique_ptr<Node> root_;
  std::vector<Node*> nodes_;
  std::vector<std::string> columns_;
  std::vector<ExprType> input_types_;
  ExprType type_;
  bool uses_entry_ = false;
};

// Parses and type-checks `text` against the columns of `schema`. Errors
// (kInvalidArgument; kNotFound for an unknown column, with the closest
// names; kUnsupported for a column type or function not implemented) show
// the expression with a caret under the position at fault.
Result<CompiledExpr> Compile(std::string_view text, std::span<const ColumnSpec> schema);

}  // namespace rootbatch::expr
