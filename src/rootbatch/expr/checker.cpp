#include "rootbatch/expr/checker.hpp"

#include <map>
#include <optional>

#include "rootbatch/base/suggest.hpp"
#include "rootbatch/expr/functions.hpp"
#include "rootbatch/expr/parser.hpp"

namespace rootbatch::expr {

Result<ExprType> ColumnType(const ColumnSpec& spec) {
  const std::string what = "column '" + spec.name + "' of type " + spec.source_type;
  switch (spec.kind) {
    case ColumnKind::kScalar: return ExprType{spec.type, false};
    case ColumnKind::kFixedArray:
      if (spec.inner_shape.size() == 1) return ExprType{spec.type, true};
      return Unsupported(what + ": multi-dimensional arrays are not supported in expressions");
    case ColumnKind::kJagged:
      if (spec.inner_shape.empty()) return ExprType{spec.type, true};
      return Unsupported(what + ": collections of arrays are not supported in expressions");
    case ColumnKind::kString: return Unsupported(what + ": strings are not supported in expressions");
    case ColumnKind::kDoublyJagged:
      return Unsupported(what + ": nested collections are not supported in expressions");
  }
  return Unsupported(what);
}

namespace {

bool IsNumber(DataType t) { return t != DataType::kChar; }
bool IsIntegral(DataType t) { return IsInteger(t) || t == DataType::kBool; }

class Checker {
 public:
  Checker(std::string_view text, std::span<const ColumnSpec> schema) : text_(text), schema_(schema) {}

  Result<CheckResult> Run(Node& root) {
    RB_RETURN_IF_ERROR(Visit(root));
    return std::move(result_);
  }

 private:
  Status Error(const Node& n, const std::string& what) const {
    return InvalidArgument(CaretMessage(what, text_, n.pos));
  }
  std::string Src(const Node& n) const { return std::string(text_.substr(n.pos, n.end - n.pos)); }
  std::string Describe(const Node& n) const { return "'" + Src(n) + "' (" + TypeName(n.type) + ")"; }

  Status Visit(Node& n) {
    for (auto& a : n.args) RB_RETURN_IF_ERROR(Visit(*a));
    n.id = static_cast<int>(result_.nodes.size());
    result_.nodes.push_back(&n);
    switch (n.kind) {
      case NodeKind::kLiteral: n.type = {n.literal_type, false}; return Status::Ok();
      case NodeKind::kColumn: return VisitColumn(n);
      case NodeKind::kUnary: return VisitUnary(n);
      case NodeKind::kBinary: return VisitBinary(n);
      case NodeKind::kTernary: return VisitTernary(n);
      case NodeKind::kCast: {
        const Node& a = *n.args[0];
        if (a.type.jagged) return Error(n, "cannot cast " + Describe(a) + " to " + TypeName(n.type));
        return Status::Ok();
      }
      case NodeKind::kIndex: return VisitIndex(n);
      case NodeKind::kSize:
        if (!n.args[0]->type.jagged) return Error(n, ".size() of " + Describe(*n.args[0]) + ", not a collection");
        n.type = {DataType::kUInt64, false};
        return Status::Ok();
      case NodeKind::kCall: return VisitCall(n);
    }
    return Status::Ok();
  }

  Status VisitColumn(Node& n) {
    if (n.name == "rdfentry_") {
      n.type = {DataType::kUInt64, false};
      result_.uses_entry = true;
      return Status::Ok();
    }
    if (n.name == "rdfslot_") return Unsupported(CaretMessage("rdfslot_ is not supported", text_, n.pos));
    std::optional<size_t> found;
    for (size_t i = 0; i < schema_.size(); ++i) {
      if (schema_[i].name == n.name) found = i;
    }
    if (!found) {
      // A unique column whose path ends in "/name", as ColumnSource::FindColumn accepts.
      for (size_t i = 0; i < schema_.size(); ++i) {
        const std::string& full = schema_[i].name;
        if (full.size() > n.name.size() && full.compare(full.size() - n.name.size(), n.name.size(), n.name) == 0 &&
            full[full.size() - n.name.size() - 1] == '/') {
          if (found) return Error(n, "column name '" + n.name + "' is ambiguous");
          found = i;
        }
      }
    }
    if (!found) {
      std::vector<std::string> names;
      for (const auto& s : schema_) names.push_back(s.name);
      return NotFound(CaretMessage("unknown column '" + n.name + "'; " + NameHint(n.name, names, "columns"),
                                   text_, n.pos));
    }
    const ColumnSpec& spec = schema_[*found];
    auto type = ColumnType(spec);
    if (!type.IsOk()) return Unsupported(CaretMessage(type.status().Message(), text_, n.pos));
    n.type = *type;
    auto [it, inserted] = slots_.emplace(spec.name, static_cast<int>(result_.columns.size()));
    if (inserted) result_.columns.push_back(spec.name);
    n.column_slot = it->second;
    return Status::Ok();
  }

