// Codec names, ROOT's fCompress encoding and tag detection.
#include "rootbatch/codec/codec.hpp"

#include <string>

#include "rootbatch/codec/block_header.hpp"

namespace rootbatch {

std::string_view CodecName(Codec codec) {
  switch (codec) {
    case Codec::kNone: return "none";
    case Codec::kZlib: return "zlib";
    case Codec::kLzma: return "lzma";
    case Codec::kOldRoot: return "old-root";
    case Codec::kLz4: return "lz4";
    case Codec::kZstd: return "zstd";
  }
  return "unknown";
}

Result<Codec> ParseCodec(std::string_view name) {
  for (Codec c : {Codec::kNone, Codec::kZlib, Codec::kLzma, Codec::kLz4, Codec::kZstd}) {
    if (name == CodecName(c)) return c;
  }
  return InvalidArgument("unknown compression '" + std::string(name) +
                         "' (expected zlib, lzma, lz4, zstd or none)");
}

CompressionSetting CompressionSetting::FromRoot(int32_t fcompress) {
  if (fcompress < 0) return {Codec::kNone, 0};
  const int32_t algorithm = fcompress / 100;
  const int level = static_cast<int>(fcompress % 100);  // 0: stored, algorithm kept
  switch (algorithm) {
    case 2: return {Codec::kLzma, level};
    case 3: return {Codec::kOldRoot, level};
    case 4: return {Codec::kLz4, level};
    case 5: return {Codec::kZstd, level};
    // 0 is "global default" = zlib; ROOT's zipper also falls back to zlib
    // for algorithms it does not know.
    default: return {Codec::kZlib, level};
  }
}

int32_t CompressionSetting::ToRoot() const {
  if (codec == Codec::kNone) return 0;
  return static_cast<int32_t>(codec) * 100 + (level > 0 ? level : 0);
}

Codec DetectCodec(std::span<const uint8_t> payload) {
  if (payload.size() < static_cast<size_t>(kBlockHeaderSize)) return Codec::kNone;
  return codec_internal::CodecFromTag(payload[0], payload[1]);
}

}  // namespace rootbatch
