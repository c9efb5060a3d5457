// Decompression speed: rootbatch::Decompress against each library's own
// decoder called directly on the same block bodies, so the difference is our
// framing, checks and (for LZ4) the XXH64 verification. For ZL it also runs
// zlib's inflate beside libdeflate, which is why we decode ZL with libdeflate.
//
// Throughput is bytes of DECOMPRESSED output per second. Each corpus is a set
// of records decoded in turn per iteration:
//   float32  32 KiB baskets of big-endian float32 pT-like values (exponential,
//            full precision: typical of real float branches, compress poorly;
//            LZ4 cannot shrink them, so ROOT would store them and there is
//            no lz4 row)
//   float32r the same values rounded to 0.01 (limited-precision quantities)
//   int32    32 KiB baskets of big-endian int32 small counts (compress well)
//   hzz      every compressed record of uproot-HZZ-<codec>.root (real ROOT
//            baskets of a small analysis tree, written by ROOT 6.10/6.19)
#include <benchmark/benchmark.h>

#include <libdeflate.h>
#include <lz4.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "rootbatch/base/endian.hpp"
#include "rootbatch/codec/codec.hpp"
#include "rootbatch/io/byte_source.hpp"

namespace rootbatch {
namespace {

constexpr size_t kBasketBytes = 32 * 1024;
constexpr int kBasketsPerCorpus = 32;

struct Record {
  std::vector<uint8_t> compressed;
  size_t uncompressed_size = 0;
};

struct Corpus {
  std::vector<Record> records;
  size_t total_uncompressed = 0;
  size_t total_compressed = 0;
  size_t largest = 0;
};

// splitmix64, so the inputs are identical on every machine.
struct Rng {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
};

std::vector<uint8_t> FloatBasket(uint64_t seed, double quantum) {
  Rng rng{seed};
  std::vector<uint8_t> out(kBasketBytes);
  for (size_t i = 0; i < out.size(); i += 4) {
    double pt = -25.0 * std::log(1.0 - rng.Uniform());
    if (quantum > 0) pt = std::round(pt / quantum) * quantum;
    StoreBigEndian<float>(out.data() + i, static_cast<float>(pt));
  }
  return out;
}
std::vector<uint8_t> FullFloatBasket(uint64_t seed) { return FloatBasket(seed, 0); }
std::vector<uint8_t> RoundedFloatBasket(uint64_t seed) { return FloatBasket(seed, 0.01); }

std::vector<uint8_t> IntBasket(uint64_t seed) {
  Rng rng{seed};
  std::vector<uint8_t> out(kBasketBytes);
  for (size_t i = 0; i < out.size(); i += 4) {
    // Roughly Poisson(2)-shaped jet counts.
    const double u = rng.Uniform();
    const int32_t n = u < 0.14 ? 0 : u < 0.41 ? 1 : u < 0.68 ? 2 : u < 0.86 ? 3 : u < 0.95 ? 4 : 5 + static_cast<int32_t>(rng.Next() % 4);
    StoreBigEndian<int32_t>(out.data() + i, n);
  }
  return out;
}

void Add(Corpus& corpus, Record record) {
  corpus.total_uncompressed += record.uncompressed_size;
  corpus.total_compressed += record.compressed.size();
  corpus.largest = std::max(corpus.largest, record.uncompressed_size);
  corpus.records.push_back(std::move(record));
}

Corpus Synthetic(Codec codec, int level, std::vector<uint8_t> (*make)(uint64_t)) {
  Corpus corpus;
  for (int i = 0; i < kBasketsPerCorpus; ++i) {
    std::vector<uint8_t> raw = make(1000 + i);
    Result<std::vector<uint8_t>> packed = Compress(raw, {codec, level});
    if (!packed.IsOk() || packed->size() >= raw.size()) continue;  // stored: not a codec test
    Add(corpus, {std::move(*packed), raw.size()});
  }
  return corpus;
}

// Every compressed record between fBEGIN and fEND (ROOT writes them back to back).
Corpus RealFile(const std::string& path, Codec codec) {
  Corpus corpus;
  auto file = OpenLocalFile(path);
  if (!file.IsOk()) return corpus;
  const ByteSource& src = **file;
  auto head = src.Read(0, 24);
  if (!head.IsOk()) return corpus;
  const int32_t version = LoadBigEndian<int32_t>(head->data() + 4);         // fVersion
  int64_t pos = LoadBigEndian<int32_t>(head->data() + 8);                   // fBEGIN
  const int64_t end = version >= 1000000 ? LoadBigEndian<int64_t>(head->data() + 12)
                                         : LoadBigEndian<int32_t>(head->data() + 12);  // fEND
  while (pos < end) {
    auto key = src.Read(pos, 16);
    if (!key.IsOk()) break;
    const int32_t nbytes = LoadBigEndian<int32_t>(key->data());      // fNbytes
    const int32_t objlen = LoadBigEndian<int32_t>(key->data() + 6);  // fObjlen
    const int16_t keylen = LoadBigEndian<int16_t>(key->data() + 14); // fKeylen
    if (nbytes == 0) break;
    if (nbytes < 0) {
      pos -= nbytes;
      continue;
    }
    if (objlen != nbytes - keylen) {
      auto payload = src.Read(pos + keylen, nbytes - keylen);
      if (payload.IsOk() && DetectCodec(*payload) == codec) {
        Add(corpus, {std::move(*payload), static_cast<size_t>(objlen)});
      }
    }
    pos += nbytes;
  }
  return corpus;
}

// Walks the blocks of a record, handing each body and output slice to `decode`.
template <typename Decode>
bool ForEachBlock(const Record& r, uint8_t* out, Decode&& decode) {
  size_t in_pos = 0;
  size_t out_pos = 0;
  const uint8_t* p = r.compressed.data();
  while (out_pos < r.uncompressed_size) {
    const size_t c = p[in_pos + 3] | (p[in_pos + 4] << 8) | (size_t{p[in_pos + 5]} << 16);
    const size_t u = p[in_pos + 6] | (p[in_pos + 7] << 8) | (size_t{p[in_pos + 8]} << 16);
    if (!decode(p + in_pos + kBlockHeaderSize, c, out + out_pos, u)) return false;
    in_pos += kBlockHeaderSize + c;
    out_pos += u;
  }
  return true;
}

using RawDecoder = std::function<bool(const uint8_t*, size_t, uint8_t*, size_t)>;

RawDecoder MakeLibdeflate() {
  auto* d = libdeflate_alloc_decompressor();  // lives as long as the benchmark
  return [d](const uint8_t* in, size_t c, uint8_t* out, size_t u) {
    return libdeflate_zlib_decompress(d, in, c, out, u, nullptr) == LIBDEFLATE_SUCCESS;
  };
}

RawDecoder MakeZlibInflate() {
  auto* z = new z_stream{};
  inflateInit(z);
  return [z](const uint8_t* in, size_t c, uint8_t* out, size_t u) {
    inflateReset(z);
    z->next_in = const_cast<Bytef*>(in);
    z->avail_in = static_cast<uInt>(c);
    z->next_out = out;
    z->avail_out = static_cast<uInt>(u);
    return inflate(z, Z_FINISH) == Z_STREAM_END && z->avail_out == 0;
  };
}

RawDecoder MakeLzma() {
  auto* s = new lzma_stream(LZMA_STREAM_INIT);
  return [s](const uint8_t* in, size_t c, uint8_t* out, size_t u) {
    if (lzma_stream_decoder(s, UINT64_MAX, 0) != LZMA_OK) return false;
    s->next_in = in;
    s->avail_in = c;
    s->next_out = out;
    s->avail_out = u;
    return lzma_code(s, LZMA_FINISH) == LZMA_STREAM_END && s->avail_out == 0;
  };
}

RawDecoder MakeLz4() {
  // The raw block only: skips the 8-byte XXH64 that rootbatch verifies.
  return [](const uint8_t* in, size_t c, uint8_t* out, size_t u) {
    return LZ4_decompress_safe(reinterpret_cast<const char*>(in + 8), reinterpret_cast<char*>(out),
                               static_cast<int>(c - 8), static_cast<int>(u)) ==
           static_cast<int>(u);
  };
}

RawDecoder MakeZstd() {
  ZSTD_DCtx* d = ZSTD_createDCtx();
  return [d](const uint8_t* in, size_t c, uint8_t* out, size_t u) {
    return ZSTD_decompressDCtx(d, out, u, in, c) == u;
  };
}

void Finish(benchmark::State& state, const Corpus& corpus) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.total_uncompressed));
  state.counters["ratio"] =
      static_cast<double>(corpus.total_uncompressed) / static_cast<double>(corpus.total_compressed);
  state.counters["records"] = static_cast<double>(corpus.records.size());
}

