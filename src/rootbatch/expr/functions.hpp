// The functions an expression may call, and how a written name (with its
// std::, TMath:: or ROOT::VecOps:: prefix) resolves to one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rootbatch::expr {

enum class Function : int {
  // Element-wise math; integer arguments compute in double (C++ <cmath>).
  kSqrt, kExp, kLog, kLog10, kSin, kCos, kTan, kAsin, kAcos, kAtan, kSinh, kCosh, kTanh,
  kFloor, kCeil, kRound, kFabs, kAbs,
  kPow, kAtan2, kHypot, kMin2, kMax2,
  kConstant,  // TMath::Pi() and friends
  // ROOT::VecOps
  kSum, kMean, kMax, kMin, kArgMax, kArgMin, kAny, kAll, kNonzero, kTake, kReverse, kSort, kArgsort,
  kConcatenate, kWhere, kDeltaPhi, kDeltaR, kInvariantMass, kInvariantMasses,
};

struct ResolvedFunction {
  Function function;
  bool tmath_double = false;  // a TMath function taking and returning Double_t
  double constant = 0;        // kConstant's value
};

// The function `name` (as written) calls, or nullopt.
std::optional<ResolvedFunction> ResolveFunction(std::string_view name);
// Names ROOT has that this evaluator does not implement (for a clear error).
bool IsKnownUnsupported(std::string_view name);
// Every name ResolveFunction accepts without a prefix, for suggestions.
std::vector<std::string> FunctionNames();

}  // namespace rootbatch::expr
