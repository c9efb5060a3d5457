#include "rootbatch/expr/evaluator.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <numeric>
#include <string>
#include <functional>
#include <type_traits>

#include "rootbatch/expr/functions.hpp"

namespace rootbatch::expr {
namespace {

// Elements one evaluation may create beyond its inputs (Take's padding):
// 2^27 values, 1 GiB of doubles.
constexpr int64_t kMaxCreatedElements = int64_t{1} << 27;

using Offsets = std::shared_ptr<const std::vector<int64_t>>;

int64_t Count(const Value& v) {
  return v.jagged ? v.offsets->back() : v.num_entries;
}

// Read access: a borrowed column's bytes, or the value's own.
const uint8_t* Bytes(const Value& v) { return v.view != nullptr ? v.view : v.bytes.data(); }
template <typename T>
const T* In(const Value& v) { return reinterpret_cast<const T*>(Bytes(v)); }

// Write access: a borrowed value is copied first, so that no kernel ever
// writes into an input column.
template <typename T>
T* Data(Value& v) {
  if (v.view != nullptr) {
    v.bytes.assign(v.view, v.view + Count(v) * ByteWidth(v.type));
    v.view = nullptr;
  }
  return reinterpret_cast<T*>(v.bytes.data());
}

// Calls `f` with an unsigned integer of `width` bytes: elements are moved
// as such, so that per-item copies are typed loads and stores, not calls
// to memcpy with a run-time size.
template <typename F>
void VisitWidth(int width, F&& f) {
  switch (width) {
    case 1: f(uint8_t{}); break;
    case 2: f(uint16_t{}); break;
    case 4: f(uint32_t{}); break;
    default: f(uint64_t{}); break;
  }
}

Value Make(DataType type, int64_t n, Offsets offsets) {
  Value v;
  v.type = type;
  v.num_entries = n;
  v.jagged = offsets != nullptr;
  v.offsets = std::move(offsets);
  v.bytes.resize(static_cast<size_t>(Count(v) * ByteWidth(type)));
  return v;
}

// C++ conversion from S to D, defined where C++ leaves it undefined: a
// floating value that a signed integer type cannot hold (NaN included)
// gives that type's minimum, as x86-64's conversion does.
template <typename D, typename S>
D Convert(S s) {
  if constexpr (std::is_same_v<D, bool>) {
    return s != 0;
  } else if constexpr (std::is_floating_point_v<S> && std::is_integral_v<D>) {
    if constexpr (std::is_signed_v<D>) {
      if (!(s >= static_cast<S>(std::numeric_limits<D>::min()) && s < -static_cast<S>(std::numeric_limits<D>::min()))) {
        return std::numeric_limits<D>::min();
      }
      return static_cast<D>(s);
    } else {
      // Through int64, as the hardware does for narrower unsigned types.
      if (s >= 0 && s < static_cast<S>(18446744073709551616.0)) return static_cast<D>(static_cast<uint64_t>(s));
      return static_cast<D>(Convert<int64_t>(s));
    }
  } else {
    return static_cast<D>(s);
  }
}

Value Cast(Value v, DataType to) {
  if (v.type == to) return v;
  Value out = Make(to, v.num_entries, v.offsets);
  out.marks = std::move(v.marks);
  const int64_t n = Count(v);
  VisitDataType(v.type, [&](auto s_tag) {
    using S = decltype(s_tag);
    VisitDataType(to, [&](auto d_tag) {
      using D = decltype(d_tag);
      const S* src = In<S>(v);
      D* dst = Data<D>(out);
      for (int64_t i = 0; i < n; ++i) dst[i] = Convert<D>(src[i]);
    });
  });
  return out;
}

// First failure recorded per node: (entry within the chunk, detail).
using Faults = std::map<int, std::pair<int64_t, std::string>>;

void MergeMarks(std::vector<uint32_t>& into, const std::vector<uint32_t>& from) {
  if (from.empty()) return;
  if (into.empty()) {
    into = from;
    return;
  }
  for (size_t i = 0; i < into.size(); ++i) {
    if (into[i] == 0) into[i] = from[i];
  }
}

class Evaluator {
 public:
  Evaluator(std::span<const Column* const> inputs, std::span<const ExprType> types, EntryNumbers entries, int64_t n)
      : inputs_(inputs), types_(types), entries_(entries), n_(n), slot_offsets_(inputs.size()) {}

  Faults faults_;

  Result<Value> Eval(const Node& node) {
    switch (node.kind) {
      case NodeKind::kLiteral: return Literal(node);
      case NodeKind::kColumn: return ColumnValue(node);
      case NodeKind::kCast: {
        RB_ASSIGN_OR_RETURN(Value a, Eval(*node.args[0]));
        return Cast(std::move(a), node.type.elem);
      }
      case NodeKind::kUnary: return Unary(node);
      case NodeKind::kBinary: return Binary(node);
      case NodeKind::kTernary: return Ternary(node);
      case NodeKind::kIndex: return Index(node);
      case NodeKind::kSize: {
        RB_ASSIGN_OR_RETURN(Value a, Eval(*node.args[0]));
        Value out = Make(DataType::kUInt64, n_, nullptr);
        auto* o = Data<uint64_t>(out);
        const auto& off = *a.offsets;
        for (int64_t i = 0; i < n_; ++i) o[i] = static_cast<uint64_t>(off[i + 1] - off[i]);
        out.marks = std::move(a.marks);
        return out;
      }
      case NodeKind::kCall: return Call(node);
    }
    return Internal("unknown node kind");
  }

