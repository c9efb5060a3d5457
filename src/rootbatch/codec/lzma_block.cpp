#include <lzma.h>

#include <algorithm>

#include "rootbatch/codec/block_codecs.hpp"

namespace rootbatch::codec_internal {
namespace {

// Owns an lzma_stream. Re-initialising the same stream for the next block
// lets liblzma reuse the decoder's allocations (dictionary included).
struct LzmaStream {
  lzma_stream strm = LZMA_STREAM_INIT;
  LzmaStream() = default;
  LzmaStream(const LzmaStream&) = delete;
  LzmaStream& operator=(const LzmaStream&) = delete;
  ~LzmaStream() { lzma_end(&strm); }
};

std::string LzmaError(lzma_ret r) {
  switch (r) {
    case LZMA_FORMAT_ERROR: return "not an .xz stream (bad magic bytes)";
    case LZMA_OPTIONS_ERROR: return "unsupported .xz stream options";
    case LZMA_DATA_ERROR: return "corrupt .xz data";
    case LZMA_BUF_ERROR: return "truncated .xz stream";
    case LZMA_MEMLIMIT_ERROR: return "the .xz stream needs more decoder memory than allowed";
    case LZMA_MEM_ERROR: return "out of memory in the LZMA decoder";
    default: return "LZMA error code " + std::to_string(static_cast<int>(r));
  }
}

}  // namespace

Status DecodeLzmaBlock(std::span<const uint8_t> body, std::span<uint8_t> out) {
  thread_local LzmaStream stream;
  lzma_stream& s = stream.strm;
  lzma_ret r = lzma_stream_decoder(&s, kLzmaDecoderMemLimit, 0);
  if (r != LZMA_OK) return Internal("cannot initialise the LZMA decoder: " + LzmaError(r));
  s.next_in = body.data();
  s.avail_in = body.size();
  s.next_out = out.data();
  s.avail_out = out.size();
  // One call normally finishes; loop until liblzma reports an end or that it
  // cannot progress (LZMA_BUF_ERROR).
  do {
    r = lzma_code(&s, LZMA_FINISH);
  } while (r == LZMA_OK);
  const size_t produced = out.size() - s.avail_out;
  if (r == LZMA_STREAM_END) {
    if (produced != out.size()) {
      return Corrupt(".xz stream decodes to " + std::to_string(produced) +
                     " bytes, the header declares " + std::to_string(out.size()));
    }
    return Status::Ok();
  }
  if (r == LZMA_BUF_ERROR && s.avail_out == 0) {
    return Corrupt(".xz stream decodes to more than the declared " + std::to_string(out.size()) +
                   " bytes");
  }
  if (r == LZMA_MEM_ERROR) return Internal(LzmaError(r));
  return Corrupt(LzmaError(r));
}

Result<size_t> EncodeLzmaBlock(std::span<const uint8_t> in, int level, std::span<uint8_t> dst) {
  // ROOT uses lzma_easy_encoder(level, CRC32). We build the same LZMA2 preset
  // but cap the dictionary at the input size: a larger dictionary cannot help,
  // and level 9's 64 MiB dictionary costs ~670 MiB and a long table reset per
  // call. Readers accept any dictionary size the header declares.
  lzma_options_lzma options;
  if (lzma_lzma_preset(&options, static_cast<uint32_t>(level))) {
    return Internal("unknown LZMA preset " + std::to_string(level));
  }
  options.dict_size = std::clamp<uint32_t>(static_cast<uint32_t>(in.size()), LZMA_DICT_SIZE_MIN,
                                           options.dict_size);
  const lzma_filter filters[] = {{LZMA_FILTER_LZMA2, &options},
                                 {LZMA_VLI_UNKNOWN, nullptr}};
  LzmaStream stream;
  lzma_stream& s = stream.strm;
  lzma_ret r = lzma_stream_encoder(&s, filters, LZMA_CHECK_CRC32);
  if (r != LZMA_OK) return Internal("cannot initialise the LZMA encoder: " + LzmaError(r));
  s.next_in = in.data();
  s.avail_in = in.size();
  s.next_out = dst.data();
  s.avail_out = dst.size();
  do {
    r = lzma_code(&s, LZMA_FINISH);
  } while (r == LZMA_OK && s.avail_out > 0);
  if (r == LZMA_STREAM_END) return dst.size() - s.avail_out;
  if (r == LZMA_OK || r == LZMA_BUF_ERROR) return size_t{0};  // did not fit
  return Internal("LZMA encoder failed: " + LzmaError(r));
}

}  // namespace rootbatch::codec_internal
