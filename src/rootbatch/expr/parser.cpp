#include "rootbatch/expr/parser.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

namespace rootbatch::expr {

std::string CaretMessage(std::string_view what, std::string_view text, size_t pos) {
  std::string out(what);
  out += " at position " + std::to_string(pos) + ":\n  ";
  out += text;
  out += "\n  ";
  out += std::string(pos, ' ');
  out += '^';
  return out;
}

namespace {

// Recursion of the parser itself: nested parentheses, calls and prefix
// operators. ROOT's own expressions stay far below.
constexpr int kMaxExprNesting = 200;
// Height of the syntax tree (every later pass recurses once per level): a
// sum of 1000 terms still parses.
constexpr int kMaxExprHeight = 1000;

enum class Tok : uint8_t { kNumber, kIdent, kPunct, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;
  size_t pos = 0;
  size_t end = 0;
};

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Lexer {
 public:
  Lexer(std::string_view text, const IsColumnName& is_column) : text_(text), is_column_(is_column) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> out;
    size_t i = 0;
    while (true) {
      while (i < text_.size() && std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
      if (i >= text_.size()) break;
      const char c = text_[i];
      Token t;
      t.pos = i;
      if (std::isdigit(static_cast<unsigned char>(c)) ||
          (c == '.' && i + 1 < text_.size() && std::isdigit(static_cast<unsigned char>(text_[i + 1])))) {
        t.kind = Tok::kNumber;
        i = NumberEnd(i);
      } else if (IsIdentStart(c)) {
        t.kind = Tok::kIdent;
        i = IdentEnd(i);
      } else {
        static constexpr std::string_view kTwo[] = {"&&", "||", "==", "!=", "<=", ">=", "<<", ">>", "::"};
        t.kind = Tok::kPunct;
        size_t len = 0;
        for (std::string_view two : kTwo) {
          if (text_.substr(i, 2) == two) len = 2;
        }
        if (len == 0) {
          static constexpr std::string_view kOne = "+-*/%<>!~&|^?:()[],.";
          if (kOne.find(c) == std::string_view::npos) {
            return InvalidArgument(CaretMessage("unexpected character '" + std::string(1, c) + "'", text_, i));
          }
          len = 1;
        }
        i += len;
      }
      t.end = i;
      t.text = std::string(text_.substr(t.pos, i - t.pos));
      out.push_back(std::move(t));
    }
    Token end;
    end.pos = end.end = text_.size();
    out.push_back(end);
    return out;
  }

 private:
  size_t NumberEnd(size_t i) const {
    if (text_[i] == '0' && i + 1 < text_.size() && (text_[i + 1] == 'x' || text_[i + 1] == 'X')) {
      i += 2;
      while (i < text_.size() && std::isxdigit(static_cast<unsigned char>(text_[i]))) ++i;
    } else {
      while (i < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[i])) || text_[i] == '.')) ++i;
      if (i < text_.size() && (text_[i] == 'e' || text_[i] == 'E')) {
        size_t j = i + 1;
        if (j < text_.size() && (text_[j] == '+' || text_[j] == '-')) ++j;
        if (j < text_.size() && std::isdigit(static_cast<unsigned char>(text_[j]))) {
          i = j;
          while (i < text_.size() && std::isdigit(static_cast<unsigned char>(text_[i]))) ++i;
        }
      }
    }
    while (i < text_.size() && IsIdentChar(text_[i])) ++i;  // suffixes; checked by the parser
    return i;
  }

  size_t SegmentEnd(size_t i) const {
    while (i < text_.size() && IsIdentChar(text_[i])) ++i;
    return i;
  }

  // A name: the longest run of segments joined by '.' or '/' that is a
  // column, else the segments joined by '.' up to a member call.
  size_t IdentEnd(size_t start) const {
    const size_t first = SegmentEnd(start);
    size_t best = first;
    size_t i = first;
    while (i + 1 < text_.size() && (text_[i] == '.' || text_[i] == '/') && IsIdentStart(text_[i + 1])) {
      i = SegmentEnd(i + 1);
      if (is_column_ && is_column_(text_.substr(start, i - start))) best = i;
    }
    if (best > first || (is_column_ && is_column_(text_.substr(start, first - start)))) return best;
    i = first;
    while (i + 1 < text_.size() && text_[i] == '.' && IsIdentStart(text_[i + 1])) {
      const size_t next = SegmentEnd(i + 1);
      size_t k = next;
      while (k < text_.size() && std::isspace(static_cast<unsigned char>(text_[k]))) ++k;
      if (k < text_.size() && text_[k] == '(') break;  // a member call: v.size()
      i = next;
    }
    return i;
  }

  std::string_view text_;
  const IsColumnName& is_column_;
};

