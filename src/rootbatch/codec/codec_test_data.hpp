// Deterministic inputs for the codec tests (test-only helper).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "rootbatch/base/endian.hpp"

namespace rootbatch::codec_testing {

// splitmix64: tiny, and identical on every platform (unlike <random>'s
// distributions), so test inputs never change.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)

 private:
  uint64_t state_;
};

// Bytes that look like a basket of big-endian float32 transverse momenta
// (exponential, rounded to 0.01 as detector values often are): compressible,
// but not trivially.
inline std::vector<uint8_t> PhysicsLikeBytes(size_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<uint8_t> out(n);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const double pt = std::round(-25.0 * std::log(1.0 - rng.Uniform()) * 100.0) / 100.0;
    StoreBigEndian<float>(out.data() + i, static_cast<float>(pt));
  }
  for (; i < n; ++i) out[i] = static_cast<uint8_t>(i);
  return out;
}

// Uniformly random bytes: no codec can shrink them.
inline std::vector<uint8_t> RandomBytes(size_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng.Next() >> 56);
  return out;
}

}  // namespace rootbatch::codec_testing