void BM_Rootbatch(benchmark::State& state, const Corpus* corpus) {
  std::vector<uint8_t> out(corpus->largest);
  for (auto _ : state) {
    for (const Record& r : corpus->records) {
      const Status s = Decompress(r.compressed, std::span(out.data(), r.uncompressed_size));
      if (!s.IsOk()) {
        state.SkipWithError(s.ToString().c_str());
        return;
      }
      benchmark::DoNotOptimize(out.data());
    }
    benchmark::ClobberMemory();
  }
  Finish(state, *corpus);
}

void BM_Raw(benchmark::State& state, const Corpus* corpus, RawDecoder decode) {
  std::vector<uint8_t> out(corpus->largest);
  for (auto _ : state) {
    for (const Record& r : corpus->records) {
      if (!ForEachBlock(r, out.data(), decode)) {
        state.SkipWithError("raw decode failed");
        return;
      }
      benchmark::DoNotOptimize(out.data());
    }
    benchmark::ClobberMemory();
  }
  Finish(state, *corpus);
}

struct CodecCase {
  Codec codec;
  int level;  // ROOT's usual setting: 101, 207, 404, 505
  const char* file;
  std::vector<std::pair<std::string, RawDecoder (*)()>> raw;
};

}  // namespace
}  // namespace rootbatch

