#include "rootbatch/rntuple/envelope.hpp"

#include <algorithm>

#include <xxhash.h>

#include <cstdio>

#include "rootbatch/codec/codec.hpp"

namespace rootbatch::rntuple {
namespace {


}  // namespace

uint64_t Xxh3(std::span<const uint8_t> bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

std::string Hex(uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%016llx", static_cast<unsigned long long>(value));
  return text;
}

std::string ReadString(ByteCursor& cursor) {
  const uint32_t length = cursor.ReadLE<uint32_t>();
  auto bytes = cursor.ReadBytes(length);
  return std::string(bytes.begin(), bytes.end());
}

Frame ReadFrame(ByteCursor& cursor, bool want_list, std::string_view what) {
  Frame frame;
  frame.start = cursor.Position();
  const int64_t size = cursor.ReadLE<int64_t>();
  if (!cursor.Ok()) return frame;
  frame.is_list = size < 0;
  // A frame size of INT64_MIN has no absolute value; treat it as too large.
  frame.size = size == INT64_MIN ? INT64_MAX : (size < 0 ? -size : size);
  if (frame.is_list) frame.count = cursor.ReadLE<uint32_t>();
  const int64_t header = frame.is_list ? 12 : 8;
  if (!cursor.Ok()) return frame;
  if (frame.is_list != want_list) {
    cursor.Fail(std::string(want_list ? "a record frame where a list frame of " : "a list frame where a record frame of ") +
                std::string(what) + " belongs");
  } else if (frame.size < header || frame.size > cursor.Size() - frame.start) {
    cursor.Fail("frame of " + std::string(what) + " of " + std::to_string(frame.size) + " bytes does not fit in the " +
                std::to_string(cursor.Size() - frame.start) + " bytes left");
  } else if (frame.is_list && frame.count > static_cast<uint64_t>(frame.size)) {
    // Every item takes at least one byte: a larger count is a forged one.
    cursor.Fail("list frame of " + std::string(what) + " claims " + std::to_string(frame.count) + " items in " +
                std::to_string(frame.size) + " bytes");
  }
  return frame;
}

void EndFrame(ByteCursor& cursor, const Frame& frame, std::string_view what) {
  if (!cursor.Ok()) return;
  if (cursor.Position() > frame.End()) {
    cursor.Fail("reading " + std::string(what) + " ran " + std::to_string(cursor.Position() - frame.End()) +
                " bytes past the end of its frame");
    return;
  }
  cursor.Seek(frame.End());
}

Locator ReadLocator(ByteCursor& cursor) {
  Locator locator;
  const int64_t at = cursor.FileOffset();
  const int32_t head = cursor.ReadLE<int32_t>();
  if (head >= 0) {
    locator.size = static_cast<uint64_t>(head);
    locator.offset = cursor.ReadLE<uint64_t>();
    return locator;
  }
  const uint32_t h = static_cast<uint32_t>(-static_cast<int64_t>(head));
  const uint32_t type = h >> 24;
  const uint32_t payload = h & 0xFFFF;
  if (type == 1 && payload == 20) {  // "large": u64 size + u64 offset
    locator.size = cursor.ReadLE<uint64_t>();
    locator.offset = cursor.ReadLE<uint64_t>();
    return locator;
  }
  cursor.Fail(Unsupported("RNTuple locator of type " + std::to_string(type) + " (" + std::to_string(payload) +
                          " bytes) at byte " + std::to_string(at) +
                          "; only file locators (standard and large) are supported")
                  .WithOffset(at));
  return locator;
}

EnvelopeLink ReadEnvelopeLink(ByteCursor& cursor) {
  EnvelopeLink link;
  link.length = cursor.ReadLE<uint64_t>();
  link.locator = ReadLocator(cursor);
  return link;
}

Status ReadFeatureFlags(ByteCursor& cursor, std::string_view what) {
  for (int word = 0;; ++word) {
    const int64_t at = cursor.FileOffset();
    const uint64_t flags = cursor.ReadLE<uint64_t>();
    RB_RETURN_IF_ERROR(cursor.status());
    if ((flags & ~(uint64_t{1} << 63)) != 0) {
      return Unsupported("the RNTuple " + std::string(what) + " sets feature flags " + Hex(flags) + " (word " +
                         std::to_string(word) + ", byte " + std::to_string(at) +
                         "), which format 1.0 does not define")
          .WithOffset(at);
    }
    if ((flags >> 63) == 0) return Status::Ok();
  }
}

std::string_view EnvelopeName(EnvelopeType type) {
  switch (type) {
    case EnvelopeType::kHeader: return "header";
    case EnvelopeType::kFooter: return "footer";
    case EnvelopeType::kPageList: return "page list";
  }
  return "unknown";
}

Status DecompressBlob(std::span<const uint8_t> stored, std::span<uint8_t> out, std::string_view what,
                      uint64_t offset) {
  if (stored.size() == out.size()) {
    std::copy(stored.begin(), stored.end(), out.begin());
    return Status::Ok();
  }
  if (stored.size() > out.size() + out.size() / 2 + 4096 + kBlockHeaderSize * (out.size() / kMaxBlockSize + 1)) {
    // Compression never grows data this much: a forged size.
    return Corrupt(std::string(what) + " at byte " + std::to_string(offset) + " stores " + std::to_string(stored.size()) +
                   " bytes for " + std::to_string(out.size()) + " uncompressed")
        .WithOffset(static_cast<int64_t>(offset));
  }
  Status status = Decompress(stored, out);
  if (!status.IsOk()) {
    return std::move(status).WithContext(std::string(what) + " at byte " + std::to_string(offset)).WithOffset(
        static_cast<int64_t>(offset));
  }
  return Status::Ok();
}

Status CheckInFile(const ByteSource& source, uint64_t offset, uint64_t stored, std::string_view what) {
  const int64_t file_size = source.Size();
  if (offset > static_cast<uint64_t>(file_size) || stored > static_cast<uint64_t>(file_size) - offset) {
    return Corrupt(std::string(what) + " of " + std::to_string(stored) + " bytes at byte " + std::to_string(offset) +
                   " lies outside the file (" + std::to_string(file_size) + " bytes)")
        .WithOffset(static_cast<int64_t>(offset));
  }
  return Status::Ok();
}

Status ReadBlob(const ByteSource& source, uint64_t offset, uint64_t stored, std::span<uint8_t> out,
                std::string_view what) {
  RB_RETURN_IF_ERROR(CheckInFile(source, offset, stored, what));
  if (stored == out.size()) {
    return source.ReadAt(static_cast<int64_t>(offset), out);
  }
  RB_ASSIGN_OR_RETURN(auto bytes, source.Read(static_cast<int64_t>(offset), static_cast<int64_t>(stored)));
  return DecompressBlob(bytes, out, what, offset);
}

Result<std::vector<uint8_t>> ReadEnvelope(const ByteSource& source, const Locator& locator, uint64_t length,
                                          EnvelopeType type) {
  const std::string name = "RNTuple " + std::string(EnvelopeName(type)) + " envelope";
  const int64_t at = static_cast<int64_t>(locator.offset);
  if (length < kMinEnvelopeBytes || length > kMaxEnvelopeBytes) {
    return Corrupt(name + " at byte " + std::to_string(at) + " has an impossible length " + std::to_string(length))
        .WithOffset(at);
  }
  // Before `length` is allocated: the stored bytes lie in the file, and a
  // compressed envelope's blocks declare `length`.
  RB_RETURN_IF_ERROR(CheckInFile(source, locator.offset, locator.size, name));
  std::vector<uint8_t> bytes;
  if (locator.size != length) {
    // One read of the stored bytes (a round trip for a remote file), checked
    // and then decompressed.
    RB_ASSIGN_OR_RETURN(auto stored, source.Read(at, static_cast<int64_t>(locator.size)));
    if (Status declared = CheckDeclaredSize(stored, static_cast<int64_t>(length)); !declared.IsOk()) {
      return std::move(declared).WithContext(name + " at byte " + std::to_string(at)).WithOffset(at);
    }
    bytes.resize(length);
    RB_RETURN_IF_ERROR(DecompressBlob(stored, bytes, name, locator.offset));
  } else {
    bytes.resize(length);
    RB_RETURN_IF_ERROR(ReadBlob(source, locator.offset, locator.size, bytes, name));
  }
  const uint64_t word = LoadLittleEndian<uint64_t>(bytes.data());
  const uint16_t stored_type = static_cast<uint16_t>(word & 0xFFFF);
  const uint64_t stored_length = word >> 16;
  if (stored_type != static_cast<uint16_t>(type)) {
    return Corrupt(name + " at byte " + std::to_string(at) + " has type " + std::to_string(stored_type) +
                   ", expected " + std::to_string(static_cast<int>(type)))
        .WithOffset(at);
  }
  if (stored_length != length) {
    return Corrupt(name + " at byte " + std::to_string(at) + " says it is " + std::to_string(stored_length) +
                   " bytes long, its link says " + std::to_string(length))
        .WithOffset(at);
  }
  const uint64_t stored_sum = LoadLittleEndian<uint64_t>(bytes.data() + length - 8);
  const uint64_t computed = Xxh3(std::span<const uint8_t>(bytes.data(), length - 8));
  if (stored_sum != computed) {
    return Corrupt("checksum mismatch in the " + name + " at byte " + std::to_string(at) + ": stored " +
                   Hex(stored_sum) + ", computed " + Hex(computed))
        .WithOffset(at);
  }
  return bytes;
}

}  // namespace rootbatch::rntuple
