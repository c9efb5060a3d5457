// Compress: splits the input into blocks and frames each encoder's output.
#include <algorithm>
#include <string>

#include "rootbatch/codec/block_codecs.hpp"
#include "rootbatch/codec/block_header.hpp"
#include "rootbatch/codec/codec.hpp"

namespace rootbatch {
namespace {

constexpr int kMaxLevel = 9;  // ROOT clamps higher levels to 9

Result<size_t> EncodeBlock(Codec codec, int level, std::span<const uint8_t> in,
                           std::span<uint8_t> dst) {
  switch (codec) {
    case Codec::kZlib: return codec_internal::EncodeZlibBlock(in, level, dst);
    case Codec::kLzma: return codec_internal::EncodeLzmaBlock(in, level, dst);
    case Codec::kLz4: return codec_internal::EncodeLz4Block(in, level, dst);
    case Codec::kZstd: return codec_internal::EncodeZstdBlock(in, level, dst);
    default: return Internal("no encoder for " + std::string(CodecName(codec)));
  }
}

}  // namespace

Result<std::vector<uint8_t>> Compress(std::span<const uint8_t> in, CompressionSetting setting) {
  auto stored = [&] { return std::vector<uint8_t>(in.begin(), in.end()); };
  const int level = std::min(setting.level, kMaxLevel);
  if (setting.codec == Codec::kNone || level <= 0 ||
      in.size() < static_cast<size_t>(kMinCompressSize)) {
    return stored();
  }
  if (setting.codec == Codec::kOldRoot) {
    return Unsupported("writing ROOT's pre-2007 'CS' compression is not supported");
  }
  // The whole result must end up strictly smaller than the input, so every
  // encoder gets only what is left of that budget; running out means "store".
  std::vector<uint8_t> out(in.size() - 1);
  size_t written = 0;
  for (size_t pos = 0; pos < in.size();) {
    const size_t chunk = std::min<size_t>(kMaxBlockSize, in.size() - pos);
    const size_t budget = out.size() - written;
    if (budget <= static_cast<size_t>(kBlockHeaderSize)) return stored();
    // The compressed size must also fit the header's 3 bytes.
    const size_t capacity = std::min<size_t>(budget - kBlockHeaderSize, kMaxBlockSize);
    const std::span<uint8_t> dst(out.data() + written + kBlockHeaderSize, capacity);
    RB_ASSIGN_OR_RETURN(const size_t c,
                        EncodeBlock(setting.codec, level, in.subspan(pos, chunk), dst));
    if (c == 0) return stored();
    codec_internal::WriteBlockHeader(out.data() + written, setting.codec,
                                     static_cast<uint32_t>(c), static_cast<uint32_t>(chunk));
    written += kBlockHeaderSize + c;
    pos += chunk;
  }
  out.resize(written);
  return out;
}

}  // namespace rootbatch