 private:
  // A template, not std::function: guarded faults (an index behind a size
  // check) happen on many entries of a chunk.
  template <typename Detail>
  void Fault(const Node& node, std::vector<uint32_t>& marks, int64_t entry, const Detail& detail) {
    if (marks.empty()) marks.assign(static_cast<size_t>(n_), 0);
    if (marks[entry] == 0) marks[entry] = static_cast<uint32_t>(node.id) + 1;
    auto it = faults_.find(node.id);
    if (it == faults_.end()) {
      faults_.emplace(node.id, std::make_pair(entry, std::string(detail())));
    } else if (it->second.first > entry) {
      it->second = {entry, std::string(detail())};
    }
  }

  // The entry of item `item` of a jagged value.
  static int64_t EntryOf(const std::vector<int64_t>& off, int64_t item) {
    return static_cast<int64_t>(std::upper_bound(off.begin(), off.end(), item) - off.begin()) - 1;
  }

  Value Literal(const Node& node) {
    Value out = Make(node.type.elem, n_, nullptr);
    VisitDataType(node.type.elem, [&](auto tag) {
      using T = decltype(tag);
      T v;
      if constexpr (std::is_floating_point_v<T>) {
        v = static_cast<T>(node.float_value);
      } else if constexpr (std::is_unsigned_v<T>) {
        v = static_cast<T>(node.uint_value);
      } else {
        v = static_cast<T>(node.int_value);
      }
      std::fill_n(Data<T>(out), n_, v);
    });
    return out;
  }

  Result<Value> ColumnValue(const Node& node) {
    if (node.column_slot < 0) {  // rdfentry_
      Value out = Make(DataType::kUInt64, n_, nullptr);
      uint64_t* dst = Data<uint64_t>(out);
      if (entries_.list.empty()) {
        std::iota(dst, dst + n_, static_cast<uint64_t>(entries_.first));
      } else {
        std::copy(entries_.list.begin(), entries_.list.end(), dst);
      }
      return out;
    }
    const Column& c = *inputs_[node.column_slot];
    const ExprType t = types_[node.column_slot];
    if (c.num_entries != n_ || c.type != t.elem) {
      return InvalidArgument("input column '" + node.name + "' has " + std::to_string(c.num_entries) + " entries of " +
                             std::string(DataTypeName(c.type)) + ", expected " + std::to_string(n_) + " of " +
                             std::string(DataTypeName(t.elem)));
    }
    Value out;
    out.type = c.type;
    out.num_entries = n_;
    out.jagged = t.jagged;
    out.view = c.values.data();
    if (t.jagged) {
      // One offsets object per input, checked once: every value derived
      // from it shares the pointer, so aligning them costs no comparison.
      Offsets& shared = slot_offsets_[static_cast<size_t>(node.column_slot)];
      if (!shared && !c.offsets.empty()) {
        bool ok = static_cast<int64_t>(c.offsets.size()) == n_ + 1 && c.offsets[0] == 0;
        for (size_t k = 1; ok && k < c.offsets.size(); ++k) ok = c.offsets[k] >= c.offsets[k - 1];
        if (!ok) return InvalidArgument("input column '" + node.name + "' has bad offsets");
        // Borrowed (an owner-less alias): the column outlives the evaluation.
        shared = Offsets(std::shared_ptr<void>(), &c.offsets);
      } else if (!shared) {  // a fixed-size array: every entry has the same count
        const int64_t width = n_ == 0 ? 0 : c.NumValues() / n_;
        auto off = std::make_shared<std::vector<int64_t>>(static_cast<size_t>(n_ + 1));
        for (int64_t i = 0; i <= n_; ++i) (*off)[i] = i * width;
        shared = std::move(off);
      }
      out.offsets = shared;
    }
    if (Count(out) * ByteWidth(out.type) != static_cast<int64_t>(c.values.size())) {
      return InvalidArgument("input column '" + node.name + "' has a value count that does not match its offsets");
    }
    return out;
  }

  // Repeats a scalar value over the items of `offsets`.
  static Value Broadcast(const Value& s, const Offsets& offsets) {
    Value out = Make(s.type, s.num_entries, offsets);
    out.marks = s.marks;
    const auto& off = *offsets;
    VisitWidth(ByteWidth(s.type), [&](auto tag) {
      using E = decltype(tag);
      const E* src = In<E>(s);
      E* dst = Data<E>(out);
      for (int64_t i = 0; i < s.num_entries; ++i) std::fill(dst + off[i], dst + off[i + 1], src[i]);
    });
    return out;
  }

  // Gives `values` one shape: all scalar, or all jagged with the same
  // counts. Entries where two collections differ in size are marked and
  // left empty.
  void Align(const Node& node, std::vector<Value*> values) {
    Offsets ref;
    for (Value* v : values) {
      if (v->jagged && !ref) ref = v->offsets;
    }
    if (!ref) return;
    bool same = true;
    for (Value* v : values) {
      if (v->jagged && v->offsets != ref && *v->offsets != *ref) same = false;
    }
    if (!same) {
      // Counts per entry: the first collection's, or 0 where any differs.
      std::vector<uint32_t> marks;
      auto off = std::make_shared<std::vector<int64_t>>(static_cast<size_t>(n_ + 1), 0);
      for (int64_t i = 0; i < n_; ++i) {
        const int64_t size = (*ref)[i + 1] - (*ref)[i];
        bool ok = true;
        int64_t other = size;
        for (Value* v : values) {
          if (v->jagged && (*v->offsets)[i + 1] - (*v->offsets)[i] != size) {
            ok = false;
            other = (*v->offsets)[i + 1] - (*v->offsets)[i];
          }
        }
        if (!ok) {
          Fault(node, marks, i, [&] {
            return "collections of different sizes (" + std::to_string(size) + " and " + std::to_string(other) + ")";
          });
        }
        (*off)[i + 1] = (*off)[i] + (ok ? size : 0);
      }
      for (Value* v : values) {
        if (!v->jagged) continue;
        Value g = Make(v->type, n_, off);
        const int w = ByteWidth(v->type);
        for (int64_t i = 0; i < n_; ++i) {
          const int64_t len = (*off)[i + 1] - (*off)[i];
          if (len) std::memcpy(&g.bytes[(*off)[i] * w], &Bytes(*v)[(*v->offsets)[i] * w], len * w);
        }
        g.marks = std::move(v->marks);
        MergeMarks(g.marks, marks);
        *v = std::move(g);
      }
      ref = off;
    }
    for (Value* v : values) {
      if (!v->jagged) *v = Broadcast(*v, ref);
      else v->offsets = ref;
    }
  }

