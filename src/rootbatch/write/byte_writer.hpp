// ByteWriter: an append-only big-endian buffer for serializing ROOT records.
//
// The mirror of ByteCursor: classic ROOT I/O is big-endian, strings are
// TStrings, and most objects start with a byte count that is only known once
// the object is complete. BeginByteCount() reserves the 4 bytes and
// EndByteCount() fills them in as `0x40000000 | bytes that follow`.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "rootbatch/base/endian.hpp"

namespace rootbatch::write {

inline constexpr uint32_t kByteCountMask = 0x40000000;  // kByteCountMask: "a byte count follows"

class ByteWriter {
 public:
  size_t Size() const { return bytes_.size(); }
  const std::vector<uint8_t>& Bytes() const { return bytes_; }
  std::vector<uint8_t>& MutableBytes() { return bytes_; }
  std::vector<uint8_t> Release() { return std::move(bytes_); }
  void Clear() { bytes_.clear(); }
  void Reserve(size_t n) { bytes_.reserve(n); }

  template <typename T>
  void PutBE(T value) {
    const size_t at = bytes_.size();
    bytes_.resize(at + sizeof(T));
    StoreBigEndian<T>(bytes_.data() + at, value);
  }
  void PutU8(uint8_t v) { bytes_.push_back(v); }
  void PutI16(int16_t v) { PutBE(v); }
  void PutU16(uint16_t v) { PutBE(v); }
  void PutI32(int32_t v) { PutBE(v); }
  void PutU32(uint32_t v) { PutBE(v); }
  void PutI64(int64_t v) { PutBE(v); }
  void PutU64(uint64_t v) { PutBE(v); }
  void PutF32(float v) { PutBE(v); }
  void PutF64(double v) { PutBE(v); }
  void PutBytes(std::span<const uint8_t> data) { bytes_.insert(bytes_.end(), data.begin(), data.end()); }
  void PutZeros(size_t n) { bytes_.resize(bytes_.size() + n, 0); }
  // ROOT's TString: u8 length, or 255 then a u32 length; then the bytes.
  void PutTString(std::string_view s);
  // A NUL-terminated string (a class name after kNewClassTag).
  void PutCString(std::string_view s);

  // Overwrites bytes already written.
  template <typename T>
  void PatchBE(size_t position, T value) {
    StoreBigEndian<T>(bytes_.data() + position, value);
  }

  // Reserves a byte-count word; returns its position for EndByteCount.
  size_t BeginByteCount() {
    const size_t at = bytes_.size();
    PutU32(0);
    return at;
  }
  void EndByteCount(size_t count_position) {
    const auto count = static_cast<uint32_t>(bytes_.size() - count_position - 4);
    PatchBE<uint32_t>(count_position, kByteCountMask | count);
  }
  // Byte count + class version, the header of most streamed objects.
  size_t BeginObject(int16_t version) {
    const size_t at = BeginByteCount();
    PutI16(version);
    return at;
  }

 private:
  std::vector<uint8_t> bytes_;
};

// Bytes a TString of `s` takes on disk.
inline size_t TStringSize(std::string_view s) { return (s.size() < 255 ? 1 : 5) + s.size(); }

}  // namespace rootbatch::write
