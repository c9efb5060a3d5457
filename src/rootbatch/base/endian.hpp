// Unaligned big- and little-endian loads. ROOT's classic I/O is big-endian;
// RNTuple payloads and codec block sizes are little-endian.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace rootbatch {

template <typename T>
inline T ByteSwap(T value) {
  static_assert(std::is_trivially_copyable_v<T>);
  if constexpr (sizeof(T) == 1) {
    return value;
  } else {
    using U = std::conditional_t<sizeof(T) == 2, uint16_t,
              std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>;
    static_assert(sizeof(U) == sizeof(T));
    U bits;
    std::memcpy(&bits, &value, sizeof(T));
    if constexpr (sizeof(T) == 2) bits = __builtin_bswap16(bits);
    if constexpr (sizeof(T) == 4) bits = __builtin_bswap32(bits);
    if constexpr (sizeof(T) == 8) bits = __builtin_bswap64(bits);
    std::memcpy(&value, &bits, sizeof(T));
    return value;
  }
}

template <typename T>
inline T LoadBigEndian(const void* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  if constexpr (std::endian::native == std::endian::little) value = ByteSwap(value);
  return value;
}

template <typename T>
inline T LoadLittleEndian(const void* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  if constexpr (std::endian::native == std::endian::big) value = ByteSwap(value);
  return value;
}

template <typename T>
inline void StoreBigEndian(void* p, T value) {
  if constexpr (std::endian::native == std::endian::little) value = ByteSwap(value);
  std::memcpy(p, &value, sizeof(T));
}

template <typename T>
inline void StoreLittleEndian(void* p, T value) {
  if constexpr (std::endian::native == std::endian::big) value = ByteSwap(value);
  std::memcpy(p, &value, sizeof(T));
}

}  // namespace rootbatch
