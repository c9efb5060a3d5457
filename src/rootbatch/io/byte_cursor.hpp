// ByteCursor: bounds-checked big-endian reads over bytes already in memory.
//
// The cursor never does I/O; it is only a position in a span. Its error is
// sticky: after the first failure every read returns zero and the cursor stays
// failed, so a record parser is a flat list of reads with one check at the end
// (`RB_RETURN_IF_ERROR(cursor.status())`). Errors name the absolute byte
// offset in the file: `origin` is the file offset of span[0].
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "rootbatch/base/endian.hpp"
#include "rootbatch/base/status.hpp"

namespace rootbatch {

class ByteCursor {
 public:
  ByteCursor(std::span<const uint8_t> bytes, int64_t origin = 0) : bytes_(bytes), origin_(origin) {}

  // Position relative to the start of the span.
  int64_t Position() const { return static_cast<int64_t>(pos_); }
  // Absolute file offset of the current position.
  int64_t FileOffset() const { return origin_ + Position(); }
  int64_t Origin() const { return origin_; }
  int64_t Remaining() const { return static_cast<int64_t>(bytes_.size() - pos_); }
  int64_t Size() const { return static_cast<int64_t>(bytes_.size()); }
  std::span<const uint8_t> Bytes() const { return bytes_; }

  bool Ok() const { return status_.IsOk(); }
  const Status& status() const { return status_; }

  // Marks the cursor failed (first failure wins) with a kCorrupt error that
  // names the current file offset.
  void Fail(std::string_view what);
  void Fail(Status status);

  template <typename T>
  T ReadBE() {
    if (!Require(sizeof(T), "a value")) return T{};
    T value = LoadBigEndian<T>(bytes_.data() + pos_);
    pos_ += sizeof(T);
    return value;
  }
  template <typename T>
  T ReadLE() {
    if (!Require(sizeof(T), "a value")) return T{};
    T value = LoadLittleEndian<T>(bytes_.data() + pos_);
    pos_ += sizeof(T);
    return value;
  }
  uint8_t ReadU8() { return ReadBE<uint8_t>(); }
  int16_t ReadI16() { return ReadBE<int16_t>(); }
  uint16_t ReadU16() { return ReadBE<uint16_t>(); }
  int32_t ReadI32() { return ReadBE<int32_t>(); }
  uint32_t ReadU32() { return ReadBE<uint32_t>(); }
  int64_t ReadI64() { return ReadBE<int64_t>(); }
  uint64_t ReadU64() { return ReadBE<uint64_t>(); }
  float ReadF32() { return ReadBE<float>(); }
  double ReadF64() { return ReadBE<double>(); }

  // Returns `n` bytes and advances, or an empty span on failure.
  std::span<const uint8_t> ReadBytes(int64_t n);
  // ROOT's TString: u8 length, or 255 then a u32 length; then the bytes.
  std::string ReadTString();
  // A NUL-terminated string (class names after kNewClassTag).
  std::string ReadCString();

  void Skip(int64_t n) { ReadBytes(n); }
  // Moves to a position relative to the span start; fails if outside it.
  void Seek(int64_t position);
  uint32_t PeekU32() const {
    return Remaining() >= 4 ? LoadBigEndian<uint32_t>(bytes_.data() + pos_) : 0;
  }

 private:
  bool Require(size_t n, std::string_view what);

  std::span<const uint8_t> bytes_;
  int64_t origin_;
  size_t pos_ = 0;
  Status status_;
};

}  // namespace rootbatch
