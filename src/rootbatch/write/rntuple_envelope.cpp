#include "rootbatch/write/rntuple_envelope.hpp"

#include <xxhash.h>

#include <limits>

namespace rootbatch::write {

uint64_t Xxh3(std::span<const uint8_t> bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

void RNTupleBuffer::PutString(std::string_view s) {
  PutU32(static_cast<uint32_t>(s.size()));
  bytes_.insert(bytes_.end(), s.begin(), s.end());
}

void RNTupleBuffer::PutLocator(const Locator& locator) {
  if (locator.size <= static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
    PutI32(static_cast<int32_t>(locator.size));  // head >= 0: the size
    PutU64(locator.offset);
    return;
  }
  // head < 0: -(type << 24 | payload bytes + 4), type 1 = large (u64 size, u64 offset).
  PutI32(-static_cast<int32_t>((1u << 24) | (16u + 4u)));
  PutU64(locator.size);
  PutU64(locator.offset);
}

void RNTupleBuffer::PutEnvelopeLink(uint64_t uncompressed_size, const Locator& locator) {
  PutU64(uncompressed_size);
  PutLocator(locator);
}

size_t RNTupleBuffer::BeginRecord() {
  const size_t start = bytes_.size();
  PutI64(0);
  list_frames_.push_back(false);
  return start;
}

size_t RNTupleBuffer::BeginList(uint32_t count) {
  const size_t start = bytes_.size();
  PutI64(0);
  PutU32(count);
  list_frames_.push_back(true);
  return start;
}

void RNTupleBuffer::EndFrame(size_t start) {
  const bool list = list_frames_.back();
  list_frames_.pop_back();
  const auto size = static_cast<int64_t>(bytes_.size() - start);  // includes the size field itself
  StoreLittleEndian<int64_t>(bytes_.data() + start, list ? -size : size);
}

void RNTupleBuffer::BeginEnvelope(EnvelopeType type) {
  envelope_type_ = type;
  PutU64(0);  // type and length, filled in by FinishEnvelope
}

uint64_t RNTupleBuffer::FinishEnvelope() {
  const uint64_t length = bytes_.size() + 8;  // the checksum counts
  StoreLittleEndian<uint64_t>(bytes_.data(), static_cast<uint64_t>(envelope_type_) | (length << 16));
  const uint64_t checksum = Xxh3(bytes_);
  PutU64(checksum);
  return checksum;
}

}  // namespace rootbatch::write