// Binding power of a binary operator (C++ precedence), 0 if not one.
int BindingPower(std::string_view op) {
  if (op == "||") return 1;
  if (op == "&&") return 2;
  if (op == "|") return 3;
  if (op == "^") return 4;
  if (op == "&") return 5;
  if (op == "==" || op == "!=") return 6;
  if (op == "<" || op == "<=" || op == ">" || op == ">=") return 7;
  if (op == "<<" || op == ">>") return 8;
  if (op == "+" || op == "-") return 9;
  if (op == "*" || op == "/" || op == "%") return 10;
  return 0;
}

// The C++ and ROOT type names a cast may name.
std::optional<DataType> TypeFromWords(const std::vector<std::string>& words) {
  std::string joined;
  for (const auto& w : words) joined += (joined.empty() ? "" : " ") + w;
  static const std::pair<std::string_view, DataType> kNames[] = {
      {"bool", DataType::kBool}, {"Bool_t", DataType::kBool},
      {"char", DataType::kInt8}, {"signed char", DataType::kInt8}, {"Char_t", DataType::kInt8},
      {"std::int8_t", DataType::kInt8}, {"int8_t", DataType::kInt8},
      {"unsigned char", DataType::kUInt8}, {"UChar_t", DataType::kUInt8},
      {"std::uint8_t", DataType::kUInt8}, {"uint8_t", DataType::kUInt8},
      {"short", DataType::kInt16}, {"short int", DataType::kInt16}, {"Short_t", DataType::kInt16},
      {"std::int16_t", DataType::kInt16}, {"int16_t", DataType::kInt16},
      {"unsigned short", DataType::kUInt16}, {"UShort_t", DataType::kUInt16},
      {"std::uint16_t", DataType::kUInt16}, {"uint16_t", DataType::kUInt16},
      {"int", DataType::kInt32}, {"signed", DataType::kInt32}, {"Int_t", DataType::kInt32},
      {"std::int32_t", DataType::kInt32}, {"int32_t", DataType::kInt32},
      {"unsigned", DataType::kUInt32}, {"unsigned int", DataType::kUInt32}, {"UInt_t", DataType::kUInt32},
      {"std::uint32_t", DataType::kUInt32}, {"uint32_t", DataType::kUInt32},
      {"long", DataType::kInt64}, {"long int", DataType::kInt64}, {"long long", DataType::kInt64},
      {"Long_t", DataType::kInt64}, {"Long64_t", DataType::kInt64},
      {"std::int64_t", DataType::kInt64}, {"int64_t", DataType::kInt64},
      {"unsigned long", DataType::kUInt64}, {"unsigned long long", DataType::kUInt64},
      {"ULong_t", DataType::kUInt64}, {"ULong64_t", DataType::kUInt64}, {"std::size_t", DataType::kUInt64},
      {"size_t", DataType::kUInt64}, {"std::uint64_t", DataType::kUInt64}, {"uint64_t", DataType::kUInt64},
      {"float", DataType::kFloat32}, {"Float_t", DataType::kFloat32},
      {"double", DataType::kFloat64}, {"Double_t", DataType::kFloat64},
  };
  for (const auto& [name, type] : kNames) {
    if (joined == name) return type;
  }
  return std::nullopt;
}

