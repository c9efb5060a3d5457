// The loader's random numbers: a small, portable generator whose output is
// the same on every platform and standard library, so that a seed gives the
// same batches everywhere (std::uniform_int_distribution is not portable).
//
// Every random decision draws from its own stream, derived by hashing the
// user's seed with what the stream is for ("order", epoch 3, input 1), so
// that changing one option (sampling of another input, the shard) never
// shifts the numbers another decision sees.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

#include "rootbatch/base/xoshiro.hpp"

namespace rootbatch::loader {

__extension__ using Uint128 = unsigned __int128;  // GCC and Clang both have it

// A bijective 64-bit mixer: one SplitMix64 step from `x`.
inline uint64_t Mix64(uint64_t x) { return SplitMix64(x); }

// Purposes of random streams; values are part of the output's definition.
enum class Stream : uint64_t {
  kSplit = 1,     // train/validation assignment (seed only: fixed across epochs)
  kSample = 2,    // under/oversampling (seed, epoch, input)
  kOrder = 3,     // block order (seed, epoch)
  kSlots = 4,     // rows inside the buffer (seed, epoch, shard)
  kPreprocess = 5,  // the training entries "auto" standardisation samples (seed only)
  kReweight = 6,    // which events class reweighting's sample mode keeps (seed only)
};

inline uint64_t DeriveSeed(uint64_t seed, Stream stream, std::initializer_list<uint64_t> keys) {
  uint64_t h = Mix64(seed ^ Mix64(static_cast<uint64_t>(stream)));
  for (uint64_t key : keys) h = Mix64(h ^ Mix64(key + 0x632BE59BD9B4E019ull));
  return h;
}

// xoshiro256** (base/xoshiro.hpp); word i of the state is Mix64(seed + (i + 1) x the
// golden-ratio increment).
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(Seed(seed)) {}

  uint64_t Next() { return engine_.Next(); }

  // Uniform in [0, bound), bound > 0 (Lemire's multiply-and-reject).
  uint64_t Below(uint64_t bound) {
    Uint128 m = static_cast<Uint128>(Next()) * bound;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < bound) {
      const uint64_t threshold = (0 - bound) % bound;
      while (low < threshold) {
        m = static_cast<Uint128>(Next()) * bound;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

  template <typename T>
  void Shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i) {
      size_t j = static_cast<size_t>(Below(i));
      std::swap(items[i - 1], items[j]);
    }
  }

 private:
  static std::array<uint64_t, 4> Seed(uint64_t seed) {
    std::array<uint64_t, 4> state;
    for (auto& word : state) {
      seed += 0x9E3779B97F4A7C15ull;
      word = Mix64(seed);
    }
    return state;
  }
  Xoshiro256StarStar engine_;
};

}  // namespace rootbatch::loader
