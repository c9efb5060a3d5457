// ROOT's compressed records.
//
// A compressed payload (a TKey's object, a TBasket, an RNTuple page) is a
// sequence of blocks, each with a 9-byte header: a 2-byte algorithm tag
// ("ZL", "XZ", "L4", "ZS", "CS"), a method byte, then the compressed and the
// uncompressed size as 3-byte little-endian integers. The caller owns every
// buffer; the decoder never reads or writes outside them, whatever the input.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "rootbatch/base/status.hpp"

namespace rootbatch {

enum class Codec : uint8_t {
  kNone = 0,   // stored
  kZlib = 1,   // "ZL"
  kLzma = 2,   // "XZ"
  kOldRoot = 3,  // "CS", ROOT's pre-zlib deflate
  kLz4 = 4,    // "L4", with an XXH64 checksum
  kZstd = 5,   // "ZS"
};

std::string_view CodecName(Codec codec);  // "zlib", "lzma", "lz4", "zstd", "none", "old-root"
// Parses "zlib", "lzma", "lz4", "zstd", "none" (as the CLI spells them).
Result<Codec> ParseCodec(std::string_view name);

// ROOT's fCompress: algorithm * 100 + level (algorithm 0 means zlib).
struct CompressionSetting {
  Codec codec = Codec::kZlib;
  int level = 1;  // 0 means store uncompressed; Compress clamps levels above 9 to 9

  // Keeps the algorithm even at level 0 (FromRoot(400) is {kLz4, 0}).
  // Algorithm 0 and algorithms ROOT does not define map to zlib, as ROOT's
  // zipper does; a negative value gives {kNone, 0}.
  static CompressionSetting FromRoot(int32_t fcompress);
  // codec * 100 + level, so zlib comes back as 101, never as ROOT's old 1;
  // kNone gives 0.
  int32_t ToRoot() const;

  bool operator==(const CompressionSetting&) const = default;
};

inline constexpr int kBlockHeaderSize = 9;
inline constexpr int64_t kMaxBlockSize = 0xFFFFFF;  // kMAXZIPBUF: 3-byte size fields

// Identifies the algorithm of the first block of a payload; kNone if the bytes
// do not start with a known tag (then the payload is stored).
Codec DetectCodec(std::span<const uint8_t> payload);

// Decompresses all blocks of `in` into `out`. `out.size()` is the size the
// record declares (fObjlen); every block's declared sizes are checked, and the
// total must fill `out` exactly. Errors are kCorrupt/kUnsupported and name the
// block's offset within the payload. Thread-safe (per-thread codec contexts).
//
// Strict by design: `in` must consist of blocks. Stored (uncompressed)
// records are the caller's business (compressed iff fObjlen differs from the
// on-disk size); Decompress never guesses, so raw bytes fail as an unknown
// tag. Also errors: a block whose stream yields more or fewer bytes than its
// header says, empty blocks, and bytes left over after `out` is full. Not
// checked (as in ROOT): the method byte, and bytes inside a block after a
// complete stream. "CS" blocks give kUnsupported; an XZ stream that wants a
// decoder over 256 MiB (a forged dictionary size) gives kCorrupt.
Status Decompress(std::span<const uint8_t> in, std::span<uint8_t> out);

// The most one block may expand: zstd's RLE blocks, the most compressible
// any codec writes, reach about 32768:1; a header claiming more is forged.
inline constexpr int64_t kMaxCompressionRatio = int64_t{1} << 16;

// Checks, before the caller allocates `size` bytes for Decompress, that the
// block headers of `in` declare exactly `size` uncompressed bytes in all
// and that no block claims to expand more than kMaxCompressionRatio. Reads
// only the 9-byte headers. So a record that claims gigabytes in a few
// bytes fails here, naming the sizes, instead of allocating them.
Status CheckDeclaredSize(std::span<const uint8_t> in, int64_t size);

// Compresses `in` into ROOT blocks with `setting`. As ROOT does, returns the
// input unchanged (stored) when the level is 0, the input is shorter than
// kMinCompressSize, or compression does not make it smaller. The caller tells
// the two apart by comparing sizes.
Result<std::vector<uint8_t>> Compress(std::span<const uint8_t> in, CompressionSetting setting);

inline constexpr int64_t kMinCompressSize = 11;

}  // namespace rootbatch
