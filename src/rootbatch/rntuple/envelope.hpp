// The building blocks of RNTuple's binary format 1.0 (little-endian):
// strings, frames, locators, envelope links and envelopes with their XXH3-64
// checksums. Every reader here works on a ByteCursor over bytes already in
// memory, so it never reads out of bounds; errors are kCorrupt with the file
// offset (or, inside a decompressed envelope, the offset in the envelope).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/io/byte_cursor.hpp"
#include "rootbatch/io/byte_source.hpp"

namespace rootbatch::rntuple {

// String: u32 length + bytes.
std::string ReadString(ByteCursor& cursor);

// A record or list frame: i64 size (|size| includes the size field; negative
// for a list frame, then a u32 item count).
struct Frame {
  int64_t start = 0;  // cursor position of the size field
  int64_t size = 0;   // |size|
  bool is_list = false;
  uint32_t count = 0;  // items of a list frame
  int64_t End() const { return start + size; }
};
// Reads a frame header; fails the cursor if the frame does not fit in it.
Frame ReadFrame(ByteCursor& cursor, bool want_list, std::string_view what);
// Moves past the frame (readers skip fields appended by newer writers);
// fails the cursor if it already read beyond the frame.
void EndFrame(ByteCursor& cursor, const Frame& frame, std::string_view what);

// Locator: where a blob lies in the file.
struct Locator {
  uint64_t size = 0;    // bytes on storage
  uint64_t offset = 0;  // file offset
};
Locator ReadLocator(ByteCursor& cursor);

// Envelope link: u64 uncompressed length + locator.
struct EnvelopeLink {
  uint64_t length = 0;
  Locator locator;
};
EnvelopeLink ReadEnvelopeLink(ByteCursor& cursor);

// Feature flags: u64 words, bit 63 meaning another follows. Format 1.0
// defines none, so any set bit is kUnsupported.
Status ReadFeatureFlags(ByteCursor& cursor, std::string_view what);

enum class EnvelopeType : uint16_t { kHeader = 1, kFooter = 2, kPageList = 3 };

// An envelope holds at least its type/length word and its checksum; ROOT
// writes headers, footers and page lists of kilobytes to megabytes.
inline constexpr uint64_t kMinEnvelopeBytes = 16;
inline constexpr uint64_t kMaxEnvelopeBytes = uint64_t{1} << 32;
std::string_view EnvelopeName(EnvelopeType type);  // "header", "footer", "page list"

// Reads `locator.size` bytes at `locator.offset`, decompresses them to
// `length` bytes when the sizes differ, and checks the envelope: its type,
// its length field and the XXH3-64 of every byte before the checksum. A
// mismatch is kCorrupt naming the envelope and its file offset. Returns the
// whole uncompressed envelope (type/length word and checksum included).
Result<std::vector<uint8_t>> ReadEnvelope(const ByteSource& source, const Locator& locator, uint64_t length,
                                          EnvelopeType type);

// XXH3-64 of `bytes` (seed 0), the checksum RNTuple uses everywhere.
uint64_t Xxh3(std::span<const uint8_t> bytes);
// "0x" and 16 hex digits, for checksums and flags in messages.
std::string Hex(uint64_t value);

// Reads a blob of `stored` bytes at `offset` and decompresses it into `out`
// (stored when the sizes agree). `what` names it in errors.
// Decompresses a blob already in memory (`stored`, as it lies in the file
// at `offset`) into `out`; equal sizes mean stored uncompressed. A size that
// no compression gives is refused as forged.
Status DecompressBlob(std::span<const uint8_t> stored, std::span<uint8_t> out, std::string_view what,
                      uint64_t offset);
// Fails (kCorrupt, naming `what`) unless [offset, offset + stored) lies in the source.
Status CheckInFile(const ByteSource& source, uint64_t offset, uint64_t stored, std::string_view what);
Status ReadBlob(const ByteSource& source, uint64_t offset, uint64_t stored, std::span<uint8_t> out,
                std::string_view what);

}  // namespace rootbatch::rntuple