  Status VisitUnary(Node& n) {
    const Node& a = *n.args[0];
    if (!IsNumber(a.type.elem)) return Error(n, "operator " + n.name + " on " + Describe(a));
    if (n.name == "~" && !IsIntegral(a.type.elem)) {
      return Error(n, "operator ~ needs an integer, not " + Describe(a));
    }
    // RVec's unary operators keep the element type; scalars are promoted
    // and ! gives bool.
    if (a.type.jagged) {
      n.type = a.type;
    } else if (n.name == "!") {
      n.type = {DataType::kBool, false};
    } else {
      n.type = {Promote(a.type.elem), false};
    }
    return Status::Ok();
  }

  Status VisitBinary(Node& n) {
    const Node& a = *n.args[0];
    const Node& b = *n.args[1];
    const std::string& op = n.name;
    const bool jagged = a.type.jagged || b.type.jagged;
    const bool integer_only = op == "%" || op == "&" || op == "|" || op == "^" || op == "<<" || op == ">>";
    if (integer_only && (!IsIntegral(a.type.elem) || !IsIntegral(b.type.elem))) {
      return Error(n, "operator " + op + " needs integers, not " + Describe(a) + " and " + Describe(b));
    }
    if ((op == "<<" || op == ">>") && jagged) {
      // ROOT::VecOps defines no shift operators on RVec.
      return Error(n, "operator " + op + " is not defined for collections (" + Describe(a) + ", " + Describe(b) + ")");
    }
    if (op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=" || op == "&&" ||
        op == "||") {
      // RVec comparisons and logical operators give RVec<int>.
      n.type = {jagged ? DataType::kInt32 : DataType::kBool, jagged};
    } else if (op == "<<" || op == ">>") {
      n.type = {Promote(a.type.elem), jagged};
    } else {
      n.type = {CommonType(a.type.elem, b.type.elem), jagged};
    }
    return Status::Ok();
  }

  Status VisitTernary(Node& n) {
    const Node& c = *n.args[0];
    const Node& a = *n.args[1];
    const Node& b = *n.args[2];
    if (c.type.jagged) {
      return Error(n, "the condition of ?: is " + Describe(c) + "; use Where(condition, a, b) for collections");
    }
    if (a.type.jagged != b.type.jagged || (a.type.jagged && a.type.elem != b.type.elem)) {
      return Error(n, "the branches of ?: have incompatible types " + Describe(a) + " and " + Describe(b));
    }
    n.type = {a.type.elem == b.type.elem ? a.type.elem : CommonType(a.type.elem, b.type.elem), a.type.jagged};
    return Status::Ok();
  }

  Status VisitIndex(Node& n) {
    const Node& a = *n.args[0];
    const Node& i = *n.args[1];
    if (!a.type.jagged) return Error(n, "cannot index " + Describe(a) + ": it is not a collection");
    if (i.type.jagged) {
      if (!IsIntegral(i.type.elem)) return Error(n, "a mask must hold integers or bools, not " + Describe(i));
      n.type = a.type;
    } else {
      n.type = {a.type.elem, false};
    }
    return Status::Ok();
  }

  Status Arity(const Node& n, size_t lo, size_t hi) const {
    if (n.args.size() >= lo && n.args.size() <= hi) return Status::Ok();
    const std::string want = lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi);
    return Error(n, n.name + " takes " + want + " arguments, not " + std::to_string(n.args.size()));
  }
  Status NeedJagged(const Node& n, const Node& a) const {
    if (a.type.jagged) return Status::Ok();
    return Error(a, n.name + " needs a collection, not " + Describe(a));
  }