  // Marks of all `values` combined.
  static std::vector<uint32_t> Marks(std::initializer_list<const Value*> values) {
    std::vector<uint32_t> m;
    for (const Value* v : values) MergeMarks(m, v->marks);
    return m;
  }

  Result<Value> Unary(const Node& node) {
    RB_ASSIGN_OR_RETURN(Value a, Eval(*node.args[0]));
    const DataType compute = IsFloat(a.type) ? a.type : Promote(a.type);
    if (node.name == "!") {
      Value out = Make(DataType::kBool, a.num_entries, a.offsets);
      VisitDataType(a.type, [&](auto tag) {
        using T = decltype(tag);
        const T* x = In<T>(a);
        bool* o = Data<bool>(out);
        for (int64_t i = 0, n = Count(a); i < n; ++i) o[i] = !x[i];
      });
      out.marks = std::move(a.marks);
      return Cast(std::move(out), node.type.elem);
    }
    Value c = Cast(std::move(a), compute);
    if (node.name != "+") {
      VisitDataType(compute, [&](auto tag) {
        using T = decltype(tag);
        T* x = Data<T>(c);
        const int64_t n = Count(c);
        if constexpr (std::is_floating_point_v<T>) {
          if (node.name == "-") for (int64_t i = 0; i < n; ++i) x[i] = -x[i];
        } else if constexpr (!std::is_same_v<T, bool>) {
          using U = std::make_unsigned_t<T>;  // wraps instead of overflowing
          if (node.name == "-") for (int64_t i = 0; i < n; ++i) x[i] = static_cast<T>(U(0) - static_cast<U>(x[i]));
          if (node.name == "~") for (int64_t i = 0; i < n; ++i) x[i] = static_cast<T>(~static_cast<U>(x[i]));
        }
      });
    }
    return Cast(std::move(c), node.type.elem);
  }

  // Whether `node` is the same for every entry: no column, no rdfentry_.
  static bool IsConstant(const Node& node) {
    switch (node.kind) {
      case NodeKind::kLiteral: return true;
      case NodeKind::kCast:
      case NodeKind::kUnary: return IsConstant(*node.args[0]);
      case NodeKind::kCall: return node.function == static_cast<int>(Function::kConstant);
      default: return false;
    }
  }

  // The right operand of `node` evaluated once, when it is a constant that
  // cannot fail (a literal or TMath::Pi(): `Jet_pt > 30`), so that it is
  // neither repeated over the entries nor broadcast over the items.
  std::optional<Value> ConstantOperand(const Node& node) {
    const Node& rhs = *node.args[1];
    if (node.name == "<<" || node.name == ">>" || !IsConstant(rhs)) return std::nullopt;
    Evaluator one(inputs_, types_, entries_, 1);
    auto v = one.Eval(rhs);
    if (!v.IsOk() || !v->marks.empty()) return std::nullopt;
    return std::move(*v);
  }

