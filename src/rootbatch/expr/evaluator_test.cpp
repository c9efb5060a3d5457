#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <thread>

#include "rootbatch/expr/compiled_expr.hpp"

namespace rootbatch::expr {
namespace {

template <typename T>
Column Scalars(DataType type, std::vector<T> v) {
  Column c;
  c.type = type;
  c.num_entries = static_cast<int64_t>(v.size());
  c.values.resize(v.size() * sizeof(T));
  std::memcpy(c.values.data(), v.data(), c.values.size());
  return c;
}

template <typename T>
Column Jagged(DataType type, std::vector<std::vector<T>> v) {
  Column c;
  c.type = type;
  c.num_entries = static_cast<int64_t>(v.size());
  c.offsets = {0};
  std::vector<T> flat;
  for (const auto& e : v) {
    flat.insert(flat.end(), e.begin(), e.end());
    c.offsets.push_back(static_cast<int64_t>(flat.size()));
  }
  c.values.resize(flat.size() * sizeof(T));
  std::memcpy(c.values.data(), flat.data(), c.values.size());
  return c;
}

// Three entries of a small NanoAOD-like event table.
struct Fixture {
  std::vector<ColumnSpec> schema = {
      {"nJet", DataType::kUInt32, ColumnKind::kScalar, {}, "UInt_t"},
      {"Jet_pt", DataType::kFloat32, ColumnKind::kJagged, {}, "Float_t[]"},
      {"Jet_eta", DataType::kFloat32, ColumnKind::kJagged, {}, "Float_t[]"},
      {"Jet_phi", DataType::kFloat32, ColumnKind::kJagged, {}, "Float_t[]"},
      {"Jet_m", DataType::kFloat32, ColumnKind::kJagged, {}, "Float_t[]"},
      {"x", DataType::kInt32, ColumnKind::kScalar, {}, "Int_t"},
      {"v3", DataType::kFloat64, ColumnKind::kFixedArray, {3}, "Double_t[3]"},
  };
  std::map<std::string, Column> data;
  Fixture() {
    data["nJet"] = Scalars<uint32_t>(DataType::kUInt32, {2, 0, 3});
    data["Jet_pt"] = Jagged<float>(DataType::kFloat32, {{50, 20}, {}, {10, 40, 35}});
    data["Jet_eta"] = Jagged<float>(DataType::kFloat32, {{0.5f, -1}, {}, {2, 0, -2.5f}});
    data["Jet_phi"] = Jagged<float>(DataType::kFloat32, {{3, -3}, {}, {0.1f, 1, 2}});
    data["Jet_m"] = Jagged<float>(DataType::kFloat32, {{5, 4}, {}, {1, 2, 3}});
    data["x"] = Scalars<int32_t>(DataType::kInt32, {7, -7, 0});
    data["v3"] = Scalars<double>(DataType::kFloat64, {1, 2, 3, 4, 5, 6, 7, 8, 9});
    data["v3"].num_entries = 3;  // a fixed-size array of 3 per entry
  }
  Result<Column> Eval(std::string_view text, int64_t first = 100) {
    RB_ASSIGN_OR_RETURN(CompiledExpr e, Compile(text, schema));
    std::vector<const Column*> inputs;
    for (const auto& name : e.Columns()) inputs.push_back(&data.at(name));
    return e.Evaluate(inputs, EntryRange{first, first + 3});
  }
  template <typename T>
  std::vector<T> Values(std::string_view text) {
    auto r = Eval(text);
    EXPECT_TRUE(r.IsOk()) << text << ": " << r.status().ToString();
    if (!r.IsOk()) return {};
    auto s = r->As<T>();
    return {s.begin(), s.end()};
  }
  std::vector<int64_t> Offsets(std::string_view text) {
    auto r = Eval(text);
    EXPECT_TRUE(r.IsOk()) << r.status().ToString();
    return r.IsOk() ? r->offsets : std::vector<int64_t>{};
  }
};

TEST(EvaluatorTest, ScalarArithmeticFollowsCpp) {
  Fixture f;
  EXPECT_EQ(f.Values<int32_t>("x / 2"), (std::vector<int32_t>{3, -3, 0}));  // truncates toward zero
  EXPECT_EQ(f.Values<int32_t>("x % 3"), (std::vector<int32_t>{1, -1, 0}));
  EXPECT_EQ(f.Values<uint32_t>("x + nJet"), (std::vector<uint32_t>{9, 4294967289u, 3}));  // int -> unsigned
  EXPECT_EQ(f.Values<bool>("x < nJet"), (std::vector<bool>{false, false, true}));  // -7 becomes huge unsigned
  EXPECT_EQ(f.Values<int32_t>("x << 2 | 1"), (std::vector<int32_t>{29, -27, 1}));
  EXPECT_EQ(f.Values<int32_t>("~x ^ 0x0F"), (std::vector<int32_t>{~7 ^ 15, ~-7 ^ 15, ~0 ^ 15}));
  EXPECT_EQ(f.Values<double>("x / 2.0"), (std::vector<double>{3.5, -3.5, 0}));
  EXPECT_EQ(f.Values<float>("(float)x / 2"), (std::vector<float>{3.5f, -3.5f, 0}));
  EXPECT_EQ(f.Values<int32_t>("x > 0 ? x : -x"), (std::vector<int32_t>{7, 7, 0}));
  EXPECT_EQ(f.Values<bool>("true"), (std::vector<bool>{true, true, true}));
  EXPECT_EQ(f.Values<int32_t>("true + 1"), (std::vector<int32_t>{2, 2, 2}));
  EXPECT_EQ(f.Values<uint64_t>("rdfentry_"), (std::vector<uint64_t>{100, 101, 102}));
  EXPECT_EQ(f.Values<int32_t>("static_cast<int>(2.7) + (int)-2.7"), (std::vector<int32_t>{0, 0, 0}));
  auto inf = f.Values<double>("1.0 / x");  // IEEE
  EXPECT_EQ(inf[2], std::numeric_limits<double>::infinity());
}

TEST(EvaluatorTest, IntegerDivisionByZeroIsAnErrorNamingTheEntry) {
  Fixture f;
  auto r = f.Eval("10 / x");
  ASSERT_FALSE(r.IsOk());
  EXPECT_EQ(r.status().Message(), "entry 102: integer division by zero in '10 / x' of expression '10 / x'");
  // Guarded as in C++: the guard's false side is never evaluated.
  EXPECT_EQ(f.Values<int32_t>("x != 0 ? 10 / x : -1"), (std::vector<int32_t>{1, -1, -1}));
  EXPECT_EQ(f.Values<bool>("x != 0 && 10 / x > 0"), (std::vector<bool>{true, false, false}));
  EXPECT_EQ(f.Values<bool>("x == 0 || 10 / x == 1"), (std::vector<bool>{true, false, true}));
  EXPECT_FALSE(f.Eval("x & 10 % x").IsOk());  // & does not short-circuit
}

TEST(EvaluatorTest, IndexOutOfRangeIsAnErrorUnlessGuarded) {
  Fixture f;
  auto r = f.Eval("Jet_pt[1]");
  ASSERT_FALSE(r.IsOk());
  EXPECT_EQ(r.status().Message(),
            "entry 101: index 1 out of range for a collection of size 0 in 'Jet_pt[1]' of expression 'Jet_pt[1]'");
  EXPECT_EQ(f.Values<float>("nJet > 1 ? Jet_pt[1] : -1.f"), (std::vector<float>{20, -1, 40}));
  EXPECT_EQ(f.Values<bool>("nJet > 0 && Jet_pt[0] > 30"), (std::vector<bool>{true, false, false}));
  EXPECT_FALSE(f.Eval("Jet_pt[-1]").IsOk());
}

TEST(EvaluatorTest, VecOpsElementwiseMasksAndReductions) {
  Fixture f;
  EXPECT_EQ(f.Values<float>("Jet_pt * 2"), (std::vector<float>{100, 40, 20, 80, 70}));
  EXPECT_EQ(f.Offsets("Jet_pt * 2"), (std::vector<int64_t>{0, 2, 2, 5}));
  EXPECT_EQ(f.Values<int32_t>("Jet_pt > 30"), (std::vector<int32_t>{1, 0, 0, 1, 1}));
  EXPECT_EQ(f.Values<float>("Jet_pt[Jet_pt > 30]"), (std::vector<float>{50, 40, 35}));
  EXPECT_EQ(f.Offsets("Jet_pt[Jet_pt > 30]"), (std::vector<int64_t>{0, 1, 1, 3}));
  EXPECT_EQ(f.Values<float>("Sum(Jet_pt[Jet_pt > 30])"), (std::vector<float>{50, 0, 75}));
  EXPECT_EQ(f.Values<double>("Mean(Jet_pt)"), (std::vector<double>{35, 0, 85.0 / 3}));
  EXPECT_EQ(f.Values<uint64_t>("Jet_pt.size()"), (std::vector<uint64_t>{2, 0, 3}));
  EXPECT_EQ(f.Values<uint64_t>("ArgMax(Jet_pt)"), (std::vector<uint64_t>{0, 0, 1}));
  EXPECT_EQ(f.Values<bool>("Any(Jet_pt > 45)"), (std::vector<bool>{true, false, false}));
  EXPECT_EQ(f.Values<bool>("All(Jet_pt > 15)"), (std::vector<bool>{true, true, false}));
  EXPECT_EQ(f.Values<float>("Sort(Jet_pt)"), (std::vector<float>{20, 50, 10, 35, 40}));
  EXPECT_EQ(f.Values<uint64_t>("Argsort(Jet_pt)"), (std::vector<uint64_t>{1, 0, 0, 2, 1}));
  EXPECT_EQ(f.Values<float>("Reverse(Jet_pt)"), (std::vector<float>{20, 50, 35, 40, 10}));
  EXPECT_EQ(f.Values<uint64_t>("Nonzero(Jet_pt > 30)"), (std::vector<uint64_t>{0, 1, 2}));
  EXPECT_EQ(f.Values<float>("Take(Jet_pt, 1, -1.f)"), (std::vector<float>{50, -1, 10}));
  EXPECT_EQ(f.Values<float>("Take(Jet_pt, -1, -1.f)"), (std::vector<float>{20, -1, 35}));
  EXPECT_EQ(f.Values<float>("Take(Jet_pt, Nonzero(Jet_pt > 30))"), (std::vector<float>{50, 40, 35}));
  EXPECT_EQ(f.Values<float>("Take(Jet_pt, 3, -1.f)"), (std::vector<float>{50, 20, -1, -1, -1, -1, 10, 40, 35}));
  EXPECT_EQ(f.Values<float>("Take(Jet_pt, Argsort(-Jet_pt))"), (std::vector<float>{50, 20, 40, 35, 10}));
  EXPECT_EQ(f.Values<float>("Where(Jet_pt > 30, Jet_pt, 0.f)"), (std::vector<float>{50, 0, 0, 40, 35}));
  EXPECT_EQ(f.Values<float>("Concatenate(Jet_pt, Jet_m)"),
            (std::vector<float>{50, 20, 5, 4, 10, 40, 35, 1, 2, 3}));
  EXPECT_EQ(f.Values<double>("v3 * 2"), (std::vector<double>{2, 4, 6, 8, 10, 12, 14, 16, 18}));
  EXPECT_EQ(f.Values<double>("Sum(v3)"), (std::vector<double>{6, 15, 24}));
}

TEST(EvaluatorTest, VecOpsErrorsNameTheEntry) {
  Fixture f;
  auto r = f.Eval("Max(Jet_pt)");
  ASSERT_FALSE(r.IsOk());
  EXPECT_NE(r.status().Message().find("entry 101: Max of an empty collection"), std::string::npos);
  EXPECT_EQ(f.Values<float>("nJet > 0 ? Max(Jet_pt) : 0.f"), (std::vector<float>{50, 0, 40}));
  r = f.Eval("Jet_pt + Take(Jet_pt, 1, 0.f)");
  ASSERT_FALSE(r.IsOk());
  EXPECT_NE(r.status().Message().find("entry 100: collections of different sizes (2 and 1)"), std::string::npos)
      << r.status().Message();
  r = f.Eval("Take(Jet_pt, 3)");
  ASSERT_FALSE(r.IsOk());
  EXPECT_NE(r.status().Message().find("entry 100: Take: 3 elements requested"), std::string::npos);
}

TEST(EvaluatorTest, PhysicsHelpersMatchTheirFormulas) {
  Fixture f;
  auto dphi = f.Values<float>("DeltaPhi(Jet_phi, Jet_phi * 0.f)");
  ASSERT_EQ(dphi.size(), 5u);
  EXPECT_FLOAT_EQ(dphi[0], -3.f);
  EXPECT_FLOAT_EQ(dphi[1], 3.f);
  auto wrapped = f.Values<double>("DeltaPhi(3.0, -3.0)");
  EXPECT_NEAR(wrapped[0], 2 * M_PI - 6, 1e-12);  // the short way round
  auto dr = f.Values<float>("DeltaR(Jet_eta, Jet_eta * 0.f, Jet_phi, Jet_phi)");
  EXPECT_FLOAT_EQ(dr[1], 1.f);
  // Two massless back-to-back particles of pt 1 at eta 0: mass 2.
  auto m = f.Values<double>("InvariantMass(Take(Jet_pt, 2, 1.0) * 0 + 1, Take(Jet_eta, 2, 0.0) * 0, "
                            "Concatenate(Take(Jet_phi, 1, 0.0) * 0, Take(Jet_phi, 1, 0.0) * 0 + TMath::Pi()), "
                            "Take(Jet_m, 2, 0.0) * 0)");
  EXPECT_NEAR(m[1], 2.0, 1e-12);
  auto pair = f.Values<float>("InvariantMasses(Jet_pt, Jet_eta, Jet_phi, Jet_m, Jet_pt, Jet_eta, Jet_phi, Jet_m)");
  ASSERT_EQ(pair.size(), 5u);
  EXPECT_NEAR(pair[0], 10.f, 1e-3);  // a particle with itself: twice its mass
}

TEST(EvaluatorTest, MathFunctions) {
  Fixture f;
  EXPECT_EQ(f.Values<double>("sqrt(nJet)")[0], std::sqrt(2.0));
  EXPECT_EQ(f.Values<float>("std::sqrt(Jet_pt)")[0], std::sqrt(50.f));
  EXPECT_EQ(f.Values<int32_t>("abs(x)"), (std::vector<int32_t>{7, 7, 0}));
  EXPECT_EQ(f.Values<double>("TMath::Abs(x * 1.5)"), (std::vector<double>{10.5, 10.5, 0}));
  EXPECT_EQ(f.Values<double>("pow(x, 2)"), (std::vector<double>{49, 49, 0}));
  EXPECT_EQ(f.Values<int32_t>("max(x, 1)"), (std::vector<int32_t>{7, 1, 1}));
  EXPECT_EQ(f.Values<double>("round(x / 2.0)"), (std::vector<double>{4, -4, 0}));  // half away from zero
  EXPECT_EQ(f.Values<double>("TMath::Pi()")[0], M_PI);
  EXPECT_EQ(f.Values<double>("atan2(1.0, x)")[2], std::atan2(1.0, 0.0));
}

TEST(EvaluatorTest, MaskAndResultSpec) {
  Fixture f;
  auto e = Compile("nJet >= 2 && Sum(Jet_pt) > 60", f.schema);
  ASSERT_TRUE(e.IsOk());
  std::vector<const Column*> inputs;
  for (const auto& n : e->Columns()) inputs.push_back(&f.data.at(n));
  auto mask = e->EvaluateMask(inputs, {0, 3});
  ASSERT_TRUE(mask.IsOk()) << mask.status().ToString();
  EXPECT_EQ(*mask, (std::vector<uint8_t>{1, 0, 1}));
  auto jag = Compile("Jet_pt > 3", f.schema);
  ASSERT_TRUE(jag.IsOk());
  EXPECT_EQ(jag->ResultSpec("v").kind, ColumnKind::kJagged);
  std::vector<const Column*> jin{&f.data.at("Jet_pt")};
  EXPECT_FALSE(jag->EvaluateMask(jin, {0, 3}).IsOk());
  // A wrong input is an error, not a crash.
  std::vector<const Column*> wrong{&f.data.at("x")};
  EXPECT_FALSE(jag->Evaluate(wrong, {0, 3}).IsOk());
  Column broken = f.data.at("Jet_pt");
  broken.offsets = {0, 3, 2, 5};  // decreasing: refused, not read out of bounds
  std::vector<const Column*> bad{&broken};
  EXPECT_FALSE(jag->Evaluate(bad, {0, 3}).IsOk());
}

TEST(EvaluatorTest, OneCompiledExpressionEvaluatesFromSeveralThreads) {
  Fixture f;
  auto e = Compile("Sum(Jet_pt[Jet_pt > 15]) + rdfentry_", f.schema);
  ASSERT_TRUE(e.IsOk());
  std::vector<const Column*> inputs{&f.data.at("Jet_pt")};
  std::vector<std::vector<float>> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 200; ++k) {
        auto r = e->Evaluate(inputs, {10 * t, 10 * t + 3});
        if (r.IsOk()) results[t].assign(r->As<float>().begin(), r->As<float>().end());
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) {
    const float base = static_cast<float>(10 * t);
    EXPECT_EQ(results[t], (std::vector<float>{70 + base, 0 + base + 1, 75 + base + 2}));
  }
}

}  // namespace
}  // namespace rootbatch::expr