  Status VisitCall(Node& n) {
    auto resolved = ResolveFunction(n.name);
    if (!resolved) {
      if (IsKnownUnsupported(n.name)) {
        return Unsupported(CaretMessage("function '" + n.name + "' is not supported", text_, n.pos));
      }
      const std::vector<std::string> names = FunctionNames();
      std::string hint = DidYouMean(ClosestNames(n.name, names));
      return InvalidArgument(CaretMessage("unknown function '" + n.name + "'" + (hint.empty() ? "" : "; " + hint),
                                          text_, n.pos));
    }
    n.function = static_cast<int>(resolved->function);
    n.tmath_double = resolved->tmath_double;
    for (const auto& a : n.args) {
      if (!IsNumber(a->type.elem)) return Error(*a, "argument " + Describe(*a) + " is not a number");
    }
    const Function f = resolved->function;
    auto any_jagged = [&] {
      for (const auto& a : n.args) {
        if (a->type.jagged) return true;
      }
      return false;
    };
    // <cmath>: float stays float, integers compute in double.
    auto math_type = [&](DataType t) { return t == DataType::kFloat32 ? t : DataType::kFloat64; };
    switch (f) {
      case Function::kConstant:
        RB_RETURN_IF_ERROR(Arity(n, 0, 0));
        n.float_value = resolved->constant;
        n.type = {DataType::kFloat64, false};
        return Status::Ok();
      case Function::kAbs:
        RB_RETURN_IF_ERROR(Arity(n, 1, 1));
        n.type = {IsFloat(n.args[0]->type.elem) ? n.args[0]->type.elem : Promote(n.args[0]->type.elem),
                  n.args[0]->type.jagged};
        return Status::Ok();
      case Function::kPow:
      case Function::kAtan2:
      case Function::kHypot: {
        RB_RETURN_IF_ERROR(Arity(n, 2, 2));
        const DataType a = n.args[0]->type.elem;
        const DataType b = n.args[1]->type.elem;
        const bool both_float = a == DataType::kFloat32 && b == DataType::kFloat32;
        n.type = {both_float && !n.tmath_double ? DataType::kFloat32 : DataType::kFloat64, any_jagged()};
        return Status::Ok();
      }
      case Function::kMin2:
      case Function::kMax2: {
        RB_RETURN_IF_ERROR(Arity(n, 2, 2));
        if (any_jagged()) return Error(n, n.name + " takes two numbers; use Max/Min for a collection");
        n.type = {CommonTypeNoPromote(n.args[0]->type.elem, n.args[1]->type.elem), false};
        return Status::Ok();
      }
      case Function::kSum:
      case Function::kMax:
      case Function::kMin:
        RB_RETURN_IF_ERROR(Arity(n, 1, 1));
        RB_RETURN_IF_ERROR(NeedJagged(n, *n.args[0]));
        n.type = {f == Function::kSum && n.args[0]->type.elem == DataType::kBool ? DataType::kUInt64
                                                                                 : n.args[0]->type.elem,
                  false};
        return Status::Ok();
      case Function::kMean:
        RB_RETURN_IF_ERROR(Arity(n, 1, 1));
        RB_RETURN_IF_ERROR(NeedJagged(n, *n.args[0]));
        n.type = {DataType::kFloat64, false};
        return Status::Ok();
      case Function::kArgMax:
      case Function::kArgMin:
        RB_RETURN_IF_ERROR(Arity(n, 1, 1));
        RB_RETURN_IF_ERROR(NeedJagged(n, *n.args[0]));
        n.type = {DataType::kUInt64, false};
        return Status::Ok();
      case Function::kAny:
      case Function::kAll:
        RB_RETURN_IF_ERROR(Arity(n, 1, 1));
        RB_RETURN_IF_ERROR(NeedJagged(n, *n.args[0]));
        n.type = {DataType::kBool, false};
        return Status::Ok();
      case Function::kNonzero:
      case Function::kArgsort:
        RB_RETURN_IF_ERROR(Arity(n, 1, 1));
        RB_RETURN_IF_ERROR(NeedJagged(n, *n.args[0]));
        n.type = {DataType::kUInt64, true};
        return Status::Ok();
      case Function::kReverse:
      case Function::kSort:
        if (n.args.size() == 2) return Unsupported(CaretMessage(n.name + " with a comparison function is not supported", text_, n.pos));
        RB_RETURN_IF_ERROR(Arity(n, 1, 1));
        RB_RETURN_IF_ERROR(NeedJagged(n, *n.args[0]));
        n.type = n.args[0]->type;
        return Status::Ok();
      case Function::kTake:
        RB_RETURN_IF_ERROR(Arity(n, 2, 3));
        RB_RETURN_IF_ERROR(NeedJagged(n, *n.args[0]));
        if (!IsIntegral(n.args[1]->type.elem)) {
          return Error(*n.args[1], "Take needs integer indices or a count, not " + Describe(*n.args[1]));
        }
        if (n.args.size() == 3 && n.args[2]->type.jagged) {
          return Error(*n.args[2], "Take's default must be a number, not " + Describe(*n.args[2]));
        }
        n.type = n.args[0]->type;
        return Status::Ok();
      case Function::kConcatenate:
        RB_RETURN_IF_ERROR(Arity(n, 2, 2));
        RB_RETURN_IF_ERROR(NeedJagged(n, *n.args[0]));
        RB_RETURN_IF_ERROR(NeedJagged(n, *n.args[1]));
        n.type = {CommonTypeNoPromote(n.args[0]->type.elem, n.args[1]->type.elem), true};
        return Status::Ok();
      case Function::kWhere: {
        RB_RETURN_IF_ERROR(Arity(n, 3, 3));
        RB_RETURN_IF_ERROR(NeedJagged(n, *n.args[0]));
        const ExprType a = n.args[1]->type;
        const ExprType b = n.args[2]->type;
        if (a.jagged && b.jagged && a.elem != b.elem) {
          return Error(n, "Where's collections have different types " + Describe(*n.args[1]) + " and " +
                              Describe(*n.args[2]));
        }
        const DataType elem = a.jagged ? a.elem : b.jagged ? b.elem : CommonTypeNoPromote(a.elem, b.elem);
        n.type = {elem, true};
        return Status::Ok();
      }
      case Function::kDeltaPhi:
      case Function::kDeltaR:
      case Function::kInvariantMass:
      case Function::kInvariantMasses: {
        const size_t count = f == Function::kDeltaPhi ? 2 : f == Function::kInvariantMasses ? 8 : 4;
        RB_RETURN_IF_ERROR(Arity(n, count, count));
        DataType common = n.args[0]->type.elem;
        for (const auto& a : n.args) {
          if (!IsFloat(a->type.elem)) return Error(*a, n.name + " needs floating-point values, not " + Describe(*a));
          common = CommonTypeNoPromote(common, a->type.elem);
        }
        const bool needs_all_jagged = f == Function::kInvariantMass || f == Function::kInvariantMasses;
        if (needs_all_jagged || f == Function::kDeltaR) {
          for (const auto& a : n.args) {
            if (a->type.jagged != (needs_all_jagged || n.args[0]->type.jagged)) {
              return Error(*a, n.name + " needs all arguments collections or all numbers; " + Describe(*a) +
                                   " differs");
            }
          }
        }
        n.type = {common, f == Function::kInvariantMass ? false : any_jagged()};
        return Status::Ok();
      }
      default: {
        RB_RETURN_IF_ERROR(Arity(n, 1, 1));
        const DataType a = n.args[0]->type.elem;
        n.type = {n.tmath_double ? DataType::kFloat64 : math_type(a), n.args[0]->type.jagged};
        return Status::Ok();
      }
    }
  }

  std::string_view text_;
  std::span<const ColumnSpec> schema_;
  CheckResult result_;
  std::map<std::string, int> slots_;
};

}  // namespace

Result<CheckResult> Check(Node& root, std::string_view text, std::span<const ColumnSpec> schema) {
  Checker checker(text, schema);
  return checker.Run(root);
}

}  // namespace rootbatch::expr
