#include "rootbatch/base/byte_swap.hpp"

#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "rootbatch/base/endian.hpp"

namespace rootbatch {
namespace {

template <typename T>
void SwapScalar(const uint8_t* src, size_t count, uint8_t* dst) {
  for (size_t i = 0; i < count; ++i) {
    T value;
    std::memcpy(&value, src + i * sizeof(T), sizeof(T));
    value = ByteSwap(value);
    std::memcpy(dst + i * sizeof(T), &value, sizeof(T));
  }
}

#if defined(__x86_64__)
// One shuffle reverses every `width`-byte group of a 32-byte register.
template <size_t kWidth>
__attribute__((target("avx2"))) void SwapAvx2(const uint8_t* src, size_t count, uint8_t* dst) {
  alignas(32) uint8_t pattern[32];
  for (size_t i = 0; i < 32; ++i) pattern[i] = static_cast<uint8_t>(i / kWidth * kWidth + (kWidth - 1 - i % kWidth));
  const __m256i shuffle = _mm256_load_si256(reinterpret_cast<const __m256i*>(pattern));
  const size_t bytes = count * kWidth;
  size_t at = 0;
  for (; at + 64 <= bytes; at += 64) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + at));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + at + 32));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + at), _mm256_shuffle_epi8(a, shuffle));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + at + 32), _mm256_shuffle_epi8(b, shuffle));
  }
  for (; at + 32 <= bytes; at += 32) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + at));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + at), _mm256_shuffle_epi8(a, shuffle));
  }
  using T = std::conditional_t<kWidth == 2, uint16_t, std::conditional_t<kWidth == 4, uint32_t, uint64_t>>;
  SwapScalar<T>(src + at, (bytes - at) / kWidth, dst + at);
}
#endif

}  // namespace

void ByteSwapCopy(const void* src, size_t count, size_t width, void* dst) {
  if (count == 0) return;
  const auto* in = static_cast<const uint8_t*>(src);
  auto* out = static_cast<uint8_t*>(dst);
  if constexpr (std::endian::native == std::endian::big) {
    std::memcpy(out, in, count * width);  // big-endian already
    return;
  }
#if defined(__x86_64__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) {
    switch (width) {
      case 2: SwapAvx2<2>(in, count, out); return;
      case 4: SwapAvx2<4>(in, count, out); return;
      case 8: SwapAvx2<8>(in, count, out); return;
      default: break;
    }
  }
#endif
  switch (width) {
    case 2: SwapScalar<uint16_t>(in, count, out); return;
    case 4: SwapScalar<uint32_t>(in, count, out); return;
    case 8: SwapScalar<uint64_t>(in, count, out); return;
    default: std::memcpy(out, in, count * width); return;
  }
}

}  // namespace rootbatch