  Result<Value> Binary(const Node& node) {
    const std::string& op = node.name;
    RB_ASSIGN_OR_RETURN(Value a, Eval(*node.args[0]));
    std::optional<Value> constant = ConstantOperand(node);
    Value b;
    if (constant) {
      b = std::move(*constant);
    } else {
      RB_ASSIGN_OR_RETURN(b, Eval(*node.args[1]));
    }
    const bool logical = op == "&&" || op == "||";
    if (logical) {
      a = Cast(std::move(a), DataType::kBool);
      b = Cast(std::move(b), DataType::kBool);
    } else if (op == "<<" || op == ">>") {
      a = Cast(std::move(a), Promote(a.type));
      b = Cast(std::move(b), DataType::kInt64);
    } else {
      const DataType common = CommonType(a.type, b.type);
      a = Cast(std::move(a), common);
      b = Cast(std::move(b), common);
    }
    const bool scalar_logic = logical && !a.jagged && !b.jagged;
    if (!constant) Align(node, {&a, &b});
    const bool compare = op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=";
    Value out = Make(compare || logical ? DataType::kBool : a.type, a.num_entries, a.offsets);
    const int64_t n = Count(a);
    std::vector<uint32_t> marks;
    if (scalar_logic) {
      // C++'s short circuit: the right side's failure counts only where it is evaluated.
      marks = a.marks;
      const bool* x = In<bool>(a);
      if (!b.marks.empty()) {
        if (marks.empty()) marks.assign(static_cast<size_t>(n_), 0);
        for (int64_t i = 0; i < n_; ++i) {
          if (marks[i] == 0 && x[i] == (op == "&&")) marks[i] = b.marks[i];
        }
      }
    } else {
      marks = Marks({&a, &b});
    }
    VisitDataType(a.type, [&](auto tag) {
      using T = decltype(tag);
      const T* x = In<T>(a);
      const T* ys = In<T>(b);
      // One kernel body for a right operand per item and for a constant one.
      auto kernel = [&](auto y) {
        if (compare) {
          bool* o = Data<bool>(out);
          if (op == "==") for (int64_t i = 0; i < n; ++i) o[i] = x[i] == y(i);
          if (op == "!=") for (int64_t i = 0; i < n; ++i) o[i] = x[i] != y(i);
          if (op == "<") for (int64_t i = 0; i < n; ++i) o[i] = x[i] < y(i);
          if (op == "<=") for (int64_t i = 0; i < n; ++i) o[i] = x[i] <= y(i);
          if (op == ">") for (int64_t i = 0; i < n; ++i) o[i] = x[i] > y(i);
          if (op == ">=") for (int64_t i = 0; i < n; ++i) o[i] = x[i] >= y(i);
          return;
        }
        T* o = Data<T>(out);
        if constexpr (std::is_same_v<T, bool>) {
          if (op == "&&") for (int64_t i = 0; i < n; ++i) o[i] = x[i] && y(i);
          if (op == "||") for (int64_t i = 0; i < n; ++i) o[i] = x[i] || y(i);
        } else if constexpr (std::is_floating_point_v<T>) {
          if (op == "+") for (int64_t i = 0; i < n; ++i) o[i] = x[i] + y(i);
          if (op == "-") for (int64_t i = 0; i < n; ++i) o[i] = x[i] - y(i);
          if (op == "*") for (int64_t i = 0; i < n; ++i) o[i] = x[i] * y(i);
          if (op == "/") for (int64_t i = 0; i < n; ++i) o[i] = x[i] / y(i);  // IEEE: inf or nan
        } else {
          using U = std::make_unsigned_t<T>;  // two's complement wrap instead of overflow
          if (op == "+") for (int64_t i = 0; i < n; ++i) o[i] = static_cast<T>(static_cast<U>(x[i]) + static_cast<U>(y(i)));
          if (op == "-") for (int64_t i = 0; i < n; ++i) o[i] = static_cast<T>(static_cast<U>(x[i]) - static_cast<U>(y(i)));
          if (op == "*") for (int64_t i = 0; i < n; ++i) o[i] = static_cast<T>(static_cast<U>(x[i]) * static_cast<U>(y(i)));
          if (op == "&") for (int64_t i = 0; i < n; ++i) o[i] = x[i] & y(i);
          if (op == "|") for (int64_t i = 0; i < n; ++i) o[i] = x[i] | y(i);
          if (op == "^") for (int64_t i = 0; i < n; ++i) o[i] = x[i] ^ y(i);
          if (op == "/" || op == "%") {
            for (int64_t i = 0; i < n; ++i) {
              const T d = y(i);
              bool bad = d == 0;
              if constexpr (std::is_signed_v<T>) bad = bad || (d == -1 && x[i] == std::numeric_limits<T>::min());
              if (bad) {
                o[i] = 0;
                const int64_t entry = a.jagged ? EntryOf(*a.offsets, i) : i;
                Fault(node, marks, entry, [&] { return d == 0 ? "integer division by zero" : "integer division overflow"; });
              } else {
                o[i] = op == "/" ? static_cast<T>(x[i] / d) : static_cast<T>(x[i] % d);
              }
            }
          }
          if (op == "<<" || op == ">>") {
            const int64_t* s = In<int64_t>(b);
            constexpr int kBits = sizeof(T) * 8;
            for (int64_t i = 0; i < n; ++i) {
              if (s[i] < 0 || s[i] >= kBits) {
                o[i] = 0;
                const int64_t entry = a.jagged ? EntryOf(*a.offsets, i) : i;
                const int64_t count = s[i];
                Fault(node, marks, entry, [&] {
                  return "shift by " + std::to_string(count) + " bits of a " + std::to_string(kBits) + "-bit value";
                });
              } else if (op == "<<") {
                o[i] = static_cast<T>(static_cast<U>(x[i]) << s[i]);
              } else {
                o[i] = static_cast<T>(x[i] >> s[i]);
              }
            }
          }
        }
      };
      if (constant) {
        const T c = ys[0];
        kernel([c](int64_t) { return c; });
      } else {
        kernel([ys](int64_t i) { return ys[i]; });
      }
    });
    out.marks = std::move(marks);
    return Cast(std::move(out), node.type.elem);
  }

  Result<Value> Ternary(const Node& node) {
    RB_ASSIGN_OR_RETURN(Value c, Eval(*node.args[0]));
    RB_ASSIGN_OR_RETURN(Value a, Eval(*node.args[1]));
    RB_ASSIGN_OR_RETURN(Value b, Eval(*node.args[2]));
    c = Cast(std::move(c), DataType::kBool);
    a = Cast(std::move(a), node.type.elem);
    b = Cast(std::move(b), node.type.elem);
    const bool* cond = In<bool>(c);
    std::vector<uint32_t> marks = c.marks;
    if (!a.marks.empty() || !b.marks.empty()) {
      if (marks.empty()) marks.assign(static_cast<size_t>(n_), 0);
      for (int64_t i = 0; i < n_; ++i) {
        const auto& chosen = cond[i] ? a.marks : b.marks;
        if (marks[i] == 0 && !chosen.empty()) marks[i] = chosen[i];
      }
    }
    const int w = ByteWidth(node.type.elem);
    Value out;
    if (!node.type.jagged) {
      out = Make(node.type.elem, n_, nullptr);
      VisitWidth(w, [&](auto tag) {
        using E = decltype(tag);
        const E* x = In<E>(a);
        const E* y = In<E>(b);
        E* o = Data<E>(out);
        for (int64_t i = 0; i < n_; ++i) o[i] = cond[i] ? x[i] : y[i];
      });
    } else {
      auto off = std::make_shared<std::vector<int64_t>>(static_cast<size_t>(n_ + 1), 0);
      for (int64_t i = 0; i < n_; ++i) {
        const auto& o = *(cond[i] ? a : b).offsets;
        (*off)[i + 1] = (*off)[i] + o[i + 1] - o[i];
      }
      out = Make(node.type.elem, n_, off);
      for (int64_t i = 0; i < n_; ++i) {
        const Value& src = cond[i] ? a : b;
        const int64_t len = (*off)[i + 1] - (*off)[i];
        if (len) std::memcpy(&out.bytes[(*off)[i] * w], &Bytes(src)[(*src.offsets)[i] * w], len * w);
      }
    }
    out.marks = std::move(marks);
    return out;
  }

