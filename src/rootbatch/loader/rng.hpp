// The loader's random numbers: a small, portable generator whose output is
// the same on every platform and standard library, so that a seed gives the
// same batches everywhere (std::uniform_int_distribution is not portable).
//
// Every random decision draws from its own stream, derived by hashing the
// user's seed with what the stream is for ("order", epoch 3, input 1), so
// that changing one option (sampling of another input, the shard) never
// shifts the numbers another decision sees.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

namespace rootbatch::loader {

__extension__ using Uint128 = unsigned __int128;  // GCC and Clang both have it

// SplitMix64's finaliser: a bijective 64-bit mixer.
inline uint64_t Mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Purposes of random streams; values are part of the output's definition.
enum class Stream : uint64_t {
  kSplit = 1,     // train/validation assignment (seed only: fixed across epochs)
  kSample = 2,    // under/oversampling (seed, epoch, input)
  kOrder = 3,     // block order (seed, epoch)
  kSlots = 4,     // rows inside the buffer (seed, epoch, shard)
};

inline uint64_t DeriveSeed(uint64_t seed, Stream stream, std::initializer_list<uint64_t> keys) {
  uint64_t h = Mix64(seed ^ Mix64(static_cast<uint64_t>(stream)));
  for (uint64_t key : keys) h = Mix64(h ^ Mix64(key + 0x632BE59BD9B4E019ull));
  return h;
}

// xoshiro256** (Blackman and Vigna), seeded through SplitMix64.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& word : state_) {
      seed += 0x9E3779B97F4A7C15ull;
      word = Mix64(seed);
    }
  }

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

  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  template <typename T>
  void Shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i) {
      size_t j = static_cast<size_t>(Below(i));
      std::swap(items[i - 1], items[j]);
    }
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

}  // namespace rootbatch::loader
