#include <lz4.h>
#include <lz4hc.h>
#include <xxhash.h>

#include "rootbatch/base/endian.hpp"
#include "rootbatch/codec/block_codecs.hpp"

namespace rootbatch::codec_internal {
namespace {

constexpr size_t kChecksumSize = 8;  // big-endian XXH64 of the LZ4 block
constexpr int kFirstHcLevel = 4;     // ROOT switches to LZ4 HC here

}  // namespace

Status DecodeLz4Block(std::span<const uint8_t> body, std::span<uint8_t> out) {
  if (body.size() < kChecksumSize) {
    return Corrupt("LZ4 block of " + std::to_string(body.size()) +
                   " bytes is shorter than its 8-byte checksum");
  }
  const std::span<const uint8_t> lz4 = body.subspan(kChecksumSize);
  const uint64_t stored = LoadBigEndian<uint64_t>(body.data());
  const uint64_t actual = XXH64(lz4.data(), lz4.size(), 0);
  if (stored != actual) return Corrupt("LZ4 block fails its XXH64 checksum");
  // LZ4 stops at the end of its sequences, so a well-formed block that is too
  // short shows as fewer bytes; a stream that wants more space fails (< 0).
  const int produced = LZ4_decompress_safe(reinterpret_cast<const char*>(lz4.data()),
                                           reinterpret_cast<char*>(out.data()),
                                           static_cast<int>(lz4.size()),
                                           static_cast<int>(out.size()));
  if (produced < 0) {
    return Corrupt("invalid LZ4 block (or it decodes to more than the declared " +
                   std::to_string(out.size()) + " bytes)");
  }
  if (static_cast<size_t>(produced) != out.size()) {
    return Corrupt("LZ4 block decodes to " + std::to_string(produced) +
                   " bytes, the header declares " + std::to_string(out.size()));
  }
  return Status::Ok();
}

Result<size_t> EncodeLz4Block(std::span<const uint8_t> in, int level, std::span<uint8_t> dst) {
  if (dst.size() <= kChecksumSize) return size_t{0};
  const auto* src = reinterpret_cast<const char*>(in.data());
  char* block = reinterpret_cast<char*>(dst.data() + kChecksumSize);
  const int capacity = static_cast<int>(dst.size() - kChecksumSize);
  const int n = static_cast<int>(in.size());
  // Both return 0 when the output does not fit in `capacity`.
  const int written = level >= kFirstHcLevel ? LZ4_compress_HC(src, block, n, capacity, level)
                                             : LZ4_compress_default(src, block, n, capacity);
  if (written <= 0) return size_t{0};
  StoreBigEndian<uint64_t>(dst.data(), XXH64(block, static_cast<size_t>(written), 0));
  return kChecksumSize + static_cast<size_t>(written);
}

}  // namespace rootbatch::codec_internal
