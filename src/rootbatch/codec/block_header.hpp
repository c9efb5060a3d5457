// The 9-byte header in front of every compressed block (internal to codec).
//
//   bytes 0-1  algorithm tag: "ZL" "XZ" "L4" "ZS" "CS"
//   byte  2    method: 8 (Z_DEFLATED) for ZL/CS, 0 for XZ, 1 for L4 (LZ4
//              major version) and for ZS. Readers ignore it, as ROOT's
//              decoders and uproot do; each stream carries its own format id.
//   bytes 3-5  compressed size c, 3-byte little-endian (the bytes after the
//              header; for L4 it includes the 8-byte checksum)
//   bytes 6-8  uncompressed size u, 3-byte little-endian
#pragma once

#include <cstdint>
#include <string>

#include "rootbatch/codec/codec.hpp"

namespace rootbatch::codec_internal {

struct BlockHeader {
  uint8_t tag[2];             // algorithm tag
  uint8_t method;             // method / library version byte
  uint32_t compressed_size;   // c
  uint32_t uncompressed_size; // u
};

// Reads the header at `p`, which must point at kBlockHeaderSize readable bytes.
BlockHeader ReadBlockHeader(const uint8_t* p);

// Writes the header for `codec` (not kNone) at `p` (kBlockHeaderSize bytes).
// Both sizes must be <= kMaxBlockSize.
void WriteBlockHeader(uint8_t* p, Codec codec, uint32_t compressed_size,
                      uint32_t uncompressed_size);

// The codec a tag names; kNone for an unknown tag.
Codec CodecFromTag(uint8_t a, uint8_t b);

// "0x41 0x42 ('AB')": the two tag bytes for error messages, with the
// characters only when both are printable.
std::string DescribeTag(uint8_t a, uint8_t b);

}  // namespace rootbatch::codec_internal