int main(int argc, char** argv) {
  using namespace rootbatch;
  benchmark::Initialize(&argc, argv);
  const std::string data = ROOTBATCH_TESTDATA_DIR;
  static std::vector<CodecCase> cases = {
      {Codec::kZlib, 1, "uproot-HZZ-zlib.root",
       {{"libdeflate", MakeLibdeflate}, {"zlib-inflate", MakeZlibInflate}}},
      {Codec::kLzma, 7, "uproot-HZZ-lzma.root", {{"liblzma", MakeLzma}}},
      {Codec::kLz4, 4, "uproot-HZZ-lz4.root", {{"lz4-no-xxh64", MakeLz4}}},
      {Codec::kZstd, 5, "uproot-HZZ-zstd.root", {{"libzstd", MakeZstd}}},
  };
  static std::vector<std::unique_ptr<Corpus>> corpora;  // outlive the registrations
  for (const CodecCase& cc : cases) {
    const std::string codec(CodecName(cc.codec));
    const std::pair<std::string, Corpus> inputs[] = {
        {"float32", Synthetic(cc.codec, cc.level, FullFloatBasket)},
        {"float32r", Synthetic(cc.codec, cc.level, RoundedFloatBasket)},
        {"int32", Synthetic(cc.codec, cc.level, IntBasket)},
        {"hzz", RealFile(data + "/" + cc.file, cc.codec)},
    };
    for (const auto& [kind, corpus] : inputs) {
      if (corpus.records.empty()) {
        std::fprintf(stderr, "skipping %s/%s: no compressed records\n", codec.c_str(), kind.c_str());
        continue;
      }
      corpora.push_back(std::make_unique<Corpus>(corpus));
      const Corpus* c = corpora.back().get();
      benchmark::RegisterBenchmark((codec + "/" + kind + "/rootbatch").c_str(), BM_Rootbatch, c);
      for (const auto& [name, make] : cc.raw) {
        benchmark::RegisterBenchmark((codec + "/" + kind + "/" + name).c_str(), BM_Raw, c, make());
      }
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
