#include <libdeflate.h>
#include <zlib.h>

#include <memory>

#include "rootbatch/codec/block_codecs.hpp"

namespace rootbatch::codec_internal {
namespace {

struct DecompressorDeleter {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

libdeflate_decompressor* ThreadDecompressor() {
  thread_local std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> decompressor(
      libdeflate_alloc_decompressor());
  return decompressor.get();
}

}  // namespace

Status DecodeZlibBlock(std::span<const uint8_t> body, std::span<uint8_t> out) {
  libdeflate_decompressor* d = ThreadDecompressor();
  if (d == nullptr) return Internal("cannot allocate a libdeflate decompressor");
  size_t produced = 0;
  // libdeflate verifies the zlib header and the Adler-32. With the exact
  // output span it fails on both too much and too little output.
  const libdeflate_result r = libdeflate_zlib_decompress(d, body.data(), body.size(), out.data(),
                                                         out.size(), &produced);
  switch (r) {
    case LIBDEFLATE_SUCCESS:
      if (produced != out.size()) {
        return Corrupt("zlib stream decodes to " + std::to_string(produced) +
                       " bytes, the header declares " + std::to_string(out.size()));
      }
      return Status::Ok();
    case LIBDEFLATE_INSUFFICIENT_SPACE:
      return Corrupt("zlib stream decodes to more than the declared " +
                     std::to_string(out.size()) + " bytes");
    case LIBDEFLATE_SHORT_OUTPUT:
      return Corrupt("zlib stream decodes to fewer than the declared " +
                     std::to_string(out.size()) + " bytes");
    case LIBDEFLATE_BAD_DATA:
    default:
      return Corrupt("invalid zlib stream (bad header, deflate data or Adler-32)");
  }
}

Result<size_t> EncodeZlibBlock(std::span<const uint8_t> in, int level, std::span<uint8_t> dst) {
  uLongf dst_len = static_cast<uLongf>(dst.size());
  const int r = compress2(dst.data(), &dst_len, in.data(), static_cast<uLong>(in.size()), level);
  if (r == Z_BUF_ERROR) return size_t{0};
  if (r != Z_OK) return Internal("zlib compress2 failed with code " + std::to_string(r));
  return static_cast<size_t>(dst_len);
}

}  // namespace rootbatch::codec_internal
