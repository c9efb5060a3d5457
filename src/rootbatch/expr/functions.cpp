#include "rootbatch/expr/functions.hpp"

#include <cmath>
#include <utility>

namespace rootbatch::expr {
namespace {

std::string_view StripPrefix(std::string_view name, std::string_view prefix) {
  return name.substr(0, prefix.size()) == prefix ? name.substr(prefix.size()) : std::string_view{};
}

// <cmath> names, with or without std::.
constexpr std::pair<std::string_view, Function> kStd[] = {
    {"sqrt", Function::kSqrt},   {"exp", Function::kExp},     {"log", Function::kLog},
    {"log10", Function::kLog10}, {"sin", Function::kSin},     {"cos", Function::kCos},
    {"tan", Function::kTan},     {"asin", Function::kAsin},   {"acos", Function::kAcos},
    {"atan", Function::kAtan},   {"sinh", Function::kSinh},   {"cosh", Function::kCosh},
    {"tanh", Function::kTanh},   {"floor", Function::kFloor}, {"ceil", Function::kCeil},
    {"round", Function::kRound}, {"fabs", Function::kFabs},   {"abs", Function::kAbs},
    {"pow", Function::kPow},     {"atan2", Function::kAtan2}, {"hypot", Function::kHypot},
    {"min", Function::kMin2},    {"max", Function::kMax2},
};

// TMath:: names; all but Abs, Min and Max take and return Double_t.
constexpr std::pair<std::string_view, Function> kTMath[] = {
    {"Sqrt", Function::kSqrt},   {"Exp", Function::kExp},     {"Log", Function::kLog},
    {"Log10", Function::kLog10}, {"Sin", Function::kSin},     {"Cos", Function::kCos},
    {"Tan", Function::kTan},     {"ASin", Function::kAsin},   {"ACos", Function::kAcos},
    {"ATan", Function::kAtan},   {"SinH", Function::kSinh},   {"CosH", Function::kCosh},
    {"TanH", Function::kTanh},   {"Floor", Function::kFloor}, {"Ceil", Function::kCeil},
    {"Power", Function::kPow},   {"ATan2", Function::kAtan2}, {"Hypot", Function::kHypot},
    {"Abs", Function::kAbs},     {"Min", Function::kMin2},    {"Max", Function::kMax2},
};

constexpr double kPi = 3.14159265358979323846;
constexpr std::pair<std::string_view, double> kConstants[] = {
    {"Pi", kPi},         {"TwoPi", 2 * kPi},          {"PiOver2", kPi / 2},
    {"PiOver4", kPi / 4}, {"InvPi", 1 / kPi},         {"E", 2.71828182845904523536},
    {"Ln10", 2.30258509299404568402}, {"LogE", 0.43429448190325182765},
    {"Sqrt2", 1.4142135623730950488}, {"DegToRad", kPi / 180.0}, {"RadToDeg", 180.0 / kPi},
    {"C", 2.99792458e8},
};

constexpr std::pair<std::string_view, Function> kVecOps[] = {
    {"Sum", Function::kSum},           {"Mean", Function::kMean},       {"Max", Function::kMax},
    {"Min", Function::kMin},           {"ArgMax", Function::kArgMax},   {"ArgMin", Function::kArgMin},
    {"Any", Function::kAny},           {"All", Function::kAll},         {"Nonzero", Function::kNonzero},
    {"Take", Function::kTake},         {"Reverse", Function::kReverse}, {"Sort", Function::kSort},
    {"Argsort", Function::kArgsort},   {"Concatenate", Function::kConcatenate},
    {"Where", Function::kWhere},       {"DeltaPhi", Function::kDeltaPhi}, {"DeltaR", Function::kDeltaR},
    {"InvariantMass", Function::kInvariantMass}, {"InvariantMasses", Function::kInvariantMasses},
};

}  // namespace

std::optional<ResolvedFunction> ResolveFunction(std::string_view name) {
  if (auto rest = StripPrefix(name, "TMath::"); !rest.empty()) {
    for (const auto& [n, f] : kTMath) {
      if (n == rest) {
        const bool typed = f == Function::kAbs || f == Function::kMin2 || f == Function::kMax2;
        return ResolvedFunction{f, !typed, 0};
      }
    }
    for (const auto& [n, v] : kConstants) {
      if (n == rest) return ResolvedFunction{Function::kConstant, true, v};
    }
    return std::nullopt;
  }
  std::string_view bare = name;
  if (auto rest = StripPrefix(name, "std::"); !rest.empty()) {
    for (const auto& [n, f] : kStd) {
      if (n == rest) return ResolvedFunction{f, false, 0};
    }
    return std::nullopt;
  }
  if (auto rest = StripPrefix(name, "ROOT::VecOps::"); !rest.empty()) {
    bare = rest;
  } else if (auto rest2 = StripPrefix(name, "ROOT::"); !rest2.empty()) {
    bare = rest2;
  }
  for (const auto& [n, f] : kVecOps) {
    if (n == bare) return ResolvedFunction{f, false, 0};
  }
  if (bare == name) {
    for (const auto& [n, f] : kStd) {
      if (n == bare) return ResolvedFunction{f, false, 0};
    }
  }
  return std::nullopt;
}

bool IsKnownUnsupported(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "Combinations", "Product", "StableSort", "StableArgsort", "Drop", "Intersect", "Construct", "Map",
      "Filter", "DeltaR2", "InvariantMasses_PxPyPzM", "Angle", "Dot", "Enumerate", "Range", "Mean", "StdDev",
      "Var", "exp2", "expm1", "log2", "log1p", "cbrt", "trunc", "fmod", "remainder", "erf", "erfc", "lgamma",
      "tgamma", "lround", "llround", "fdim", "Nint", "Sign", "Erf", "Gaus", "Landau", "Factorial", "Binomial"};
  std::string_view bare = name;
  for (std::string_view prefix : {"ROOT::VecOps::", "ROOT::", "TMath::", "std::"}) {
    if (auto rest = StripPrefix(name, prefix); !rest.empty()) bare = rest;
  }
  for (std::string_view n : kNames) {
    if (n == bare) return true;
  }
  return false;
}

std::vector<std::string> FunctionNames() {
  std::vector<std::string> out;
  for (const auto& [n, f] : kStd) out.emplace_back(n);
  for (const auto& [n, f] : kVecOps) out.emplace_back(n);
  for (const auto& [n, f] : kTMath) out.emplace_back("TMath::" + std::string(n));
  for (const auto& [n, v] : kConstants) out.emplace_back("TMath::" + std::string(n));
  return out;
}

}  // namespace rootbatch::expr
