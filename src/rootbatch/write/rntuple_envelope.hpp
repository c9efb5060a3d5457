// RNTupleBuffer: a little-endian buffer for RNTuple metadata, with ROOT's
// frames, locators and envelopes (ROOTIO-FORMAT.md §5.2).
//
// The RNTuple payload is little-endian, unlike classic ROOT I/O. A frame
// starts with an i64 size that counts the whole frame including that size
// (negative for a list frame, which then has a u32 item count), so
// BeginRecord/BeginList reserve the size and End fills it in once the frame
// is complete. An envelope is a u64 `type | (length << 16)`, the payload,
// then the XXH3-64 of every preceding byte; its length counts the checksum.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "rootbatch/base/endian.hpp"

namespace rootbatch::write {

// Envelope type IDs (RNTuple spec "Envelopes").
enum class EnvelopeType : uint16_t { kHeader = 1, kFooter = 2, kPageList = 3 };

// XXH3-64 (seed 0), the checksum of envelopes, pages and the anchor.
uint64_t Xxh3(std::span<const uint8_t> bytes);

// Where a blob lives in the file: its stored size and absolute offset.
struct Locator {
  uint64_t size = 0;    // bytes on storage
  uint64_t offset = 0;  // absolute file offset
};

class RNTupleBuffer {
 public:
  size_t Size() const { return bytes_.size(); }
  const std::vector<uint8_t>& Bytes() const { return bytes_; }
  std::vector<uint8_t> Release() { return std::move(bytes_); }

  template <typename T>
  void Put(T value) {
    const size_t at = bytes_.size();
    bytes_.resize(at + sizeof(T));
    StoreLittleEndian<T>(bytes_.data() + at, value);
  }
  void PutU16(uint16_t v) { Put(v); }
  void PutU32(uint32_t v) { Put(v); }
  void PutI32(int32_t v) { Put(v); }
  void PutU64(uint64_t v) { Put(v); }
  void PutI64(int64_t v) { Put(v); }
  // u32 length + bytes.
  void PutString(std::string_view s);
  // Locator: i32 size (>= 0, the simple form) + u64 offset; sizes past 2^31
  // take the 'large' form (type 1: u64 size + u64 offset).
  void PutLocator(const Locator& locator);
  // Envelope link: u64 uncompressed size + locator.
  void PutEnvelopeLink(uint64_t uncompressed_size, const Locator& locator);
  // Feature flags: one u64, none set in format 1.0.
  void PutFeatureFlags() { PutU64(0); }

  // A record frame; finish with EndFrame(returned position).
  size_t BeginRecord();
  // A list frame of `count` items; finish with EndFrame(returned position).
  size_t BeginList(uint32_t count);
  void EndFrame(size_t start);
  // A list frame with no items.
  void PutEmptyList() { EndFrame(BeginList(0)); }

  // Starts an envelope of `type` (the buffer must be empty); FinishEnvelope
  // fills in the length and appends the checksum, which it returns.
  void BeginEnvelope(EnvelopeType type);
  uint64_t FinishEnvelope();

 private:
  std::vector<uint8_t> bytes_;
  EnvelopeType envelope_type_ = EnvelopeType::kHeader;
  std::vector<bool> list_frames_;  // per open frame: whether it is a list
};

}  // namespace rootbatch::write
