#include "rootbatch/expr/checker.hpp"

#include <gtest/gtest.h>

#include "rootbatch/expr/compiled_expr.hpp"

namespace rootbatch::expr {
namespace {

std::vector<ColumnSpec> Schema() {
  auto scalar = [](std::string name, DataType t) { return ColumnSpec{name, t, ColumnKind::kScalar, {}, ""}; };
  auto jagged = [](std::string name, DataType t) { return ColumnSpec{name, t, ColumnKind::kJagged, {}, ""}; };
  return {scalar("i", DataType::kInt32),         scalar("u", DataType::kUInt32),
          scalar("s", DataType::kInt16),         scalar("c", DataType::kUInt8),
          scalar("b", DataType::kBool),          scalar("l", DataType::kInt64),
          scalar("ul", DataType::kUInt64),       scalar("f", DataType::kFloat32),
          scalar("d", DataType::kFloat64),       jagged("Jet_pt", DataType::kFloat32),
          jagged("Jet_eta", DataType::kFloat32), jagged("Jet_id", DataType::kInt32),
          jagged("Jet_c", DataType::kUInt8),     jagged("Jet_phi", DataType::kFloat32),
          {"arr", DataType::kFloat64, ColumnKind::kFixedArray, {3}, "double[3]"},
          {"name", DataType::kChar, ColumnKind::kString, {}, "std::string"}};
}

std::string TypeOf(std::string_view text) {
  auto r = Compile(text, Schema());
  if (!r.IsOk()) return "error: " + r.status().Message();
  return TypeName(r->Type());
}

TEST(CheckerTest, IntegerPromotionAndUsualArithmeticConversions) {
  EXPECT_EQ(TypeOf("s + s"), "int");           // short promotes to int
  EXPECT_EQ(TypeOf("c * b"), "int");
  EXPECT_EQ(TypeOf("i + u"), "unsigned int");  // same rank: unsigned wins
  EXPECT_EQ(TypeOf("i + l"), "long");
  EXPECT_EQ(TypeOf("u + l"), "long");          // long holds every unsigned int
  EXPECT_EQ(TypeOf("l + ul"), "unsigned long");
  EXPECT_EQ(TypeOf("i / 2"), "int");           // integer division stays integer
  EXPECT_EQ(TypeOf("i % 3u"), "unsigned int");
  EXPECT_EQ(TypeOf("f * 2"), "float");
  EXPECT_EQ(TypeOf("f * 2.0"), "double");
  EXPECT_EQ(TypeOf("f + d"), "double");
  EXPECT_EQ(TypeOf("i < f"), "bool");
  EXPECT_EQ(TypeOf("i && f"), "bool");
  EXPECT_EQ(TypeOf("!i"), "bool");
  EXPECT_EQ(TypeOf("-c"), "int");
  EXPECT_EQ(TypeOf("s << l"), "int");          // a shift has its left operand's promoted type
  EXPECT_EQ(TypeOf("b ? s : s"), "short");     // equal branch types are kept
  EXPECT_EQ(TypeOf("b ? i : f"), "float");
  EXPECT_EQ(TypeOf("(float)i"), "float");
  EXPECT_EQ(TypeOf("static_cast<unsigned char>(d)"), "unsigned char");
  EXPECT_EQ(TypeOf("rdfentry_"), "unsigned long");
}

TEST(CheckerTest, FunctionTypes) {
  EXPECT_EQ(TypeOf("sqrt(f)"), "float");
  EXPECT_EQ(TypeOf("sqrt(i)"), "double");
  EXPECT_EQ(TypeOf("std::abs(i)"), "int");
  EXPECT_EQ(TypeOf("abs(f)"), "float");
  EXPECT_EQ(TypeOf("TMath::Sqrt(f)"), "double");
  EXPECT_EQ(TypeOf("TMath::Abs(f)"), "float");
  EXPECT_EQ(TypeOf("pow(f, f)"), "float");
  EXPECT_EQ(TypeOf("pow(f, 2)"), "double");
  EXPECT_EQ(TypeOf("TMath::Pi()"), "double");
  EXPECT_EQ(TypeOf("max(i, l)"), "long");
}

TEST(CheckerTest, VecOpsTypes) {
  EXPECT_EQ(TypeOf("Jet_pt"), "ROOT::VecOps::RVec<float>");
  EXPECT_EQ(TypeOf("arr"), "ROOT::VecOps::RVec<double>");
  EXPECT_EQ(TypeOf("Jet_pt * 2"), "ROOT::VecOps::RVec<float>");
  EXPECT_EQ(TypeOf("Jet_pt * 2.0"), "ROOT::VecOps::RVec<double>");
  EXPECT_EQ(TypeOf("Jet_c + 1"), "ROOT::VecOps::RVec<int>");
  EXPECT_EQ(TypeOf("-Jet_c"), "ROOT::VecOps::RVec<unsigned char>");  // RVec's unary ops keep T
  EXPECT_EQ(TypeOf("Jet_pt > 30"), "ROOT::VecOps::RVec<int>");  // RVec comparisons give RVec<int>
  EXPECT_EQ(TypeOf("Jet_pt[Jet_pt > 30]"), "ROOT::VecOps::RVec<float>");
  EXPECT_EQ(TypeOf("Jet_pt[0]"), "float");
  EXPECT_EQ(TypeOf("Jet_pt.size()"), "unsigned long");
  EXPECT_EQ(TypeOf("Sum(Jet_pt > 30)"), "int");
  EXPECT_EQ(TypeOf("Sum(Jet_c)"), "unsigned char");
  EXPECT_EQ(TypeOf("Mean(Jet_id)"), "double");
  EXPECT_EQ(TypeOf("ArgMax(Jet_pt)"), "unsigned long");
  EXPECT_EQ(TypeOf("Argsort(Jet_pt)"), "ROOT::VecOps::RVec<unsigned long>");
  EXPECT_EQ(TypeOf("Concatenate(Jet_pt, Jet_id)"), "ROOT::VecOps::RVec<float>");
  EXPECT_EQ(TypeOf("Where(Jet_pt > 30, Jet_pt, 0.f)"), "ROOT::VecOps::RVec<float>");
  EXPECT_EQ(TypeOf("DeltaR(Jet_eta, Jet_eta, Jet_phi, Jet_phi)"), "ROOT::VecOps::RVec<float>");
  EXPECT_EQ(TypeOf("InvariantMass(Jet_pt, Jet_eta, Jet_phi, Jet_pt)"), "float");
  EXPECT_EQ(TypeOf("sqrt(Jet_pt)"), "ROOT::VecOps::RVec<float>");
}

TEST(CheckerTest, TypeErrorsNameBothTypes) {
  auto r = Compile("f % 2", Schema());
  ASSERT_FALSE(r.IsOk());
  EXPECT_EQ(r.status().Code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().Message().find("operator % needs integers, not 'f' (float) and '2' (int)"), std::string::npos)
      << r.status().Message();
  EXPECT_NE(r.status().Message().find("\n  f % 2\n  ^"), std::string::npos) << r.status().Message();
  r = Compile("b ? Jet_pt : f", Schema());
  ASSERT_FALSE(r.IsOk());
  EXPECT_NE(r.status().Message().find("'Jet_pt' (ROOT::VecOps::RVec<float>) and 'f' (float)"), std::string::npos);
  r = Compile("i[0]", Schema());
  ASSERT_FALSE(r.IsOk());
  EXPECT_NE(r.status().Message().find("cannot index 'i' (int)"), std::string::npos);
  r = Compile("(int)Jet_pt", Schema());
  ASSERT_FALSE(r.IsOk());
  EXPECT_NE(r.status().Message().find("cannot cast 'Jet_pt' (ROOT::VecOps::RVec<float>) to int"), std::string::npos);
  EXPECT_FALSE(Compile("Jet_pt > 3 ? 1 : 2", Schema()).IsOk());
  EXPECT_FALSE(Compile("Jet_id << 1", Schema()).IsOk());  // RVec has no shift operators
  EXPECT_FALSE(Compile("DeltaPhi(i, i)", Schema()).IsOk());
  EXPECT_FALSE(Compile("Sum(f)", Schema()).IsOk());
  EXPECT_FALSE(Compile("sqrt(f, f)", Schema()).IsOk());
}

TEST(CheckerTest, UnknownNamesSuggestTheClosest) {
  auto r = Compile("Jet_ptt[0] > 30", Schema());
  ASSERT_FALSE(r.IsOk());
  EXPECT_EQ(r.status().Code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().Message().find("unknown column 'Jet_ptt'; did you mean 'Jet_pt'?"), std::string::npos)
      << r.status().Message();
  r = Compile("sqrtt(f)", Schema());
  ASSERT_FALSE(r.IsOk());
  EXPECT_NE(r.status().Message().find("unknown function 'sqrtt'; did you mean 'sqrt'?"), std::string::npos)
      << r.status().Message();
  r = Compile("Combinations(Jet_pt, 2)", Schema());
  ASSERT_FALSE(r.IsOk());
  EXPECT_EQ(r.status().Code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().Message().find("function 'Combinations' is not supported"), std::string::npos);
  r = Compile("name == 1", Schema());
  ASSERT_FALSE(r.IsOk());
  EXPECT_EQ(r.status().Code(), StatusCode::kUnsupported);
}

TEST(CheckerTest, ColumnsAreListedOnceInSlotOrder) {
  auto r = Compile("Jet_pt[0] + i + Jet_pt[1] + rdfentry_", Schema());
  ASSERT_TRUE(r.IsOk()) << r.status().ToString();
  EXPECT_EQ(r->Columns(), (std::vector<std::string>{"Jet_pt", "i"}));
  EXPECT_TRUE(r->UsesEntryNumber());
}

}  // namespace
}  // namespace rootbatch::expr
