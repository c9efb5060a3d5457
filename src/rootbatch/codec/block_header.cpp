#include "rootbatch/codec/block_header.hpp"

#include <cstdio>

namespace rootbatch::codec_internal {
namespace {

uint32_t Load24(const uint8_t* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16);
}

void Store24(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
}

}  // namespace

BlockHeader ReadBlockHeader(const uint8_t* p) {
  BlockHeader h;
  h.tag[0] = p[0];
  h.tag[1] = p[1];
  h.method = p[2];
  h.compressed_size = Load24(p + 3);
  h.uncompressed_size = Load24(p + 6);
  return h;
}

void WriteBlockHeader(uint8_t* p, Codec codec, uint32_t compressed_size,
                      uint32_t uncompressed_size) {
  switch (codec) {
    case Codec::kZlib: p[0] = 'Z'; p[1] = 'L'; p[2] = 8; break;
    case Codec::kLzma: p[0] = 'X'; p[1] = 'Z'; p[2] = 0; break;
    case Codec::kLz4: p[0] = 'L'; p[1] = '4'; p[2] = 1; break;
    case Codec::kZstd: p[0] = 'Z'; p[1] = 'S'; p[2] = 1; break;
    case Codec::kOldRoot: p[0] = 'C'; p[1] = 'S'; p[2] = 8; break;
    case Codec::kNone: p[0] = 0; p[1] = 0; p[2] = 0; break;
  }
  Store24(p + 3, compressed_size);
  Store24(p + 6, uncompressed_size);
}

Codec CodecFromTag(uint8_t a, uint8_t b) {
  if (a == 'Z' && b == 'L') return Codec::kZlib;
  if (a == 'X' && b == 'Z') return Codec::kLzma;
  if (a == 'L' && b == '4') return Codec::kLz4;
  if (a == 'Z' && b == 'S') return Codec::kZstd;
  if (a == 'C' && b == 'S') return Codec::kOldRoot;
  return Codec::kNone;
}

std::string DescribeTag(uint8_t a, uint8_t b) {
  char buf[32];
  auto printable = [](uint8_t c) { return c >= 0x20 && c < 0x7f; };
  if (printable(a) && printable(b)) {
    std::snprintf(buf, sizeof(buf), "0x%02x 0x%02x ('%c%c')", a, b, a, b);
  } else {
    std::snprintf(buf, sizeof(buf), "0x%02x 0x%02x", a, b);
  }
  return buf;
}

}  // namespace rootbatch::codec_internal
