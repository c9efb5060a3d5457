// The random generator every seeded decision in rootbatch uses: xoshiro256**
// (Blackman and Vigna), whose output is the same on every platform and
// standard library, so a seed gives the same shuffles and the same samples
// everywhere. Callers fill the four state words themselves: how a seed is
// spread over them is part of what their seeds mean (the loader and
// make-sample each document theirs).
#pragma once

#include <array>
#include <cstdint>

namespace rootbatch {

// SplitMix64 (Steele, Lea and Flood): advances `state` by the golden-ratio
// increment and returns a well-mixed 64-bit value of it. Used to spread
// seeds, and as a hash of one word.
inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class Xoshiro256StarStar {
 public:
  explicit Xoshiro256StarStar(const std::array<uint64_t, 4>& state) : state_(state) {}

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> state_;
};

}  // namespace rootbatch
