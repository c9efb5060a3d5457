// One compressed block per call, one pair of functions per algorithm
// (internal to codec; Decompress/Compress do the block framing).
//
// Decode*Block: `body` is the c bytes after the 9-byte header; `out` is
// exactly the u bytes the header declares. Succeeds only when the stream is
// valid and produces exactly out.size() bytes. Errors are kCorrupt with a
// message that does not name the offset (the caller adds it). Bytes left in
// `body` after a complete stream are ignored, as ROOT's decoders do.
//
// Encode*Block: compresses `in` (at most kMaxBlockSize bytes) into the front of
// `dst` and returns the number of bytes written, or 0 when the result does not
// fit `dst` (the caller then stores the payload raw). An error only for
// failures that are not about size (out of memory).
//
// Every function keeps its library context in a thread_local, so concurrent
// calls from several threads are safe and a context is built once per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "rootbatch/base/status.hpp"

namespace rootbatch::codec_internal {

// "ZL": a zlib stream (header + deflate + Adler-32), decoded with libdeflate.
Status DecodeZlibBlock(std::span<const uint8_t> body, std::span<uint8_t> out);
Result<size_t> EncodeZlibBlock(std::span<const uint8_t> in, int level, std::span<uint8_t> dst);

// "XZ": one .xz stream (LZMA2 filter, CRC32 check).
Status DecodeLzmaBlock(std::span<const uint8_t> body, std::span<uint8_t> out);
Result<size_t> EncodeLzmaBlock(std::span<const uint8_t> in, int level, std::span<uint8_t> dst);

// "L4": 8-byte big-endian XXH64 (seed 0) of the rest, then a raw LZ4 block.
Status DecodeLz4Block(std::span<const uint8_t> body, std::span<uint8_t> out);
Result<size_t> EncodeLz4Block(std::span<const uint8_t> in, int level, std::span<uint8_t> dst);

// "ZS": one zstd frame. ROOT's level L means zstd level 2*L.
Status DecodeZstdBlock(std::span<const uint8_t> body, std::span<uint8_t> out);
Result<size_t> EncodeZstdBlock(std::span<const uint8_t> in, int level, std::span<uint8_t> dst);

// Largest memory (bytes) the XZ decoder may use: a hostile header could ask
// for a 1.5 GiB dictionary. ROOT's LZMA levels need at most ~65 MiB.
inline constexpr uint64_t kLzmaDecoderMemLimit = uint64_t{256} << 20;

}  // namespace rootbatch::codec_internal
