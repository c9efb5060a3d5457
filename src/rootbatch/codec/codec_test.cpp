// Names, settings, and compress -> decompress round trips.
#include "rootbatch/codec/codec.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <tuple>

#include "rootbatch/codec/block_header.hpp"
#include "rootbatch/codec/codec_test_data.hpp"

namespace rootbatch {
namespace {

using codec_testing::PhysicsLikeBytes;
using codec_testing::RandomBytes;

constexpr Codec kCodecs[] = {Codec::kZlib, Codec::kLzma, Codec::kLz4, Codec::kZstd};

std::vector<uint8_t> MustCompress(std::span<const uint8_t> in, CompressionSetting s) {
  Result<std::vector<uint8_t>> r = Compress(in, s);
  EXPECT_TRUE(r.IsOk()) << r.status().ToString();
  return r.IsOk() ? *r : std::vector<uint8_t>{};
}

TEST(CodecNames, RoundTripThroughParse) {
  for (Codec c : {Codec::kNone, Codec::kZlib, Codec::kLzma, Codec::kLz4, Codec::kZstd}) {
    Result<Codec> parsed = ParseCodec(CodecName(c));
    ASSERT_TRUE(parsed.IsOk()) << CodecName(c);
    EXPECT_EQ(*parsed, c);
  }
  EXPECT_EQ(CodecName(Codec::kOldRoot), "old-root");
  Result<Codec> bad = ParseCodec("brotli");
  ASSERT_FALSE(bad.IsOk());
  EXPECT_EQ(bad.status().Code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().Message().find("brotli"), std::string::npos);
}

TEST(CompressionSetting, FromRootDecodesAlgorithmAndLevel) {
  struct Case {
    int32_t fcompress;
    Codec codec;
    int level;
  };
  const Case cases[] = {
      {1, Codec::kZlib, 1},     {101, Codec::kZlib, 1},  {104, Codec::kZlib, 4},
      {207, Codec::kLzma, 7},   {301, Codec::kOldRoot, 1}, {404, Codec::kLz4, 4},
      {505, Codec::kZstd, 5},   {509, Codec::kZstd, 9},  {100, Codec::kZlib, 0},
      {0, Codec::kZlib, 0},     {-1, Codec::kNone, 0},   {609, Codec::kZlib, 9},
  };
  for (const Case& c : cases) {
    const CompressionSetting s = CompressionSetting::FromRoot(c.fcompress);
    EXPECT_EQ(s.codec, c.codec) << c.fcompress;
    EXPECT_EQ(s.level, c.level) << c.fcompress;
  }
}

TEST(CompressionSetting, ToRootIsAlgorithmTimesHundredPlusLevel) {
  for (int32_t f : {101, 109, 201, 207, 404, 505, 509}) {
    EXPECT_EQ(CompressionSetting::FromRoot(f).ToRoot(), f);
  }
  // ROOT's old "algorithm 0" spelling comes back in the explicit form.
  EXPECT_EQ(CompressionSetting::FromRoot(1).ToRoot(), 101);
  EXPECT_EQ((CompressionSetting{Codec::kNone, 5}).ToRoot(), 0);
}

TEST(DetectCodec, NeedsAKnownTagAndAWholeHeader) {
  const std::vector<uint8_t> zs = {'Z', 'S', 1, 5, 0, 0, 9, 0, 0, 0};
  EXPECT_EQ(DetectCodec(zs), Codec::kZstd);
  EXPECT_EQ(DetectCodec(std::span(zs).first(8)), Codec::kNone);  // shorter than a header
  const std::vector<uint8_t> cs = {'C', 'S', 8, 1, 0, 0, 1, 0, 0};
  EXPECT_EQ(DetectCodec(cs), Codec::kOldRoot);
  const std::vector<uint8_t> raw = {0x40, 0, 0, 12, 0, 5, 0, 0, 0, 0};
  EXPECT_EQ(DetectCodec(raw), Codec::kNone);
  EXPECT_EQ(DetectCodec({}), Codec::kNone);
}

class RoundTrip : public ::testing::TestWithParam<std::tuple<Codec, int>> {};

TEST_P(RoundTrip, CompressibleDataShrinksAndComesBack) {
  const auto [codec, level] = GetParam();
  const std::vector<uint8_t> input = PhysicsLikeBytes(100'000, 7);
  const std::vector<uint8_t> packed = MustCompress(input, {codec, level});
  ASSERT_LT(packed.size(), input.size());
  EXPECT_EQ(DetectCodec(packed), codec);
  // One block, whose header describes exactly what follows it.
  const auto h = codec_internal::ReadBlockHeader(packed.data());
  EXPECT_EQ(h.compressed_size + kBlockHeaderSize, packed.size());
  EXPECT_EQ(h.uncompressed_size, input.size());

  std::vector<uint8_t> output(input.size());
  const Status s = Decompress(packed, output);
  ASSERT_TRUE(s.IsOk()) << s.ToString();
  EXPECT_EQ(output, input);
}

TEST_P(RoundTrip, IncompressibleDataIsStored) {
  const auto [codec, level] = GetParam();
  const std::vector<uint8_t> input = RandomBytes(50'000, 11);
  EXPECT_EQ(MustCompress(input, {codec, level}), input);
}

TEST_P(RoundTrip, SmallRecordJustAboveTheMinimum) {
  const auto [codec, level] = GetParam();
  // 300 identical bytes shrink under every codec despite header overheads.
  const std::vector<uint8_t> input(300, 0x5A);
  const std::vector<uint8_t> packed = MustCompress(input, {codec, level});
  ASSERT_LT(packed.size(), input.size());
  std::vector<uint8_t> output(input.size());
  ASSERT_TRUE(Decompress(packed, output).IsOk());
  EXPECT_EQ(output, input);
}

std::string RoundTripName(const ::testing::TestParamInfo<std::tuple<Codec, int>>& info) {
  return std::string(CodecName(std::get<0>(info.param))) + "_level" +
         std::to_string(std::get<1>(info.param));
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, RoundTrip,
                         ::testing::Combine(::testing::ValuesIn(kCodecs),
                                            ::testing::Values(1, 4, 6, 9)),
                         RoundTripName);

TEST(Compress, LevelZeroNoneAndShortInputsAreStored) {
  const std::vector<uint8_t> input(1000, 0);
  EXPECT_EQ(MustCompress(input, {Codec::kZstd, 0}), input);
  EXPECT_EQ(MustCompress(input, {Codec::kNone, 5}), input);
  EXPECT_EQ(MustCompress(input, {Codec::kZlib, -3}), input);
  const std::vector<uint8_t> short_input(kMinCompressSize - 1, 0);
  EXPECT_EQ(MustCompress(short_input, {Codec::kZlib, 9}), short_input);
  EXPECT_TRUE(MustCompress({}, {Codec::kLz4, 1}).empty());
}

TEST(Compress, LevelsAboveNineAreClampedNotRejected) {
  const std::vector<uint8_t> input = PhysicsLikeBytes(20'000, 3);
  for (Codec c : kCodecs) {
    const std::vector<uint8_t> packed = MustCompress(input, {c, 42});
    ASSERT_LT(packed.size(), input.size()) << CodecName(c);
    std::vector<uint8_t> output(input.size());
    ASSERT_TRUE(Decompress(packed, output).IsOk()) << CodecName(c);
    EXPECT_EQ(output, input);
  }
}

TEST(Compress, OldRootAlgorithmIsUnsupported) {
  const std::vector<uint8_t> input(1000, 0);
  Result<std::vector<uint8_t>> r = Compress(input, {Codec::kOldRoot, 1});
  ASSERT_FALSE(r.IsOk());
  EXPECT_EQ(r.status().Code(), StatusCode::kUnsupported);
}

TEST(Compress, Lz4BlockCarriesBigEndianChecksumOfItsBody) {
  const std::vector<uint8_t> input = PhysicsLikeBytes(10'000, 5);
  for (int level : {1, 4}) {  // fast and HC
    const std::vector<uint8_t> packed = MustCompress(input, {Codec::kLz4, level});
    ASSERT_EQ(DetectCodec(packed), Codec::kLz4);
    EXPECT_EQ(packed[2], 1);  // LZ4 major version
    // Corrupting the body must trip the checksum, proving it covers the body.
    std::vector<uint8_t> broken = packed;
    broken.back() ^= 0x01;
    std::vector<uint8_t> output(input.size());
    const Status s = Decompress(broken, output);
    ASSERT_FALSE(s.IsOk());
    EXPECT_NE(s.Message().find("checksum"), std::string::npos) << s.ToString();
  }
}

// More than kMaxBlockSize bytes: several blocks, each at most 16 MiB - 1.
TEST(Compress, LargeInputIsSplitIntoMaxSizedBlocks) {
  const size_t size = 2 * static_cast<size_t>(kMaxBlockSize) + 12345;
  std::vector<uint8_t> input = PhysicsLikeBytes(size, 99);
  for (Codec codec : {Codec::kLz4, Codec::kZstd}) {
    const std::vector<uint8_t> packed = MustCompress(input, {codec, 1});
    ASSERT_LT(packed.size(), input.size());
    std::vector<uint32_t> block_sizes;
    size_t pos = 0;
    while (pos + kBlockHeaderSize <= packed.size()) {
      const auto h = codec_internal::ReadBlockHeader(packed.data() + pos);
      block_sizes.push_back(h.uncompressed_size);
      pos += kBlockHeaderSize + h.compressed_size;
    }
    EXPECT_EQ(pos, packed.size());
    EXPECT_EQ(block_sizes, (std::vector<uint32_t>{kMaxBlockSize, kMaxBlockSize, 12345}));

    std::vector<uint8_t> output(size);
    const Status s = Decompress(packed, output);
    ASSERT_TRUE(s.IsOk()) << s.ToString();
    EXPECT_TRUE(output == input) << CodecName(codec);
  }
}

// ROOT decoders take the algorithm per block; so do we.
TEST(Decompress, BlocksOfDifferentCodecsInOneRecord) {
  std::vector<uint8_t> expected;
  std::vector<uint8_t> payload;
  uint64_t seed = 1;
  for (Codec c : kCodecs) {
    const std::vector<uint8_t> part = PhysicsLikeBytes(5000 + 17 * seed, seed);
    const std::vector<uint8_t> packed = MustCompress(part, {c, 5});
    ASSERT_LT(packed.size(), part.size());
    expected.insert(expected.end(), part.begin(), part.end());
    payload.insert(payload.end(), packed.begin(), packed.end());
    ++seed;
  }
  std::vector<uint8_t> output(expected.size());
  const Status s = Decompress(payload, output);
  ASSERT_TRUE(s.IsOk()) << s.ToString();
  EXPECT_EQ(output, expected);
}

TEST(Decompress, EmptyRecordNeedsNoBlocks) {
  std::vector<uint8_t> output;
  EXPECT_TRUE(Decompress({}, output).IsOk());
}

// Per-thread contexts: threads decoding different codecs at once must not
// disturb one another (run under TSan as well).
TEST(Decompress, ConcurrentThreadsAllCodecs) {
  const std::vector<uint8_t> input = PhysicsLikeBytes(40'000, 21);
  std::vector<std::vector<uint8_t>> packed;
  for (Codec c : kCodecs) packed.push_back(MustCompress(input, {c, 3}));
  std::vector<int> failures(8, 0);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < failures.size(); ++t) {
    threads.emplace_back([&, t] {
      std::vector<uint8_t> output(input.size());
      for (int i = 0; i < 20; ++i) {
        const auto& p = packed[(t + i) % packed.size()];
        if (!Decompress(p, output).IsOk() || output != input) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (size_t t = 0; t < failures.size(); ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
}

}  // namespace
}  // namespace rootbatch
