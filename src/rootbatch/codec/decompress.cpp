// Decompress: walks the block sequence and hands each body to its decoder.
#include <string>

#include "rootbatch/codec/block_codecs.hpp"
#include "rootbatch/codec/block_header.hpp"
#include "rootbatch/codec/codec.hpp"

namespace rootbatch {
namespace {

using codec_internal::BlockHeader;

std::string At(size_t offset) { return " at payload offset " + std::to_string(offset); }

Status DecodeBlock(Codec codec, std::span<const uint8_t> body, std::span<uint8_t> out) {
  switch (codec) {
    case Codec::kZlib: return codec_internal::DecodeZlibBlock(body, out);
    case Codec::kLzma: return codec_internal::DecodeLzmaBlock(body, out);
    case Codec::kLz4: return codec_internal::DecodeLz4Block(body, out);
    case Codec::kZstd: return codec_internal::DecodeZstdBlock(body, out);
    default: return Internal("no decoder for " + std::string(CodecName(codec)));
  }
}

}  // namespace

Status Decompress(std::span<const uint8_t> in, std::span<uint8_t> out) {
  size_t in_pos = 0;
  size_t out_pos = 0;
  while (out_pos < out.size()) {
    const size_t in_left = in.size() - in_pos;
    const size_t out_left = out.size() - out_pos;
    if (in_left < static_cast<size_t>(kBlockHeaderSize)) {
      return Corrupt("compressed payload ends" + At(in_pos) + " with " + std::to_string(in_left) +
                     " bytes, short of a 9-byte block header; " + std::to_string(out_left) +
                     " of " + std::to_string(out.size()) + " uncompressed bytes are missing");
    }
    const BlockHeader h = codec_internal::ReadBlockHeader(in.data() + in_pos);
    const Codec codec = codec_internal::CodecFromTag(h.tag[0], h.tag[1]);
    if (codec == Codec::kNone) {
      return Corrupt("unknown compression tag " + codec_internal::DescribeTag(h.tag[0], h.tag[1]) +
                     " in block header" + At(in_pos));
    }
    if (codec == Codec::kOldRoot) {
      return Unsupported("ROOT's pre-2007 'CS' compression is not supported (block" + At(in_pos) +
                         ")");
    }
    const std::string block =
        std::string(CodecName(codec)) + " block" + At(in_pos);
    const size_t c = h.compressed_size;
    const size_t u = h.uncompressed_size;
    if (c == 0 || u == 0) {
      return Corrupt(block + " declares " + std::to_string(c) + " compressed and " +
                     std::to_string(u) + " uncompressed bytes; ROOT never writes empty blocks");
    }
    if (c > in_left - kBlockHeaderSize) {
      return Corrupt(block + " declares " + std::to_string(c) + " compressed bytes, but only " +
                     std::to_string(in_left - kBlockHeaderSize) + " follow its header");
    }
    if (u > out_left) {
      return Corrupt(block + " declares " + std::to_string(u) +
                     " uncompressed bytes, but only " + std::to_string(out_left) + " of the " +
                     std::to_string(out.size()) + "-byte record remain");
    }
    Status s = DecodeBlock(codec, in.subspan(in_pos + kBlockHeaderSize, c),
                           out.subspan(out_pos, u));
    if (!s.IsOk()) return Status(s.Code(), block + ": " + s.Message());
    in_pos += kBlockHeaderSize + c;
    out_pos += u;
  }
  if (in_pos != in.size()) {
    return Corrupt(std::to_string(in.size() - in_pos) + " bytes follow the last block" +
                   At(in_pos) + " after the " + std::to_string(out.size()) +
                   "-byte record is complete");
  }
  return Status::Ok();
}

Status CheckDeclaredSize(std::span<const uint8_t> in, int64_t size) {
  size_t in_pos = 0;
  int64_t declared = 0;
  while (in_pos < in.size()) {
    if (in.size() - in_pos < static_cast<size_t>(kBlockHeaderSize)) {
      return Corrupt("compressed payload ends" + At(in_pos) + " inside a 9-byte block header");
    }
    const BlockHeader h = codec_internal::ReadBlockHeader(in.data() + in_pos);
    const int64_t c = h.compressed_size;
    const int64_t u = h.uncompressed_size;
    if (c == 0 || c > static_cast<int64_t>(in.size() - in_pos - kBlockHeaderSize)) {
      return Corrupt("block" + At(in_pos) + " declares " + std::to_string(c) + " compressed bytes, but " +
                     std::to_string(in.size() - in_pos - kBlockHeaderSize) + " follow its header");
    }
    if (u > c * kMaxCompressionRatio) {
      return Corrupt("block" + At(in_pos) + " declares " + std::to_string(u) + " uncompressed bytes from " +
                     std::to_string(c) + ", more than any codec expands (" + std::to_string(kMaxCompressionRatio) +
                     ":1)");
    }
    declared += u;
    in_pos += kBlockHeaderSize + static_cast<size_t>(c);
  }
  if (declared != size) {
    return Corrupt("the compressed blocks declare " + std::to_string(declared) + " uncompressed bytes, the record " +
                   std::to_string(size));
  }
  return Status::Ok();
}

}  // namespace rootbatch