  Result<Value> Index(const Node& node) {
    RB_ASSIGN_OR_RETURN(Value a, Eval(*node.args[0]));
    RB_ASSIGN_OR_RETURN(Value i, Eval(*node.args[1]));
    const int w = ByteWidth(a.type);
    if (!i.jagged) {
      // Out of range (ROOT: undefined) is an error at that entry.
      i = Cast(std::move(i), DataType::kInt64);
      const int64_t* idx = In<int64_t>(i);
      Value out = Make(a.type, n_, nullptr);
      std::vector<uint32_t> marks = Marks({&a, &i});
      const auto& off = *a.offsets;
      VisitWidth(w, [&](auto tag) {
        using E = decltype(tag);
        const E* x = In<E>(a);
        E* o = Data<E>(out);
        for (int64_t e = 0; e < n_; ++e) {
          const int64_t size = off[e + 1] - off[e];
          if (idx[e] < 0 || idx[e] >= size) {
            const int64_t at = idx[e];
            Fault(node, marks, e, [&] {
              return "index " + std::to_string(at) + " out of range for a collection of size " + std::to_string(size);
            });
          } else {
            o[e] = x[off[e] + idx[e]];
          }
        }
      });
      out.marks = std::move(marks);
      return out;
    }
    i = Cast(std::move(i), DataType::kBool);
    Align(node, {&a, &i});
    const bool* keep = In<bool>(i);
    const auto& off = *a.offsets;
    auto out_off = std::make_shared<std::vector<int64_t>>(static_cast<size_t>(n_ + 1), 0);
    for (int64_t e = 0; e < n_; ++e) {
      int64_t k = 0;
      for (int64_t j = off[e]; j < off[e + 1]; ++j) k += keep[j];
      (*out_off)[e + 1] = (*out_off)[e] + k;
    }
    Value out = Make(a.type, n_, out_off);
    VisitWidth(w, [&](auto tag) {
      using E = decltype(tag);
      const E* x = In<E>(a);
      E* o = Data<E>(out);
      int64_t at = 0;
      for (int64_t j = 0, n = off.back(); j < n; ++j) {
        if (keep[j]) o[at++] = x[j];
      }
    });
    out.marks = Marks({&a, &i});
    return out;
  }

  Result<Value> Call(const Node& node);

