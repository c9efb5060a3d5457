#include "rootbatch/loader/convert.hpp"

#include <immintrin.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace rootbatch::loader {
namespace {

template <typename To, typename From>
To Cast(From value) {
  if constexpr (std::is_same_v<To, bool>) {
    return value != From{};
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (std::isnan(value)) return 0;
    // Compare in long double so that the limits of int64 are exact.
    long double v = value;
    if (v <= static_cast<long double>(std::numeric_limits<To>::min())) return std::numeric_limits<To>::min();
    if (v >= static_cast<long double>(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    return static_cast<To>(value);
  } else if constexpr (std::is_integral_v<From> && std::is_integral_v<To> && !std::is_same_v<From, bool>) {
    // Saturate out-of-range integers (uint64 above int64 max) instead of wrapping.
    if constexpr (std::is_unsigned_v<From> && std::is_signed_v<To>) {
      if (value > static_cast<std::make_unsigned_t<To>>(std::numeric_limits<To>::max())) {
        return std::numeric_limits<To>::max();
      }
    } else if constexpr (std::is_signed_v<From> && sizeof(To) < sizeof(From)) {
      if (value > static_cast<From>(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
      if (value < static_cast<From>(std::numeric_limits<To>::min())) return std::numeric_limits<To>::min();
    }
    return static_cast<To>(value);
  } else {
    return static_cast<To>(value);
  }
}

template <typename From, typename To>
void ConvertRowsTyped(const From* src, int64_t rows, int64_t inner, uint8_t* dst, size_t dst_stride) {
  if constexpr (std::is_same_v<From, To>) {
    const size_t bytes = static_cast<size_t>(inner) * sizeof(To);
    if (dst_stride == bytes || rows == 1) {
      std::memcpy(dst, src, bytes * static_cast<size_t>(rows));
      return;
    }
  }
  // Fixed-size memcpy per value: compiled to a plain (unaligned) store, not a
  // call, which matters when scattering one column into rows.
  for (int64_t r = 0; r < rows; ++r) {
    uint8_t* out = dst + static_cast<size_t>(r) * dst_stride;
    const From* in = src + r * inner;
    for (int64_t j = 0; j < inner; ++j) {
      const To value = Cast<To>(in[j]);
      std::memcpy(out + static_cast<size_t>(j) * sizeof(To), &value, sizeof(To));
    }
  }
}

template <typename From>
void DispatchTo(const From* src, int64_t rows, int64_t inner, DataType to, uint8_t* dst, size_t stride) {
  switch (to) {
    case DataType::kFloat32: return ConvertRowsTyped<From, float>(src, rows, inner, dst, stride);
    case DataType::kFloat64: return ConvertRowsTyped<From, double>(src, rows, inner, dst, stride);
    case DataType::kInt64: return ConvertRowsTyped<From, int64_t>(src, rows, inner, dst, stride);
    case DataType::kInt32: return ConvertRowsTyped<From, int32_t>(src, rows, inner, dst, stride);
    case DataType::kBool: return ConvertRowsTyped<From, bool>(src, rows, inner, dst, stride);
    default: return;  // not an output type; rejected by option validation
  }
}

}  // namespace

bool IsOutputType(DataType type) {
  return type == DataType::kFloat32 || type == DataType::kFloat64 || type == DataType::kInt64 ||
         type == DataType::kInt32 || type == DataType::kBool;
}

bool IsLossless(DataType from, DataType to) {
  if (from == to) return true;
  switch (to) {
    case DataType::kBool: return from == DataType::kBool;
    case DataType::kInt32:
      return from == DataType::kBool || from == DataType::kInt8 || from == DataType::kUInt8 ||
             from == DataType::kInt16 || from == DataType::kUInt16;
    case DataType::kInt64:
      return from == DataType::kBool || from == DataType::kInt8 || from == DataType::kUInt8 ||
             from == DataType::kInt16 || from == DataType::kUInt16 || from == DataType::kInt32 ||
             from == DataType::kUInt32;
    case DataType::kFloat32:  // 24-bit mantissa
      return from == DataType::kBool || from == DataType::kInt8 || from == DataType::kUInt8 ||
             from == DataType::kInt16 || from == DataType::kUInt16;
    case DataType::kFloat64:  // 53-bit mantissa
      return from == DataType::kBool || from == DataType::kInt8 || from == DataType::kUInt8 ||
             from == DataType::kInt16 || from == DataType::kUInt16 || from == DataType::kInt32 ||
             from == DataType::kUInt32 || from == DataType::kFloat32;
    default: return false;
  }
}

void ConvertRows(DataType from, const void* src, int64_t rows, int64_t inner, DataType to, void* dst,
                 size_t dst_stride) {
  if (rows <= 0 || inner <= 0) return;
  auto* out = static_cast<uint8_t*>(dst);
  switch (from) {
    case DataType::kBool: return DispatchTo(static_cast<const bool*>(src), rows, inner, to, out, dst_stride);
    case DataType::kInt8: return DispatchTo(static_cast<const int8_t*>(src), rows, inner, to, out, dst_stride);
    case DataType::kChar:
    case DataType::kUInt8: return DispatchTo(static_cast<const uint8_t*>(src), rows, inner, to, out, dst_stride);
    case DataType::kInt16: return DispatchTo(static_cast<const int16_t*>(src), rows, inner, to, out, dst_stride);
    case DataType::kUInt16: return DispatchTo(static_cast<const uint16_t*>(src), rows, inner, to, out, dst_stride);
    case DataType::kInt32: return DispatchTo(static_cast<const int32_t*>(src), rows, inner, to, out, dst_stride);
    case DataType::kUInt32: return DispatchTo(static_cast<const uint32_t*>(src), rows, inner, to, out, dst_stride);
    case DataType::kInt64: return DispatchTo(static_cast<const int64_t*>(src), rows, inner, to, out, dst_stride);
    case DataType::kUInt64: return DispatchTo(static_cast<const uint64_t*>(src), rows, inner, to, out, dst_stride);
    case DataType::kFloat32: return DispatchTo(static_cast<const float*>(src), rows, inner, to, out, dst_stride);
    case DataType::kFloat64: return DispatchTo(static_cast<const double*>(src), rows, inner, to, out, dst_stride);
  }
}

namespace {

void TransposeScalar(const float* const* columns, int count, int64_t rows, uint8_t* dst, size_t stride) {
  for (int c = 0; c < count; ++c) {
    for (int64_t r = 0; r < rows; ++r) std::memcpy(dst + static_cast<size_t>(r) * stride + 4 * static_cast<size_t>(c), &columns[c][r], 4);
  }
}

#if defined(__x86_64__)
__attribute__((target("avx2"))) void TransposeAvx2(const float* const* columns, int count, int64_t rows, uint8_t* dst,
                                                   size_t stride) {
  int c = 0;
  for (; c + 8 <= count; c += 8) {
    const float* const* in = columns + c;
    int64_t r = 0;
    for (; r + 8 <= rows; r += 8) {
      const __m256 a0 = _mm256_loadu_ps(in[0] + r), a1 = _mm256_loadu_ps(in[1] + r);
      const __m256 a2 = _mm256_loadu_ps(in[2] + r), a3 = _mm256_loadu_ps(in[3] + r);
      const __m256 a4 = _mm256_loadu_ps(in[4] + r), a5 = _mm256_loadu_ps(in[5] + r);
      const __m256 a6 = _mm256_loadu_ps(in[6] + r), a7 = _mm256_loadu_ps(in[7] + r);
      const __m256 t0 = _mm256_unpacklo_ps(a0, a1), t1 = _mm256_unpackhi_ps(a0, a1);
      const __m256 t2 = _mm256_unpacklo_ps(a2, a3), t3 = _mm256_unpackhi_ps(a2, a3);
      const __m256 t4 = _mm256_unpacklo_ps(a4, a5), t5 = _mm256_unpackhi_ps(a4, a5);
      const __m256 t6 = _mm256_unpacklo_ps(a6, a7), t7 = _mm256_unpackhi_ps(a6, a7);
      const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
      const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
      const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
      const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
      const __m256 out[8] = {_mm256_permute2f128_ps(u0, u4, 0x20), _mm256_permute2f128_ps(u1, u5, 0x20),
                             _mm256_permute2f128_ps(u2, u6, 0x20), _mm256_permute2f128_ps(u3, u7, 0x20),
                             _mm256_permute2f128_ps(u0, u4, 0x31), _mm256_permute2f128_ps(u1, u5, 0x31),
                             _mm256_permute2f128_ps(u2, u6, 0x31), _mm256_permute2f128_ps(u3, u7, 0x31)};
      for (int k = 0; k < 8; ++k) {
        _mm256_storeu_ps(reinterpret_cast<float*>(dst + static_cast<size_t>(r + k) * stride + 4 * static_cast<size_t>(c)),
                         out[k]);
      }
    }
    if (r < rows) {
      // The tail rows of these 8 columns start at row r of each column.
      const float* tail[8];
      for (int k = 0; k < 8; ++k) tail[k] = in[k] + r;
      TransposeScalar(tail, 8, rows - r, dst + static_cast<size_t>(r) * stride + 4 * static_cast<size_t>(c), stride);
    }
  }
  TransposeScalar(columns + c, count - c, rows, dst + 4 * static_cast<size_t>(c), stride);
}
#endif

}  // namespace

void TransposeFloat32(const float* const* columns, int count, int64_t rows, void* dst, size_t dst_stride) {
  auto* out = static_cast<uint8_t*>(dst);
#if defined(__x86_64__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) {
    TransposeAvx2(columns, count, rows, out, dst_stride);
    return;
  }
#endif
  TransposeScalar(columns, count, rows, out, dst_stride);
}

namespace {

template <typename From, typename To>
int64_t FirstInexactTyped(const From* values, int64_t count) {
  constexpr int kDigits = std::numeric_limits<To>::digits;  // 24 (float), 53 (double)
  if constexpr (std::numeric_limits<From>::digits <= kDigits) {
    return -1;  // every value fits (int32 -> double)
  } else {
    // Integers of magnitude up to 2^digits are exact; only larger ones need
    // a round trip (in long double, which holds every 64-bit integer).
    constexpr From kLimit = From{1} << kDigits;
    for (int64_t i = 0; i < count; ++i) {
      const From v = values[i];
      bool small = v <= kLimit;
      if constexpr (std::is_signed_v<From>) small = small && v >= -kLimit;
      if (small) continue;
      if (static_cast<long double>(static_cast<To>(v)) != static_cast<long double>(v)) return i;
    }
    return -1;
  }
}

template <typename To>
int64_t FirstInexactTo(DataType from, const void* src, int64_t count) {
  switch (from) {
    case DataType::kInt32: return FirstInexactTyped<int32_t, To>(static_cast<const int32_t*>(src), count);
    case DataType::kUInt32: return FirstInexactTyped<uint32_t, To>(static_cast<const uint32_t*>(src), count);
    case DataType::kInt64: return FirstInexactTyped<int64_t, To>(static_cast<const int64_t*>(src), count);
    case DataType::kUInt64: return FirstInexactTyped<uint64_t, To>(static_cast<const uint64_t*>(src), count);
    default: return -1;  // 8- and 16-bit integers fit every float type
  }
}

}  // namespace

int64_t FirstInexact(DataType from, const void* src, int64_t count, DataType to) {
  if (to == DataType::kFloat32) return FirstInexactTo<float>(from, src, count);
  if (to == DataType::kFloat64) return FirstInexactTo<double>(from, src, count);
  return -1;
}

void FillValue(DataType to, double value, void* dst, int64_t count) {
  if (count <= 0) return;
  uint8_t tmp[8];
  ConvertRows(DataType::kFloat64, &value, 1, 1, to, tmp, 8);
  const int width = ByteWidth(to);
  auto* out = static_cast<uint8_t*>(dst);
  for (int64_t i = 0; i < count; ++i) std::memcpy(out + i * width, tmp, static_cast<size_t>(width));
}

}  // namespace rootbatch::loader