bool IsTypeWord(std::string_view w) {
  static constexpr std::string_view kWords[] = {
      "bool", "char", "short", "int", "long", "unsigned", "signed", "float", "double", "Bool_t", "Char_t",
      "UChar_t", "Short_t", "UShort_t", "Int_t", "UInt_t", "Long_t", "ULong_t", "Long64_t", "ULong64_t",
      "Float_t", "Double_t", "size_t", "int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t", "uint32_t",
      "int64_t", "uint64_t"};
  for (std::string_view k : kWords) {
    if (w == k) return true;
  }
  return false;
}

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens) : text_(text), toks_(std::move(tokens)) {}

  Result<std::unique_ptr<Node>> Run() {
    RB_ASSIGN_OR_RETURN(auto node, Expr(0));
    if (Peek().kind != Tok::kEnd) return Error("unexpected '" + Peek().text + "'", Peek().pos);
    return node;
  }

 private:
  const Token& Peek(size_t ahead = 0) const { return toks_[std::min(at_ + ahead, toks_.size() - 1)]; }
  bool IsPunct(std::string_view p, size_t ahead = 0) const {
    return Peek(ahead).kind == Tok::kPunct && Peek(ahead).text == p;
  }
  const Token& Next() { return toks_[std::min(at_++, toks_.size() - 1)]; }

  Status Error(std::string what, size_t pos) const { return InvalidArgument(CaretMessage(what, text_, pos)); }

  // Attaches `child` to `parent`, keeping the tree's height within
  // kMaxExprHeight: loops build long chains ("a+b+c+...", "v[0][0]...")
  // without recursing here, but the checker, the evaluator and the tree's
  // destructor recurse once per level.
  Status Adopt(Node& parent, std::unique_ptr<Node> child) {
    const int height = child->height + 1;
    const size_t pos = child->pos;
    parent.args.push_back(std::move(child));
    parent.height = std::max(parent.height, height);
    if (height > kMaxExprHeight) {
      return Error("expression nested more than " + std::to_string(kMaxExprHeight) + " operations deep", pos);
    }
    return Status::Ok();
  }

  // Counts the parser's own recursion (parentheses, calls, prefix operators).
  Status Enter(size_t pos) {
    if (++depth_ > kMaxExprNesting) {
      return Error("expression nested too deeply (more than " + std::to_string(kMaxExprNesting) + " levels)", pos);
    }
    return Status::Ok();
  }
  Status Expect(std::string_view p) {
    if (!IsPunct(p)) {
      const std::string found = Peek().kind == Tok::kEnd ? "the end" : "'" + Peek().text + "'";
      return Error("expected '" + std::string(p) + "' but found " + found, Peek().pos);
    }
    Next();
    return Status::Ok();
  }

  static std::unique_ptr<Node> Make(NodeKind kind, std::string name, size_t pos, size_t end) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->name = std::move(name);
    n->pos = pos;
    n->end = end;
    return n;
  }

  Result<std::unique_ptr<Node>> Expr(int min_bp) {
    RB_RETURN_IF_ERROR(Enter(Peek().pos));
    RB_ASSIGN_OR_RETURN(auto lhs, Unary());
    while (true) {
      const Token& t = Peek();
      if (t.kind != Tok::kPunct) break;
      if (t.text == "?") {
        if (min_bp > 0) break;  // ?: binds weakest and groups to the right
        Next();
        RB_ASSIGN_OR_RETURN(auto yes, Expr(0));
        RB_RETURN_IF_ERROR(Expect(":"));
        RB_ASSIGN_OR_RETURN(auto no, Expr(0));
        auto n = Make(NodeKind::kTernary, "?:", lhs->pos, no->end);
        RB_RETURN_IF_ERROR(Adopt(*n, std::move(lhs)));
        RB_RETURN_IF_ERROR(Adopt(*n, std::move(yes)));
        RB_RETURN_IF_ERROR(Adopt(*n, std::move(no)));
        lhs = std::move(n);
        continue;
      }
      const int bp = BindingPower(t.text);
      if (bp == 0 || bp < min_bp) break;
      const std::string op = Next().text;
      RB_ASSIGN_OR_RETURN(auto rhs, Expr(bp + 1));  // left associative
      auto n = Make(NodeKind::kBinary, op, lhs->pos, rhs->end);
      RB_RETURN_IF_ERROR(Adopt(*n, std::move(lhs)));
      RB_RETURN_IF_ERROR(Adopt(*n, std::move(rhs)));
      lhs = std::move(n);
    }
    --depth_;
    return lhs;
  }

  // A type name at the cursor (words and std:: prefixes), without consuming.
  std::optional<std::pair<DataType, size_t>> TypeAt(size_t ahead) const {
    std::vector<std::string> words;
    size_t k = ahead;
    if (Peek(k).kind == Tok::kIdent && Peek(k).text == "std" && IsPunct("::", k + 1)) {
      words.push_back("std::" + Peek(k + 2).text);
      k += 3;
    }
    while (Peek(k).kind == Tok::kIdent && IsTypeWord(Peek(k).text)) {
      words.push_back(Peek(k).text);
      ++k;
    }
    if (words.empty()) return std::nullopt;
    auto type = TypeFromWords(words);
    if (!type) return std::nullopt;
    return std::make_pair(*type, k - ahead);
  }

  Result<std::unique_ptr<Node>> Unary() {
    const Token& t = Peek();
    if (t.kind == Tok::kPunct && (t.text == "-" || t.text == "+" || t.text == "!" || t.text == "~")) {
      const Token op = Next();
      RB_RETURN_IF_ERROR(Enter(op.pos));
      RB_ASSIGN_OR_RETURN(auto arg, Unary());
      --depth_;
      auto n = Make(NodeKind::kUnary, op.text, op.pos, arg->end);
      RB_RETURN_IF_ERROR(Adopt(*n, std::move(arg)));
      return n;
    }
    if (IsPunct("(")) {
      if (auto type = TypeAt(1); type && IsPunct(")", 1 + type->second)) {
        const size_t pos = Next().pos;
        at_ += type->second + 1;
        RB_RETURN_IF_ERROR(Enter(pos));
        RB_ASSIGN_OR_RETURN(auto arg, Unary());
        --depth_;
        auto n = Make(NodeKind::kCast, "cast", pos, arg->end);
        n->type = ExprType{type->first, false};
        RB_RETURN_IF_ERROR(Adopt(*n, std::move(arg)));
        return n;
      }
    }
    RB_ASSIGN_OR_RETURN(auto node, Primary());
    return Postfix(std::move(node));
  }

  Result<std::unique_ptr<Node>> Postfix(std::unique_ptr<Node> node) {
    while (true) {
      if (IsPunct("[")) {
        Next();
        RB_ASSIGN_OR_RETURN(auto index, Expr(0));
        const size_t end = Peek().end;
        RB_RETURN_IF_ERROR(Expect("]"));
        auto n = Make(NodeKind::kIndex, "[]", node->pos, end);
        RB_RETURN_IF_ERROR(Adopt(*n, std::move(node)));
        RB_RETURN_IF_ERROR(Adopt(*n, std::move(index)));
        node = std::move(n);
      } else if (IsPunct(".")) {
        Next();
        const Token member = Next();
        if (member.kind != Tok::kIdent) return Error("expected a member name after '.'", member.pos);
        if (member.text != "size") {
          return Error("unsupported member '" + member.text + "' (only .size() is supported)", member.pos);
        }
        RB_RETURN_IF_ERROR(Expect("("));
        const size_t end = Peek().end;
        RB_RETURN_IF_ERROR(Expect(")"));
        auto n = Make(NodeKind::kSize, "size", node->pos, end);
        RB_RETURN_IF_ERROR(Adopt(*n, std::move(node)));
        node = std::move(n);
      } else {
        return node;
      }
    }
  }

  Result<std::unique_ptr<Node>> Primary() {
    const Token t = Peek();
    switch (t.kind) {
      case Tok::kEnd: return Error("expected an expression but found the end", t.pos);
      case Tok::kNumber: Next(); return Number(t);
      case Tok::kPunct: {
        if (t.text != "(") return Error("expected an expression but found '" + t.text + "'", t.pos);
        Next();
        RB_ASSIGN_OR_RETURN(auto inner, Expr(0));
        RB_RETURN_IF_ERROR(Expect(")"));
        return inner;
      }
      case Tok::kIdent: break;
    }
    Next();
    if (t.text == "true" || t.text == "false") {
      auto n = Make(NodeKind::kLiteral, t.text, t.pos, t.end);
      n->literal_type = DataType::kBool;
      n->int_value = t.text == "true";
      n->uint_value = n->int_value;  // bool is an unsigned type to the evaluator
      return n;
    }
    if (t.text == "static_cast") {
      RB_RETURN_IF_ERROR(Expect("<"));
      auto type = TypeAt(0);
      if (!type) return Error("expected a type name in static_cast", Peek().pos);
      at_ += type->second;
      RB_RETURN_IF_ERROR(Expect(">"));
      RB_RETURN_IF_ERROR(Expect("("));
      RB_ASSIGN_OR_RETURN(auto arg, Expr(0));
      const size_t end = Peek().end;
      RB_RETURN_IF_ERROR(Expect(")"));
      auto n = Make(NodeKind::kCast, "static_cast", t.pos, end);
      n->type = ExprType{type->first, false};
      RB_RETURN_IF_ERROR(Adopt(*n, std::move(arg)));
      return n;
    }
    // A possibly qualified name: std::sqrt, ROOT::VecOps::Sum, TMath::Pi.
    std::string name = t.text;
    size_t end = t.end;
    while (IsPunct("::")) {
      Next();
      const Token part = Next();
      if (part.kind != Tok::kIdent) return Error("expected a name after '::'", part.pos);
      name += "::" + part.text;
      end = part.end;
    }
    if (!IsPunct("(")) {
      if (name.find("::") != std::string::npos) return Error("'" + name + "' is not a column; call it with ()", t.pos);
      return Make(NodeKind::kColumn, name, t.pos, end);
    }
    Next();
    auto call = Make(NodeKind::kCall, name, t.pos, end);
    if (!IsPunct(")")) {
      while (true) {
        RB_ASSIGN_OR_RETURN(auto arg, Expr(0));
        RB_RETURN_IF_ERROR(Adopt(*call, std::move(arg)));
        if (!IsPunct(",")) break;
        Next();
      }
    }
    call->end = Peek().end;
    RB_RETURN_IF_ERROR(Expect(")"));
    return call;
  }

  Result<std::unique_ptr<Node>> Number(const Token& t) {
    auto n = Make(NodeKind::kLiteral, t.text, t.pos, t.end);
    std::string_view s = t.text;
    const bool hex = s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const bool is_float = !hex && s.find_first_of(".eE") != std::string_view::npos;
    size_t body = s.size();
    while (body > 0 && std::isalpha(static_cast<unsigned char>(s[body - 1])) &&
           !(hex && std::isxdigit(static_cast<unsigned char>(s[body - 1])))) {
      --body;
    }
    std::string suffix(s.substr(body));
    for (char& c : suffix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string digits(s.substr(0, body));
    if (is_float) {
      if (suffix != "" && suffix != "f" && suffix != "l") return Error("bad suffix on a floating-point literal", t.pos);
      errno = 0;
      char* stop = nullptr;
      const double v = std::strtod(digits.c_str(), &stop);
      if (stop != digits.c_str() + digits.size()) return Error("malformed number '" + t.text + "'", t.pos);
      n->float_value = v;
      n->literal_type = suffix == "f" ? DataType::kFloat32 : DataType::kFloat64;
      if (suffix == "f") n->float_value = static_cast<float>(std::strtof(digits.c_str(), nullptr));
      return n;
    }
    const bool is_unsigned = suffix.find('u') != std::string::npos;
    const bool is_long = suffix.find('l') != std::string::npos;
    if (suffix != "" && suffix != "u" && suffix != "l" && suffix != "ul" && suffix != "lu" && suffix != "ll" &&
        suffix != "ull" && suffix != "llu") {
      return Error("bad suffix '" + suffix + "' on an integer literal", t.pos);
    }
    const bool octal = !hex && digits.size() > 1 && digits[0] == '0';
    errno = 0;
    char* stop = nullptr;
    const uint64_t v = std::strtoull(hex ? digits.c_str() + 2 : digits.c_str(), &stop, hex ? 16 : octal ? 8 : 10);
    if (errno == ERANGE || stop != digits.c_str() + digits.size() || (hex && digits.size() == 2)) {
      return Error("malformed or too large integer literal '" + t.text + "'", t.pos);
    }
    // C++ [lex.icon]: the first type of the list that holds the value.
    const bool decimal = !hex && !octal;
    constexpr uint64_t kIntMax = std::numeric_limits<int32_t>::max();
    constexpr uint64_t kUIntMax = std::numeric_limits<uint32_t>::max();
    constexpr uint64_t kLongMax = std::numeric_limits<int64_t>::max();
    DataType type;
    if (is_unsigned) {
      type = (!is_long && v <= kUIntMax) ? DataType::kUInt32 : DataType::kUInt64;
    } else if (!is_long && v <= kIntMax) {
      type = DataType::kInt32;
    } else if (!is_long && !decimal && v <= kUIntMax) {
      type = DataType::kUInt32;
    } else if (v <= kLongMax) {
      type = DataType::kInt64;
    } else if (!decimal) {
      type = DataType::kUInt64;
    } else {
      return Error("integer literal '" + t.text + "' is too large for any signed type", t.pos);
    }
    n->literal_type = type;
    n->uint_value = v;
    n->int_value = static_cast<int64_t>(v);
    return n;
  }

  std::string_view text_;
  std::vector<Token> toks_;
  size_t at_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<std::unique_ptr<Node>> Parse(std::string_view text, const IsColumnName& is_column) {
  Lexer lexer(text, is_column);
  RB_ASSIGN_OR_RETURN(auto tokens, lexer.Run());
  Parser parser(text, std::move(tokens));
  return parser.Run();
}

}  // namespace rootbatch::expr
