// libFuzzer target for the codec layer.
//
// Input layout: [u8 mode][u24 LE record size][payload...]
//   mode even: Decompress(payload) into a record of the given size (capped at
//              4 MiB); it must succeed or fail cleanly, never touch memory
//              outside the two buffers.
//   mode odd:  Compress(payload) with codec (mode >> 1) % 4 and level
//              1 + (mode >> 3) % 9, then Decompress it back: the round trip
//              must reproduce the payload exactly.
// Seeds worth giving it: real compressed records (a few bytes of prefix then
// a basket from a ROOT file), one per codec.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "rootbatch/codec/codec.hpp"

namespace {

constexpr size_t kPrefix = 4;
constexpr size_t kMaxRecord = size_t{4} << 20;
constexpr rootbatch::Codec kCodecs[] = {rootbatch::Codec::kZlib, rootbatch::Codec::kLzma,
                                        rootbatch::Codec::kLz4, rootbatch::Codec::kZstd};

void Die(const char* what, const std::string& detail) {
  std::fprintf(stderr, "codec_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < kPrefix) return 0;
  const uint8_t mode = data[0];
  const size_t record = std::min<size_t>(
      kMaxRecord, size_t{data[1]} | (size_t{data[2]} << 8) | (size_t{data[3]} << 16));
  const std::span<const uint8_t> payload(data + kPrefix, size - kPrefix);

  if (mode % 2 == 0) {
    // Exactly-sized heap buffers, so ASan flags any byte read or written past them.
    std::vector<uint8_t> in(payload.begin(), payload.end());
    // Left uninitialised: zeroing megabytes per run would dominate the time.
    std::unique_ptr<uint8_t[]> out(new uint8_t[record]);
    const rootbatch::Status s = rootbatch::Decompress(in, std::span(out.get(), record));
    if (!s.IsOk() && s.Code() != rootbatch::StatusCode::kCorrupt &&
        s.Code() != rootbatch::StatusCode::kUnsupported) {
      Die("unexpected error code", s.ToString());
    }
    return 0;
  }

  const rootbatch::CompressionSetting setting{kCodecs[(mode >> 1) % 4], 1 + (mode >> 3) % 9};
  rootbatch::Result<std::vector<uint8_t>> packed = rootbatch::Compress(payload, setting);
  if (!packed.IsOk()) Die("Compress failed", packed.status().ToString());
  if (packed->size() > payload.size()) Die("Compress grew the input", "");
  if (packed->size() == payload.size()) {  // stored
    if (!std::equal(payload.begin(), payload.end(), packed->begin())) Die("stored != input", "");
    return 0;
  }
  std::vector<uint8_t> back(payload.size());
  const rootbatch::Status s = rootbatch::Decompress(*packed, back);
  if (!s.IsOk()) Die("round trip failed", s.ToString());
  if (!std::equal(payload.begin(), payload.end(), back.begin())) Die("round trip differs", "");
  return 0;
}