  std::span<const Column* const> inputs_;
  std::span<const ExprType> types_;
  EntryNumbers entries_;
  int64_t n_;
  std::vector<Offsets> slot_offsets_;
};


// ROOT's DeltaPhi: the angle from v1 to v2 in [-pi, pi], fmod computed in double.
template <typename C>
C DeltaPhiOf(C v1, C v2) {
  const C c = static_cast<C>(M_PI);
  double r = std::fmod(v2 - v1, 2.0 * c);
  if (r < -c) {
    r += 2.0 * c;
  } else if (r > c) {
    r -= 2.0 * c;
  }
  return static_cast<C>(r);
}

// The invariant mass of two particles from (px, py, pz, m), in the
// numerically stable form ROOT::VecOps uses (angle between the momenta).
template <typename C>
C PairMass(C x1, C y1, C z1, C m1, C x2, C y2, C z2, C m2) {
  const C p1_sq = x1 * x1 + y1 * y1 + z1 * z1;
  const C p2_sq = x2 * x2 + y2 * y2 + z2 * z2;
  if (p1_sq <= 0 && p2_sq <= 0) return m1 + m2;
  if (p1_sq <= 0 || p2_sq <= 0) {
    const C mm = p1_sq <= 0 ? m1 + std::sqrt(m2 * m2 + p2_sq) : m2 + std::sqrt(m1 * m1 + p1_sq);
    const C m_sq = mm * mm - (p1_sq <= 0 ? p2_sq : p1_sq);
    return m_sq >= 0 ? std::sqrt(m_sq) : std::sqrt(-m_sq);
  }
  const C m1_sq = m1 * m1;
  const C m2_sq = m2 * m2;
  const C r1 = m1_sq / p1_sq;
  const C r2 = m2_sq / p2_sq;
  const C x = r1 + r2 + r1 * r2;
  const C cx = y1 * z2 - y2 * z1;
  const C cy = x1 * z2 - x2 * z1;
  const C cz = x1 * y2 - x2 * y1;
  const C a = std::atan2(std::sqrt(cx * cx + cy * cy + cz * cz), x1 * x2 + y1 * y2 + z1 * z2);
  const C cos_a = std::cos(a);
  C y;
  if (cos_a >= 0) {
    y = (x + std::sin(a) * std::sin(a)) / (std::sqrt(x + 1) + cos_a);
  } else {
    y = std::sqrt(x + 1) - cos_a;
  }
  const C z = 2 * std::sqrt(p1_sq * p2_sq);
  return std::sqrt(m1_sq + m2_sq + y * z);
}

template <typename T>
T ApplyMath(Function f, T x) {
  switch (f) {
    case Function::kSqrt: return std::sqrt(x);
    case Function::kExp: return std::exp(x);
    case Function::kLog: return std::log(x);
    case Function::kLog10: return std::log10(x);
    case Function::kSin: return std::sin(x);
    case Function::kCos: return std::cos(x);
    case Function::kTan: return std::tan(x);
    case Function::kAsin: return std::asin(x);
    case Function::kAcos: return std::acos(x);
    case Function::kAtan: return std::atan(x);
    case Function::kSinh: return std::sinh(x);
    case Function::kCosh: return std::cosh(x);
    case Function::kTanh: return std::tanh(x);
    case Function::kFloor: return std::floor(x);
    case Function::kCeil: return std::ceil(x);
    case Function::kRound: return std::round(x);
    case Function::kFabs:
    case Function::kAbs: return std::fabs(x);
    default: return x;
  }
}

Result<Value> Evaluator::Call(const Node& node) {
  const auto f = static_cast<Function>(node.function);
  const DataType rt = node.type.elem;
  std::vector<Value> args;
  for (const auto& a : node.args) {
    RB_ASSIGN_OR_RETURN(Value v, Eval(*a));
    args.push_back(std::move(v));
  }
  auto all_marks = [&] {
    std::vector<uint32_t> m;
    for (const Value& v : args) MergeMarks(m, v.marks);
    return m;
  };
  switch (f) {
    case Function::kConstant: {
      Value out = Make(DataType::kFloat64, n_, nullptr);
      std::fill_n(Data<double>(out), n_, node.float_value);
      return out;
    }
    case Function::kAbs:
      if (!IsFloat(rt)) {
        Value v = Cast(std::move(args[0]), rt);
        VisitDataType(rt, [&](auto tag) {
          using T = decltype(tag);
          if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
            using U = std::make_unsigned_t<T>;
            T* x = Data<T>(v);
            for (int64_t i = 0, n = Count(v); i < n; ++i) {
              if (x[i] < 0) x[i] = static_cast<T>(U(0) - static_cast<U>(x[i]));
            }
          }
        });
        return v;
      }
      [[fallthrough]];
    case Function::kSqrt: case Function::kExp: case Function::kLog: case Function::kLog10: case Function::kSin:
    case Function::kCos: case Function::kTan: case Function::kAsin: case Function::kAcos: case Function::kAtan:
    case Function::kSinh: case Function::kCosh: case Function::kTanh: case Function::kFloor: case Function::kCeil:
    case Function::kRound: case Function::kFabs: {
      Value v = Cast(std::move(args[0]), rt);
      if (rt == DataType::kFloat32) {
        float* x = Data<float>(v);
        for (int64_t i = 0, n = Count(v); i < n; ++i) x[i] = ApplyMath(f, x[i]);
      } else {
        double* x = Data<double>(v);
        for (int64_t i = 0, n = Count(v); i < n; ++i) x[i] = ApplyMath(f, x[i]);
      }
      return v;
    }
    case Function::kPow: case Function::kAtan2: case Function::kHypot: case Function::kMin2: case Function::kMax2: {
      Value a = Cast(std::move(args[0]), rt);
      Value b = Cast(std::move(args[1]), rt);
      Align(node, {&a, &b});
      std::vector<uint32_t> marks = Marks({&a, &b});
      VisitDataType(rt, [&](auto tag) {
        using T = decltype(tag);
        T* x = Data<T>(a);
        const T* y = In<T>(b);
        const int64_t n = Count(a);
        if (f == Function::kMin2) for (int64_t i = 0; i < n; ++i) x[i] = (y[i] < x[i]) ? y[i] : x[i];
        if (f == Function::kMax2) for (int64_t i = 0; i < n; ++i) x[i] = (x[i] < y[i]) ? y[i] : x[i];
        if constexpr (std::is_floating_point_v<T>) {
          if (f == Function::kPow) for (int64_t i = 0; i < n; ++i) x[i] = std::pow(x[i], y[i]);
          if (f == Function::kAtan2) for (int64_t i = 0; i < n; ++i) x[i] = std::atan2(x[i], y[i]);
          if (f == Function::kHypot) for (int64_t i = 0; i < n; ++i) x[i] = std::hypot(x[i], y[i]);
        }
      });
      a.marks = std::move(marks);
      return a;
    }
    default: break;
  }
  // ROOT::VecOps: loops per entry over the items of the collection(s).
  Value& v = args[0];
  const DataType et = v.type;
  if (f == Function::kDeltaPhi || f == Function::kDeltaR || f == Function::kInvariantMasses ||
      f == Function::kInvariantMass) {
    std::vector<Value*> ptrs;
    for (Value& a : args) {
      a = Cast(std::move(a), rt);
      ptrs.push_back(&a);
    }
    if (f != Function::kInvariantMass) Align(node, ptrs);
    std::vector<uint32_t> marks = all_marks();
    Value out;
    VisitDataType(rt, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_floating_point_v<T>) {
        std::vector<const T*> p;
        for (Value& a : args) p.push_back(In<T>(a));
        if (f == Function::kInvariantMass) {
          out = Make(rt, n_, nullptr);
          T* o = Data<T>(out);
          for (int64_t e = 0; e < n_; ++e) {
            const int64_t size = (*args[0].offsets)[e + 1] - (*args[0].offsets)[e];
            bool same = true;
            for (Value& a : args) same = same && (*a.offsets)[e + 1] - (*a.offsets)[e] == size;
            if (!same) {
              Fault(node, marks, e, [] { return std::string("collections of different sizes"); });
              o[e] = 0;
              continue;
            }
            T xs = 0, ys = 0, zs = 0, es = 0;
            for (int64_t k = 0; k < size; ++k) {
              const T pt = p[0][(*args[0].offsets)[e] + k], eta = p[1][(*args[1].offsets)[e] + k];
              const T phi = p[2][(*args[2].offsets)[e] + k], m = p[3][(*args[3].offsets)[e] + k];
              const T x = pt * std::cos(phi), y = pt * std::sin(phi), z = pt * std::sinh(eta);
              xs += x;
              ys += y;
              zs += z;
              es += std::sqrt(x * x + y * y + z * z + m * m);
            }
            o[e] = std::sqrt(es * es - xs * xs - ys * ys - zs * zs);
          }
          return;
        }
        out = Make(rt, args[0].num_entries, args[0].offsets);
        T* o = Data<T>(out);
        const int64_t n = Count(args[0]);
        if (f == Function::kDeltaPhi) {
          for (int64_t i = 0; i < n; ++i) o[i] = DeltaPhiOf<T>(p[0][i], p[1][i]);
        } else if (f == Function::kDeltaR) {
          for (int64_t i = 0; i < n; ++i) {
            const T dphi = DeltaPhiOf<T>(p[2][i], p[3][i]);
            o[i] = std::sqrt((p[0][i] - p[1][i]) * (p[0][i] - p[1][i]) + dphi * dphi);
          }
        } else {
          for (int64_t i = 0; i < n; ++i) {
            const T x1 = p[0][i] * std::cos(p[2][i]), y1 = p[0][i] * std::sin(p[2][i]);
            const T z1 = p[0][i] * std::sinh(p[1][i]);
            const T x2 = p[4][i] * std::cos(p[6][i]), y2 = p[4][i] * std::sin(p[6][i]);
            const T z2 = p[4][i] * std::sinh(p[5][i]);
            o[i] = PairMass<T>(x1, y1, z1, p[3][i], x2, y2, z2, p[7][i]);
          }
        }
      }
    });
    out.marks = std::move(marks);
    return out;
  }
  if (f == Function::kConcatenate) {
    Value a = Cast(std::move(args[0]), rt);
    Value b = Cast(std::move(args[1]), rt);
    const int w = ByteWidth(rt);
    auto off = std::make_shared<std::vector<int64_t>>(static_cast<size_t>(n_ + 1), 0);
    const auto &oa = *a.offsets, &ob = *b.offsets;
    for (int64_t e = 0; e < n_; ++e) (*off)[e + 1] = (*off)[e] + (oa[e + 1] - oa[e]) + (ob[e + 1] - ob[e]);
    Value out = Make(rt, n_, off);
    for (int64_t e = 0; e < n_; ++e) {
      const int64_t la = oa[e + 1] - oa[e], lb = ob[e + 1] - ob[e];
      if (la) std::memcpy(&out.bytes[(*off)[e] * w], &Bytes(a)[oa[e] * w], la * w);
      if (lb) std::memcpy(&out.bytes[((*off)[e] + la) * w], &Bytes(b)[ob[e] * w], lb * w);
    }
    out.marks = Marks({&a, &b});
    return out;
  }
  if (f == Function::kWhere) {
    Value c = Cast(std::move(args[0]), DataType::kBool);
    Value a = Cast(std::move(args[1]), rt);
    Value b = Cast(std::move(args[2]), rt);
    Align(node, {&c, &a, &b});
    const bool* cond = In<bool>(c);
    const int w = ByteWidth(rt);
    VisitWidth(w, [&](auto tag) {
      using E = decltype(tag);
      E* x = Data<E>(a);
      const E* y = In<E>(b);
      for (int64_t i = 0, n = Count(a); i < n; ++i) x[i] = cond[i] ? x[i] : y[i];
    });
    a.marks = Marks({&c, &a, &b});
    return a;
  }
  // One collection in, per entry.
  std::vector<uint32_t> marks = all_marks();
  const auto& off = *v.offsets;
  Value out;
  Status status;
  VisitDataType(et, [&](auto tag) {
    using T = decltype(tag);
    const T* x = In<T>(v);
    auto per_entry_scalar = [&](DataType type, auto fn) {
      out = Make(type, n_, nullptr);
      VisitDataType(type, [&](auto otag) {
        using O = decltype(otag);
        O* o = Data<O>(out);
        for (int64_t e = 0; e < n_; ++e) o[e] = static_cast<O>(fn(e, x + off[e], x + off[e + 1]));
      });
    };
    switch (f) {
      case Function::kSum:
        if constexpr (std::is_same_v<T, bool>) {
          per_entry_scalar(rt, [](int64_t, const T* b, const T* en) { return std::accumulate(b, en, uint64_t{0}); });
        } else {
          per_entry_scalar(rt, [](int64_t, const T* b, const T* en) { return std::accumulate(b, en, T(0)); });
        }
        break;
      case Function::kMean:
        per_entry_scalar(rt, [](int64_t, const T* b, const T* en) {
          if (b == en) return 0.0;
          if constexpr (std::is_same_v<T, bool>) {
            return double(std::accumulate(b, en, uint64_t{0})) / static_cast<double>(en - b);
          } else {
            return double(std::accumulate(b, en, T(0))) / static_cast<double>(en - b);
          }
        });
        break;
      case Function::kMax:
      case Function::kMin:
        per_entry_scalar(rt, [&](int64_t e, const T* b, const T* en) {
          if (b == en) {
            Fault(node, marks, e, [&] { return node.name + " of an empty collection"; });
            return T(0);
          }
          return f == Function::kMax ? *std::max_element(b, en) : *std::min_element(b, en);
        });
        break;
      case Function::kArgMax:
      case Function::kArgMin:
        per_entry_scalar(rt, [&](int64_t, const T* b, const T* en) {
          return static_cast<uint64_t>((f == Function::kArgMax ? std::max_element(b, en) : std::min_element(b, en)) - b);
        });
        break;
      case Function::kAny:
        per_entry_scalar(rt, [](int64_t, const T* b, const T* en) { return std::any_of(b, en, [](T t) { return t != 0; }); });
        break;
      case Function::kAll:
        per_entry_scalar(rt, [](int64_t, const T* b, const T* en) { return std::all_of(b, en, [](T t) { return t != 0; }); });
        break;
      default: {
        // Collection out: build per entry into vectors.
        using S = std::conditional_t<std::is_same_v<T, bool>, uint8_t, T>;  // vector<bool> has no data()
        std::vector<S> vals;
        std::vector<uint64_t> idx_vals;
        auto new_off = std::make_shared<std::vector<int64_t>>(static_cast<size_t>(n_ + 1), 0);
        const bool indices_out = f == Function::kNonzero || f == Function::kArgsort;
        Value idx, dflt;
        if (f == Function::kTake) {
          idx = Cast(std::move(args[1]), DataType::kInt64);
          if (args.size() == 3) dflt = Cast(std::move(args[2]), et);
        }
        for (int64_t e = 0; e < n_; ++e) {
          const T* b = x + off[e];
          const int64_t size = off[e + 1] - off[e];
          switch (f) {
            case Function::kNonzero:
              for (int64_t k = 0; k < size; ++k) {
                if (b[k] != 0) idx_vals.push_back(static_cast<uint64_t>(k));
              }
              break;
            case Function::kArgsort: {
              const size_t start = idx_vals.size();
              for (int64_t k = 0; k < size; ++k) idx_vals.push_back(static_cast<uint64_t>(k));
              std::sort(idx_vals.begin() + start, idx_vals.end(), [b](uint64_t i1, uint64_t i2) { return b[i1] < b[i2]; });
              break;
            }
            case Function::kReverse: vals.insert(vals.end(), std::make_reverse_iterator(b + size), std::make_reverse_iterator(b)); break;
            case Function::kSort: {
              const size_t start = vals.size();
              vals.insert(vals.end(), b, b + size);
              std::sort(vals.begin() + start, vals.end());
              break;
            }
            case Function::kTake: {
              const bool has_default = args.size() == 3;
              const T d = has_default ? In<T>(dflt)[idx.jagged ? 0 : e] : T(0);
              if (idx.jagged) {
                const auto& io = *idx.offsets;
                const int64_t* ix = In<int64_t>(idx);
                for (int64_t k = io[e]; k < io[e + 1]; ++k) {
                  const T dv = has_default ? In<T>(dflt)[e] : T(0);
                  if (ix[k] >= 0 && ix[k] < size) {
                    vals.push_back(b[ix[k]]);
                  } else {
                    vals.push_back(dv);
                    if (!has_default) {
                      const int64_t at = ix[k];
                      Fault(node, marks, e, [&] {
                        return "Take: index " + std::to_string(at) + " out of range for a collection of size " +
                               std::to_string(size);
                      });
                    }
                  }
                }
              } else {
                const int64_t cnt = In<int64_t>(idx)[e];
                const int64_t absn = cnt == INT64_MIN ? INT64_MAX : (cnt < 0 ? -cnt : cnt);
                if (absn > kMaxCreatedElements - static_cast<int64_t>(vals.size())) {
                  // Take(v, 1000000000, 0.f) pads: bounded, so that an expression cannot allocate gigabytes.
                  Fault(node, marks, e, [&] {
                    return "Take: " + std::to_string(absn) + " elements requested, more than the " +
                           std::to_string(kMaxCreatedElements) + " one evaluation may create";
                  });
                } else if (absn > size && !has_default) {
                  Fault(node, marks, e, [&] {
                    return "Take: " + std::to_string(absn) + " elements requested from a collection of " +
                           std::to_string(size);
                  });
                } else if (absn <= size) {
                  if (cnt >= 0) vals.insert(vals.end(), b, b + absn);
                  else vals.insert(vals.end(), b + size - absn, b + size);
                } else if (cnt > 0) {
                  vals.insert(vals.end(), b, b + size);
                  vals.insert(vals.end(), static_cast<size_t>(absn - size), d);
                } else {
                  vals.insert(vals.end(), static_cast<size_t>(absn - size), d);
                  vals.insert(vals.end(), b, b + size);
                }
              }
              if (!idx.marks.empty()) MergeMarks(marks, idx.marks);
              if (!dflt.marks.empty()) MergeMarks(marks, dflt.marks);
              break;
            }
            default:
              status = Internal("unhandled function " + node.name);
              return;
          }
          (*new_off)[e + 1] = static_cast<int64_t>(indices_out ? idx_vals.size() : vals.size());
        }
        out = Make(rt, n_, new_off);
        // Empty results (Take(v, 0)) may have no data pointer, which memcpy must not get.
        if (indices_out && !idx_vals.empty()) {
          std::memcpy(out.bytes.data(), idx_vals.data(), idx_vals.size() * sizeof(uint64_t));
        } else if (!indices_out && !vals.empty()) {
          std::memcpy(out.bytes.data(), vals.data(), vals.size() * sizeof(S));
        }
      }
    }
  });
  RB_RETURN_IF_ERROR(status);
  out.marks = std::move(marks);
  return out;
}

}  // namespace

