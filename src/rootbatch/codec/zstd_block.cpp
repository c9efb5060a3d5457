#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <memory>

#include "rootbatch/base/endian.hpp"
#include "rootbatch/codec/block_codecs.hpp"

namespace rootbatch::codec_internal {
namespace {

struct DCtxDeleter {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};
struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};

}  // namespace

Status DecodeZstdBlock(std::span<const uint8_t> body, std::span<uint8_t> out) {
  // ROOT writes standard frames only. Checking the magic first keeps hostile
  // input away from libzstd's legacy (pre-1.0) decoders and names the problem.
  if (body.size() < 4 || LoadLittleEndian<uint32_t>(body.data()) != ZSTD_MAGICNUMBER) {
    return Corrupt("not a zstd frame (bad magic number)");
  }
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> dctx(ZSTD_createDCtx());
  if (!dctx) return Internal("cannot allocate a zstd decompression context");
  // Decoding straight into the caller's span needs no window buffer, and a
  // frame that would pass the end of `out` fails with dstSize_tooSmall.
  const size_t r = ZSTD_decompressDCtx(dctx.get(), out.data(), out.size(), body.data(), body.size());
  if (ZSTD_isError(r)) return Corrupt(std::string("invalid zstd frame: ") + ZSTD_getErrorName(r));
  if (r != out.size()) {
    return Corrupt("zstd frame decodes to " + std::to_string(r) + " bytes, the header declares " +
                   std::to_string(out.size()));
  }
  return Status::Ok();
}

Result<size_t> EncodeZstdBlock(std::span<const uint8_t> in, int level, std::span<uint8_t> dst) {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> cctx(ZSTD_createCCtx());
  if (!cctx) return Internal("cannot allocate a zstd compression context");
  const int zstd_level = std::min(2 * level, ZSTD_maxCLevel());  // as ROOT: 2 x level
  const size_t r =
      ZSTD_compressCCtx(cctx.get(), dst.data(), dst.size(), in.data(), in.size(), zstd_level);
  if (ZSTD_isError(r)) {
    if (ZSTD_getErrorCode(r) == ZSTD_error_dstSize_tooSmall) return size_t{0};
    return Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(r));
  }
  return r;
}

}  // namespace rootbatch::codec_internal
