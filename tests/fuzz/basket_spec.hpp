// How basket_fuzz turns its 8 control bytes into an Interpretation, and back
// (fuzz_corpus writes real baskets with the bytes of their branch). Only
// combinations InterpretTree itself produces are built, so a finding is a
// bug of basket decoding, not of a layout no file can reach.
//
//   byte 0: layout (EntryLayout, mod 8)       byte 1: value type (mod 11: bool..float64)
//   byte 2: encoding (float32: plain, Float16 range, truncated; float64:
//           plain, Double32 range, truncated, float as double)
//   byte 3: nbits (2..32)                     byte 4: fixed array length - 1 (mod 8)
//   byte 5: leaf-list padding values before this leaf (mod 4)
//   bytes 6-7: u16 LE entries of the tree
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "rootbatch/ttree/interpretation.hpp"

namespace rootbatch::fuzz {

inline constexpr size_t kBasketSpecBytes = 8;

inline Interpretation MakeBasketInterpretation(const std::array<uint8_t, kBasketSpecBytes>& b) {
  Interpretation in;
  in.branch = 0;
  in.spec.name = "b";
  in.layout = static_cast<EntryLayout>(b[0] % 8);
  in.spec.type = static_cast<DataType>(b[1] % 11);
  in.disk_width = ByteWidth(in.spec.type);
  // As InterpretTree: Float16_t (ranged or truncated) is float32, Double32_t
  // (ranged, truncated or a float widened) float64.
  in.encoding = ValueEncoding::kPlain;
  if (in.spec.type == DataType::kFloat32) {
    constexpr ValueEncoding kFloat16[] = {ValueEncoding::kPlain, ValueEncoding::kFloat16Range, ValueEncoding::kTruncated};
    in.encoding = kFloat16[b[2] % 3];
  } else if (in.spec.type == DataType::kFloat64) {
    constexpr ValueEncoding kDouble32[] = {ValueEncoding::kPlain, ValueEncoding::kDouble32Range,
                                           ValueEncoding::kTruncated, ValueEncoding::kFloatAsDouble};
    in.encoding = kDouble32[b[2] % 4];
  }
  in.nbits = 2 + b[3] % 31;
  // As InterpretTree: truncated values have at most kMaxTruncatedMantissaBits.
  if (in.encoding == ValueEncoding::kTruncated) in.nbits = 2 + b[3] % (kMaxTruncatedMantissaBits - 1);
  if (in.encoding == ValueEncoding::kFloat16Range || in.encoding == ValueEncoding::kDouble32Range) {
    in.range_min = -1.5;
    in.range_max = 7.25;
    in.disk_width = 4;
  } else if (in.encoding == ValueEncoding::kTruncated) {
    in.disk_width = 3;
  } else if (in.encoding == ValueEncoding::kFloatAsDouble) {
    in.disk_width = 4;
  }
  const int64_t len = 1 + b[4] % 8;
  switch (in.layout) {
    case EntryLayout::kFixed:
      in.spec.kind = len > 1 ? ColumnKind::kFixedArray : ColumnKind::kScalar;
      if (len > 1) in.spec.inner_shape = {len};
      in.leaf_offset = (b[5] % 4) * in.disk_width;
      in.entry_size = in.leaf_offset + len * in.disk_width;
      break;
    case EntryLayout::kCountedArray:
    case EntryLayout::kSpeedbumpArray:
    case EntryLayout::kVector:
      in.spec.kind = ColumnKind::kJagged;
      if (in.layout == EntryLayout::kCountedArray && len > 1) in.spec.inner_shape = {len};
      break;
    case EntryLayout::kVectorOfVectors:
      in.spec.kind = ColumnKind::kDoublyJagged;
      break;
    case EntryLayout::kLeafString:
    case EntryLayout::kStdString:
    case EntryLayout::kCharStar:
      in.spec.type = DataType::kChar;
      in.spec.kind = ColumnKind::kString;
      in.encoding = ValueEncoding::kPlain;
      in.disk_width = 1;
      break;
  }
  return in;
}

// The control bytes of a real branch's interpretation, where basket_fuzz can
// build it; nullopt otherwise.
inline std::optional<std::array<uint8_t, kBasketSpecBytes>> EncodeBasketSpec(const Interpretation& in,
                                                                            int64_t entries) {
  std::array<uint8_t, kBasketSpecBytes> b{};
  b[0] = static_cast<uint8_t>(in.layout);
  b[1] = in.spec.kind == ColumnKind::kString ? static_cast<uint8_t>(DataType::kUInt8)
                                             : static_cast<uint8_t>(in.spec.type);
  if (b[1] > 10) return std::nullopt;
  switch (in.encoding) {  // the index MakeBasketInterpretation's tables give it
    case ValueEncoding::kPlain: b[2] = 0; break;
    case ValueEncoding::kFloat16Range: case ValueEncoding::kDouble32Range: b[2] = 1; break;
    case ValueEncoding::kTruncated: b[2] = 2; break;
    case ValueEncoding::kFloatAsDouble: b[2] = 3; break;
  }
  b[3] = static_cast<uint8_t>(in.nbits >= 2 ? in.nbits - 2 : 0);
  const int64_t len = in.spec.InnerSize();
  if (len < 1 || len > 8) return std::nullopt;
  b[4] = static_cast<uint8_t>(len - 1);
  if (in.layout == EntryLayout::kFixed) {
    if (in.disk_width == 0 || in.leaf_offset % in.disk_width != 0 || in.leaf_offset / in.disk_width > 3) {
      return std::nullopt;
    }
    b[5] = static_cast<uint8_t>(in.leaf_offset / in.disk_width);
  }
  const uint16_t n = static_cast<uint16_t>(std::min<int64_t>(entries, 0xFFFF));
  b[6] = static_cast<uint8_t>(n);
  b[7] = static_cast<uint8_t>(n >> 8);
  return b;
}

}  // namespace rootbatch::fuzz