Result<Value> EvaluateTree(const Node& root, std::span<const Column* const> inputs, std::span<const ExprType> input_types,
                           EntryNumbers entries, int64_t num_entries, std::span<Node* const> nodes,
                           std::string_view text) {
  if (!entries.list.empty() && static_cast<int64_t>(entries.list.size()) != num_entries) {
    return InvalidArgument("expression '" + std::string(text) + "': " + std::to_string(entries.list.size()) +
                           " entry numbers for " + std::to_string(num_entries) + " entries");
  }
  Evaluator ev(inputs, input_types, entries, num_entries);
  RB_ASSIGN_OR_RETURN(Value v, ev.Eval(root));
  Data<uint8_t>(v);  // the result owns its bytes, even when it is an input unchanged
  for (int64_t e = 0; e < static_cast<int64_t>(v.marks.size()); ++e) {
    if (v.marks[e] == 0) continue;
    const int id = static_cast<int>(v.marks[e]) - 1;
    const Node& n = *nodes[id];
    std::string detail = "evaluation failed";
    if (auto it = ev.faults_.find(id); it != ev.faults_.end()) detail = it->second.second;
    if (auto it = ev.faults_.find(id); it != ev.faults_.end() && it->second.first != e) {
      // Only the first failure of each node keeps its detail.
      detail += " (that detail is from entry " + std::to_string(entries.At(it->second.first)) + ")";
    }
    return InvalidArgument("entry " + std::to_string(entries.At(e)) + ": " + detail + " in '" +
                           std::string(text.substr(n.pos, n.end - n.pos)) + "' of expression '" + std::string(text) +
                           "'");
  }
  return v;
}

}  // namespace rootbatch::expr
