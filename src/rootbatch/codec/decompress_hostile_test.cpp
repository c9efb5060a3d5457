// Decompress on damaged and hostile payloads: every failure is a clean
// kCorrupt/kUnsupported that names the block's offset, never a crash or an
// out-of-bounds access (this file is also the main ASan/UBSan exercise).
#include <gtest/gtest.h>

#include <zlib.h>

#include <string>

#include "rootbatch/base/endian.hpp"
#include "rootbatch/codec/block_header.hpp"
#include "rootbatch/codec/codec.hpp"
#include "rootbatch/codec/codec_test_data.hpp"

namespace rootbatch {
namespace {

using codec_testing::PhysicsLikeBytes;
using codec_testing::RandomBytes;
using codec_testing::Rng;

constexpr Codec kCodecs[] = {Codec::kZlib, Codec::kLzma, Codec::kLz4, Codec::kZstd};

struct Packed {
  std::vector<uint8_t> original;
  std::vector<uint8_t> payload;
};

Packed MakePacked(Codec codec, size_t size = 20'000, uint64_t seed = 3) {
  Packed p;
  p.original = PhysicsLikeBytes(size, seed);
  Result<std::vector<uint8_t>> r = Compress(p.original, {codec, 5});
  EXPECT_TRUE(r.IsOk());
  p.payload = *r;
  EXPECT_LT(p.payload.size(), p.original.size()) << "test input must compress";
  return p;
}

void PutLe24(std::vector<uint8_t>& bytes, size_t at, uint32_t v) {
  bytes[at] = static_cast<uint8_t>(v);
  bytes[at + 1] = static_cast<uint8_t>(v >> 8);
  bytes[at + 2] = static_cast<uint8_t>(v >> 16);
}

Status DecompressInto(std::span<const uint8_t> in, size_t out_size) {
  std::vector<uint8_t> out(out_size);
  return Decompress(in, out);
}

::testing::AssertionResult FailsWith(const Status& s, StatusCode code,
                                     const std::string& must_mention) {
  if (s.IsOk()) return ::testing::AssertionFailure() << "unexpectedly succeeded";
  if (s.Code() != code) return ::testing::AssertionFailure() << "wrong code: " << s.ToString();
  if (s.Message().find(must_mention) == std::string::npos) {
    return ::testing::AssertionFailure() << "'" << s.Message() << "' does not mention '"
                                         << must_mention << "'";
  }
  return ::testing::AssertionSuccess();
}

class Hostile : public ::testing::TestWithParam<Codec> {};

TEST_P(Hostile, TruncatedHeader) {
  const Packed p = MakePacked(GetParam());
  for (size_t n : {size_t{1}, size_t{5}, size_t{8}}) {
    EXPECT_TRUE(FailsWith(DecompressInto(std::span(p.payload).first(n), p.original.size()),
                          StatusCode::kCorrupt, "payload offset 0"))
        << n;
  }
  EXPECT_TRUE(FailsWith(DecompressInto({}, p.original.size()), StatusCode::kCorrupt,
                        "payload offset 0"));
}

TEST_P(Hostile, TruncatedBlock) {
  const Packed p = MakePacked(GetParam());
  const auto cut = std::span(p.payload).first(p.payload.size() - 1);
  const Status s = DecompressInto(cut, p.original.size());
  EXPECT_TRUE(FailsWith(s, StatusCode::kCorrupt, "payload offset 0"));
  EXPECT_TRUE(FailsWith(s, StatusCode::kCorrupt, "compressed bytes"));
}

TEST_P(Hostile, DeclaredCompressedSizeBeyondInput) {
  Packed p = MakePacked(GetParam());
  PutLe24(p.payload, 3, 0xFFFFFF);
  EXPECT_TRUE(FailsWith(DecompressInto(p.payload, p.original.size()), StatusCode::kCorrupt,
                        "16777215 compressed bytes"));
}

TEST_P(Hostile, DeclaredUncompressedSizeBeyondOutput) {
  const Packed p = MakePacked(GetParam());
  // The record claims one byte less than the block produces.
  EXPECT_TRUE(FailsWith(DecompressInto(p.payload, p.original.size() - 1), StatusCode::kCorrupt,
                        "uncompressed bytes"));
  Packed q = MakePacked(GetParam());
  PutLe24(q.payload, 6, 0xFFFFFF);
  EXPECT_TRUE(FailsWith(DecompressInto(q.payload, q.original.size()), StatusCode::kCorrupt,
                        "payload offset 0"));
}

TEST_P(Hostile, RecordLongerThanItsBlocks) {
  const Packed p = MakePacked(GetParam());
  // All blocks decode, then the payload ends before the record is full.
  EXPECT_TRUE(FailsWith(DecompressInto(p.payload, p.original.size() + 100), StatusCode::kCorrupt,
                        "payload offset " + std::to_string(p.payload.size())));
}

TEST_P(Hostile, WrongUncompressedSizeInHeader) {
  for (int delta : {-1, +1}) {
    Packed p = MakePacked(GetParam());
    const uint32_t u = static_cast<uint32_t>(p.original.size() + delta);
    PutLe24(p.payload, 6, u);  // header and record agree with each other, not with the stream
    EXPECT_TRUE(FailsWith(DecompressInto(p.payload, u), StatusCode::kCorrupt, "payload offset 0"))
        << "delta " << delta;
  }
}

TEST_P(Hostile, GarbageAfterTag) {
  Packed p = MakePacked(GetParam());
  const std::vector<uint8_t> noise = RandomBytes(p.payload.size() - kBlockHeaderSize, 77);
  std::copy(noise.begin(), noise.end(), p.payload.begin() + kBlockHeaderSize);
  EXPECT_TRUE(FailsWith(DecompressInto(p.payload, p.original.size()), StatusCode::kCorrupt,
                        std::string(CodecName(GetParam())) + " block at payload offset 0"));
}

TEST_P(Hostile, TrailingBytesAfterLastBlock) {
  Packed p = MakePacked(GetParam());
  const size_t end = p.payload.size();
  p.payload.push_back(0);
  EXPECT_TRUE(FailsWith(DecompressInto(p.payload, p.original.size()), StatusCode::kCorrupt,
                        "payload offset " + std::to_string(end)));
}

TEST_P(Hostile, EmptyBlocksAreRejected) {
  for (size_t field : {size_t{3}, size_t{6}}) {
    Packed p = MakePacked(GetParam());
    PutLe24(p.payload, field, 0);
    EXPECT_TRUE(FailsWith(DecompressInto(p.payload, p.original.size()), StatusCode::kCorrupt,
                          "payload offset 0"));
  }
}

// The error names the offset of the failing block, not of the record.
TEST_P(Hostile, ErrorNamesOffsetOfSecondBlock) {
  const Packed first = MakePacked(GetParam(), 10'000, 1);
  Packed second = MakePacked(GetParam(), 12'000, 2);
  second.payload.back() ^= 0x40;  // end of the stream: a checksum or the data
  std::vector<uint8_t> payload = first.payload;
  payload.insert(payload.end(), second.payload.begin(), second.payload.end());
  const Status s = DecompressInto(payload, first.original.size() + second.original.size());
  if (GetParam() == Codec::kZstd) {
    // ROOT's zstd frames carry no checksum, so a flipped literal can decode
    // to wrong bytes of the right length; only require no crash and, on
    // failure, the right offset.
    if (s.IsOk()) return;
  }
  EXPECT_TRUE(FailsWith(s, StatusCode::kCorrupt,
                        "payload offset " + std::to_string(first.payload.size())));
}

// Random single-byte damage anywhere: must never crash or read out of bounds.
TEST_P(Hostile, RandomMutationsNeverCrash) {
  const Packed p = MakePacked(GetParam(), 3000, 9);
  Rng rng(1234 + static_cast<int>(GetParam()));
  std::vector<uint8_t> out(p.original.size());
  int failures = 0;
  for (int i = 0; i < 300; ++i) {
    std::vector<uint8_t> damaged = p.payload;
    const int edits = 1 + static_cast<int>(rng.Next() % 4);
    for (int e = 0; e < edits; ++e) {
      damaged[rng.Next() % damaged.size()] = static_cast<uint8_t>(rng.Next());
    }
    // Also vary the record size and truncate sometimes.
    if (rng.Next() % 4 == 0) damaged.resize(rng.Next() % damaged.size());
    const size_t out_size = rng.Next() % 8 == 0 ? rng.Next() % (2 * out.size()) : out.size();
    std::vector<uint8_t> sized(out_size);
    const Status s = Decompress(damaged, sized);
    if (!s.IsOk()) {
      ++failures;
      EXPECT_TRUE(s.Code() == StatusCode::kCorrupt || s.Code() == StatusCode::kUnsupported)
          << s.ToString();
      EXPECT_NE(s.Message().find("payload offset"), std::string::npos) << s.ToString();
    }
  }
  EXPECT_GT(failures, 0);  // the damage is real
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, Hostile, ::testing::ValuesIn(kCodecs),
                         [](const auto& info) { return std::string(CodecName(info.param)); });

TEST(HostileLz4, BadChecksum) {
  Packed p = MakePacked(Codec::kLz4);
  p.payload[kBlockHeaderSize] ^= 0x80;  // first checksum byte
  EXPECT_TRUE(FailsWith(DecompressInto(p.payload, p.original.size()), StatusCode::kCorrupt,
                        "checksum"));
}

TEST(HostileLz4, BlockShorterThanChecksum) {
  std::vector<uint8_t> payload = {'L', '4', 1, 4, 0, 0, 100, 0, 0, 1, 2, 3, 4};
  EXPECT_TRUE(FailsWith(DecompressInto(payload, 100), StatusCode::kCorrupt, "payload offset 0"));
}

TEST(HostileTags, UnknownTagNamesBytesAndOffset) {
  std::vector<uint8_t> payload = {'A', 'B', 8, 4, 0, 0, 10, 0, 0, 1, 2, 3, 4};
  const Status s = DecompressInto(payload, 10);
  EXPECT_TRUE(FailsWith(s, StatusCode::kCorrupt, "0x41 0x42 ('AB')"));
  EXPECT_TRUE(FailsWith(s, StatusCode::kCorrupt, "payload offset 0"));

  // Behind a valid block, the offset is that block's size.
  Packed p = MakePacked(Codec::kZlib);
  const size_t second = p.payload.size();
  const std::vector<uint8_t> junk = {0x00, 0xFF, 8, 4, 0, 0, 10, 0, 0, 1, 2, 3, 4};
  p.payload.insert(p.payload.end(), junk.begin(), junk.end());
  const Status s2 = DecompressInto(p.payload, p.original.size() + 10);
  EXPECT_TRUE(FailsWith(s2, StatusCode::kCorrupt, "0x00 0xff"));
  EXPECT_TRUE(FailsWith(s2, StatusCode::kCorrupt, "payload offset " + std::to_string(second)));
}

TEST(HostileTags, OldRootAlgorithmIsUnsupported) {
  std::vector<uint8_t> payload = {'C', 'S', 8, 4, 0, 0, 10, 0, 0, 1, 2, 3, 4};
  const Status s = DecompressInto(payload, 10);
  EXPECT_TRUE(FailsWith(s, StatusCode::kUnsupported, "pre-2007 'CS' compression"));
  EXPECT_TRUE(FailsWith(s, StatusCode::kUnsupported, "payload offset 0"));
}

// Decompress never treats raw bytes as stored: the caller decides that.
TEST(HostileTags, StoredBytesAreNotAcceptedAsBlocks) {
  const std::vector<uint8_t> raw = PhysicsLikeBytes(1000, 4);
  EXPECT_TRUE(FailsWith(DecompressInto(raw, raw.size()), StatusCode::kCorrupt, "unknown compression tag"));
}

TEST(HostileLzma, HugeDictionaryIsRefusedNotAllocated) {
  // A valid .xz stream whose LZMA2 dictionary is patched to 4 GiB, with the
  // block header's CRC32 fixed up so that only the memory limit can stop it.
  Packed p = MakePacked(Codec::kLzma);
  const size_t block_header = kBlockHeaderSize + 12;  // after the 12-byte stream header
  const size_t header_size = (size_t{p.payload[block_header]} + 1) * 4;
  size_t props = 0;  // LZMA2 filter flags: id 0x21, props size 1, dictionary byte
  for (size_t i = block_header + 2; i + 2 < block_header + header_size; ++i) {
    if (p.payload[i] == 0x21 && p.payload[i + 1] == 0x01) {
      props = i + 2;
      break;
    }
  }
  ASSERT_NE(props, 0u) << "LZMA2 filter flags not found";
  p.payload[props] = 40;  // the largest dictionary code: 4 GiB - 1
  const size_t crc_at = block_header + header_size - 4;
  const uint32_t crc = static_cast<uint32_t>(
      crc32(0, p.payload.data() + block_header, static_cast<uInt>(crc_at - block_header)));
  StoreLittleEndian<uint32_t>(p.payload.data() + crc_at, crc);
  const Status s = DecompressInto(p.payload, p.original.size());
  EXPECT_TRUE(FailsWith(s, StatusCode::kCorrupt, "decoder memory"));
  EXPECT_TRUE(FailsWith(s, StatusCode::kCorrupt, "payload offset 0"));
}

}  // namespace
}  // namespace rootbatch
