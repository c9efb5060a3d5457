// The per-entry random stream of the samples `rootbatch make-sample` writes:
// xoshiro256** seeded from (seed, entry, stream). Every entry has its own
// stream, so entries do not depend on each other or on how they are batched,
// and any range can be generated alone. Both sample kinds use it; changing a
// draw here changes what a seed means for every kind.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "rootbatch/base/xoshiro.hpp"

namespace rootbatch::write {

class EventRng {
 public:
  EventRng(uint64_t seed, uint64_t event, uint64_t stream) : engine_(Seed(seed, event, stream)) {}
  uint64_t Next() { return engine_.Next(); }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  double Normal(double mean, double sigma) {
    // Box-Muller; one value per call keeps the draw sequence easy to follow.
    const double u1 = 1.0 - Uniform();
    const double u2 = Uniform();
    return mean + sigma * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }
  double Exponential(double scale) { return -scale * std::log1p(-Uniform()); }
  int Poisson(double lambda) {
    const double limit = std::exp(-lambda);
    int k = 0;
    for (double p = Uniform(); p > limit; p *= Uniform()) ++k;
    return k;
  }
  bool Bernoulli(double p) { return Uniform() < p; }

 private:
  static std::array<uint64_t, 4> Seed(uint64_t seed, uint64_t event, uint64_t stream) {
    uint64_t s = seed * 0x9e3779b97f4a7c15ULL ^ (event + 1) * 0xd1b54a32d192ed03ULL ^
                 (stream + 1) * 0x8cb92ba72f3d8dd7ULL;
    std::array<uint64_t, 4> state;
    for (auto& word : state) word = SplitMix64(s);
    return state;
  }
  Xoshiro256StarStar engine_;
};

}  // namespace rootbatch::write
