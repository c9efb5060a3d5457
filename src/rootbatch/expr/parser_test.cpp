#include "rootbatch/expr/parser.hpp"

#include <gtest/gtest.h>

namespace rootbatch::expr {
namespace {

// The tree as an S-expression, to compare shapes.
std::string Show(const Node& n) {
  switch (n.kind) {
    case NodeKind::kLiteral:
    case NodeKind::kColumn: return n.name;
    case NodeKind::kCast: return "(" + n.name + "<" + CppTypeName(n.type.elem) + "> " + Show(*n.args[0]) + ")";
    default: {
      std::string s = "(" + n.name;
      for (const auto& a : n.args) s += " " + Show(*a);
      return s + ")";
    }
  }
}

std::string P(std::string_view text, const IsColumnName& is_column = {}) {
  auto r = Parse(text, is_column);
  if (!r.IsOk()) return "error: " + r.status().Message();
  return Show(**r);
}

TEST(ParserTest, CppPrecedenceAndAssociativity) {
  EXPECT_EQ(P("a + b * c"), "(+ a (* b c))");
  EXPECT_EQ(P("a - b - c"), "(- (- a b) c)");
  EXPECT_EQ(P("a / b % c"), "(% (/ a b) c)");
  EXPECT_EQ(P("a << 1 + 2"), "(<< a (+ 1 2))");
  EXPECT_EQ(P("a < b == c > d"), "(== (< a b) (> c d))");
  EXPECT_EQ(P("a & b ^ c | d"), "(| (^ (& a b) c) d)");
  EXPECT_EQ(P("a | b && c || d"), "(|| (&& (| a b) c) d)");
  EXPECT_EQ(P("a || b ? c : d ? e : f"), "(?: (|| a b) c (?: d e f))");
  EXPECT_EQ(P("-a * !b"), "(* (- a) (! b))");
  EXPECT_EQ(P("~x & 3"), "(& (~ x) 3)");
  EXPECT_EQ(P("- - a"), "(- (- a))");
}

TEST(ParserTest, PostfixCallsCastsAndNames) {
  EXPECT_EQ(P("Sum(Jet_pt[Jet_pt > 30])"), "(Sum ([] Jet_pt (> Jet_pt 30)))");
  EXPECT_EQ(P("std::abs(Muon_eta[0]) < 2.4"), "(< (std::abs ([] Muon_eta 0)) 2.4)");
  EXPECT_EQ(P("ROOT::VecOps::Max(v)"), "(ROOT::VecOps::Max v)");
  EXPECT_EQ(P("TMath::Pi()"), "(TMath::Pi)");
  EXPECT_EQ(P("v.size() > 2"), "(> (size v) 2)");
  EXPECT_EQ(P("(float)x / 2"), "(/ (cast<float> x) 2)");
  EXPECT_EQ(P("(unsigned int)x"), "(cast<unsigned int> x)");
  EXPECT_EQ(P("static_cast<Long64_t>(x) + 1"), "(+ (static_cast<long> x) 1)");
  EXPECT_EQ(P("(x)"), "x");  // a parenthesised column, not a cast
  EXPECT_EQ(P("Take(v, 2, -1.f)"), "(Take v 2 (- 1.f))");
  EXPECT_EQ(P("rdfentry_ % 2 == 0"), "(== (% rdfentry_ 2) 0)");
}

TEST(ParserTest, DottedAndSlashNames) {
  auto is_column = [](std::string_view n) { return n == "evt/P3/Px" || n == "Muon.pt" || n == "a"; };
  EXPECT_EQ(P("evt/P3/Px * 2", is_column), "(* evt/P3/Px 2)");
  EXPECT_EQ(P("Muon.pt.size()", is_column), "(size Muon.pt)");
  EXPECT_EQ(P("a/b", is_column), "(/ a b)");  // 'a/b' is not a column: a division
  EXPECT_EQ(P("Muon.phi + 1"), "(+ Muon.phi 1)");  // dotted, unknown: one name
}

TEST(ParserTest, LiteralTypes) {
  auto type_of = [](std::string_view text) {
    auto r = Parse(text);
    EXPECT_TRUE(r.IsOk()) << r.status().ToString();
    return r.IsOk() ? CppTypeName((*r)->literal_type) : "";
  };
  EXPECT_EQ(type_of("1"), "int");
  EXPECT_EQ(type_of("2147483648"), "long");  // too big for int
  EXPECT_EQ(type_of("0xFFFFFFFF"), "unsigned int");  // hex may be unsigned
  EXPECT_EQ(type_of("0x1F"), "int");
  EXPECT_EQ(type_of("3u"), "unsigned int");
  EXPECT_EQ(type_of("3l"), "long");
  EXPECT_EQ(type_of("3LL"), "long");
  EXPECT_EQ(type_of("3ull"), "unsigned long");
  EXPECT_EQ(type_of("1.5"), "double");
  EXPECT_EQ(type_of("1e3f"), "float");
  EXPECT_EQ(type_of(".5"), "double");
  EXPECT_EQ(type_of("true"), "bool");
  auto r = Parse("0x1F");
  ASSERT_TRUE(r.IsOk());
  EXPECT_EQ((*r)->int_value, 31);
  r = Parse("010");  // octal, as in C++
  ASSERT_TRUE(r.IsOk());
  EXPECT_EQ((*r)->int_value, 8);
  r = Parse("1e3f");
  ASSERT_TRUE(r.IsOk());
  EXPECT_EQ((*r)->float_value, 1000.0);
}

TEST(ParserTest, ErrorsShowTheExpressionAndACaret) {
  auto r = Parse("nMuon >= 2 && (x");
  ASSERT_FALSE(r.IsOk());
  EXPECT_EQ(r.status().Code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().Message(),
            "expected ')' but found the end at position 16:\n  nMuon >= 2 && (x\n                  ^");
  r = Parse("a + * b");
  ASSERT_FALSE(r.IsOk());
  EXPECT_NE(r.status().Message().find("expected an expression but found '*' at position 4"), std::string::npos);
  r = Parse("a $ b");
  ASSERT_FALSE(r.IsOk());
  EXPECT_NE(r.status().Message().find("unexpected character '$'"), std::string::npos);
  r = Parse("v.front()");
  ASSERT_FALSE(r.IsOk());
  EXPECT_NE(r.status().Message().find("unsupported member 'front'"), std::string::npos);
  EXPECT_FALSE(Parse("1.5q").IsOk());
  EXPECT_FALSE(Parse("99999999999999999999").IsOk());
  EXPECT_FALSE(Parse("a ? b").IsOk());
  EXPECT_FALSE(Parse("").IsOk());
  EXPECT_FALSE(Parse("f(a,)").IsOk());
  EXPECT_FALSE(Parse("static_cast<foo>(x)").IsOk());
}

// Hostile nesting: 10,000 levels of parentheses, of prefix operators and of
// a left-associative chain. Each is refused with the position where the
// limit was passed (the parser, the checker and the evaluator recurse once
// per level, so an unbounded depth would overflow the stack), and Compile
// says the same.
TEST(ParserTest, ExpressionNestedTenThousandDeep) {
  const std::string parens = std::string(10000, '(') + "x" + std::string(10000, ')');
  auto r = Parse(parens);
  ASSERT_FALSE(r.IsOk());
  EXPECT_EQ(r.status().Code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().Message().find("expression nested too deeply (more than 200 levels) at position 200"),
            std::string::npos)
      << r.status().Message().substr(0, 200);

  r = Parse(std::string(10000, '-') + "x");
  ASSERT_FALSE(r.IsOk());
  EXPECT_NE(r.status().Message().find("nested too deeply (more than 200 levels) at position 199"), std::string::npos)
      << r.status().Message().substr(0, 200);

  std::string chain = "x";
  for (int i = 0; i < 10000; ++i) chain += "+x";
  r = Parse(chain);
  ASSERT_FALSE(r.IsOk());
  // The 1000th '+' makes the tree 1001 levels high; its left operand starts at 0.
  EXPECT_NE(r.status().Message().find("expression nested more than 1000 operations deep at position 0"),
            std::string::npos)
      << r.status().Message().substr(0, 200);

  std::string indexes = "v";
  for (int i = 0; i < 10000; ++i) indexes += "[0]";
  EXPECT_FALSE(Parse(indexes).IsOk());

  // Below the limits the same shapes parse.
  std::string sum = "x";
  for (int i = 0; i < 900; ++i) sum += "+x";
  EXPECT_TRUE(Parse(sum).IsOk());
  EXPECT_TRUE(Parse(std::string(150, '(') + "x" + std::string(150, ')')).IsOk());
}

}  // namespace
}  // namespace rootbatch::expr
