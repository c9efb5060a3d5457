#include "rootbatch/expr/compiled_expr.hpp"

#include "rootbatch/expr/ast.hpp"
#include "rootbatch/expr/checker.hpp"
#include "rootbatch/expr/evaluator.hpp"
#include "rootbatch/expr/parser.hpp"

namespace rootbatch::expr {

CompiledExpr::CompiledExpr(CompiledExpr&&) noexcept = default;
CompiledExpr& CompiledExpr::operator=(CompiledExpr&&) noexcept = default;
CompiledExpr::~CompiledExpr() = default;

Result<CompiledExpr> Compile(std::string_view text, std::span<const ColumnSpec> schema) {
  auto is_column = [schema](std::string_view name) {
    for (const auto& s : schema) {
      if (s.name == name) return true;
    }
    return false;
  };
  CompiledExpr out;
  out.text_ = std::string(text);
  RB_ASSIGN_OR_RETURN(out.root_, Parse(out.text_, is_column));
  RB_ASSIGN_OR_RETURN(CheckResult checked, Check(*out.root_, out.text_, schema));
  out.nodes_ = std::move(checked.nodes);
  out.columns_ = std::move(checked.columns);
  out.uses_entry_ = checked.uses_entry;
  out.type_ = out.root_->type;
  for (const std::string& name : out.columns_) {
    for (const auto& s : schema) {
      if (s.name == name) {
        RB_ASSIGN_OR_RETURN(ExprType t, ColumnType(s));
        out.input_types_.push_back(t);
        break;
      }
    }
  }
  return out;
}

ColumnSpec CompiledExpr::ResultSpec(std::string name) const {
  ColumnSpec spec;
  spec.name = std::move(name);
  spec.type = type_.elem;
  spec.kind = type_.jagged ? ColumnKind::kJagged : ColumnKind::kScalar;
  spec.source_type = TypeName(type_);
  return spec;
}

Result<Column> CompiledExpr::Evaluate(std::span<const Column* const> inputs, EntryRange range) const {
  return EvaluateAt(inputs, EntryNumbers{range.begin, {}}, range.Size());
}

Result<Column> CompiledExpr::Evaluate(std::span<const Column* const> inputs,
                                      std::span<const int64_t> entry_numbers) const {
  return EvaluateAt(inputs, EntryNumbers{0, entry_numbers}, static_cast<int64_t>(entry_numbers.size()));
}

Result<Column> CompiledExpr::EvaluateAt(std::span<const Column* const> inputs, EntryNumbers entries,
                                        int64_t num_entries) const {
  if (inputs.size() != columns_.size()) {
    return InvalidArgument("expression '" + text_ + "' reads " + std::to_string(columns_.size()) +
                           " columns, given " + std::to_string(inputs.size()));
  }
  RB_ASSIGN_OR_RETURN(Value v, EvaluateTree(*root_, inputs, input_types_, entries, num_entries, nodes_, text_));
  Column out;
  out.type = v.type;
  out.num_entries = v.num_entries;
  out.values = std::move(v.bytes);
  if (v.jagged) out.offsets = *v.offsets;
  return out;
}

Result<std::vector<uint8_t>> CompiledExpr::EvaluateMask(std::span<const Column* const> inputs,
                                                        EntryRange range) const {
  RB_RETURN_IF_ERROR(CheckFilter());
  RB_ASSIGN_OR_RETURN(Column c, Evaluate(inputs, range));
  return ToMask(c);
}

Result<std::vector<uint8_t>> CompiledExpr::EvaluateMask(std::span<const Column* const> inputs,
                                                        std::span<const int64_t> entry_numbers) const {
  RB_RETURN_IF_ERROR(CheckFilter());
  RB_ASSIGN_OR_RETURN(Column c, Evaluate(inputs, entry_numbers));
  return ToMask(c);
}

Status CompiledExpr::CheckFilter() const {
  if (type_.jagged) {
    return InvalidArgument("a filter must give one value per entry, but '" + text_ + "' is " + TypeName(type_) +
                           "; reduce it with Any(), All() or Sum()");
  }
  return Status::Ok();
}

std::vector<uint8_t> CompiledExpr::ToMask(const Column& c) {
  std::vector<uint8_t> mask(static_cast<size_t>(c.num_entries));
  VisitDataType(c.type, [&](auto tag) {
    using T = decltype(tag);
    auto values = c.As<T>();
    for (size_t i = 0; i < mask.size(); ++i) mask[i] = values[i] != 0;
  });
  return mask;
}

}  // namespace rootbatch::expr
