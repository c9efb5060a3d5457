// The loader's own costs, without decompression: in-memory sources compute
// their values, so what is measured is planning, conversion into rows, the
// shuffle buffer and batch assembly. Real files: `rootbatch bench` (see
// docs/benchmarks.md).
//   build/release/bench/loader_benchmark --benchmark_filter=Epoch
#include <benchmark/benchmark.h>

#include <cstring>
#include <memory>
#include <random>
#include <vector>

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

#include "rootbatch/loader/batch_assembler.hpp"
#include "rootbatch/loader/convert.hpp"
#include "rootbatch/loader/large_memory.hpp"
#include "rootbatch/loader/loader.hpp"
#include "rootbatch/loader/piece_buffer.hpp"
#include "rootbatch/loader/piece_schedule.hpp"
#include "rootbatch/loader/piece_shuffle.hpp"
#include "rootbatch/loader/scatter_batches.hpp"
#include "rootbatch/loader/scatter_schedule.hpp"
#include "rootbatch/loader/slot_schedule.hpp"
#include "rootbatch/loader/testing/memory_source.hpp"

namespace rootbatch::loader {
namespace {

std::shared_ptr<const Dataset> MakeDataset(int64_t entries) {
  testing::MemorySourceOptions options;
  options.num_entries = entries;
  options.num_features = 28;
  options.cluster_size = 10000;
  options.basket_size = 8000;
  std::vector<std::unique_ptr<ColumnSource>> sources;
  sources.push_back(testing::MakeMemorySource(options));
  return *Dataset::FromSources(std::move(sources));
}

// One epoch of 1 M rows, 28 float features + a label, batch 1024, 64 MiB.
void BM_LoaderEpoch(benchmark::State& state) {
  static const auto dataset = MakeDataset(1'000'000);
  LoaderOptions options;
  for (int k = 0; k < 28; ++k) options.features.push_back("f" + std::to_string(k));
  options.targets = {"label"};
  options.target_type = DataType::kFloat32;
  options.memory_budget = 64 * kMiB;
  options.shuffle = static_cast<ShuffleStrategy>(state.range(0));
  options.num_threads = static_cast<int>(state.range(1));
  LoaderInput input;
  input.dataset = dataset;
  auto loader = Loader::Create({input}, options);
  if (!loader.IsOk()) {
    state.SkipWithError(loader.status().ToString().c_str());
    return;
  }
  int64_t epoch = 0;
  for (auto _ : state) {
    (void)(*loader)->SetEpoch(epoch++);
    int64_t rows = 0;
    for (;;) {
      auto batch = (*loader)->Next();
      if (!batch.IsOk() || !batch->has_value()) break;
      rows += (*batch)->num_rows;
    }
    benchmark::DoNotOptimize(rows);
  }
  state.SetItemsProcessed(state.iterations() * 1'000'000);
}
BENCHMARK(BM_LoaderEpoch)
    ->ArgNames({"strategy", "threads"})
    ->Args({static_cast<int>(ShuffleStrategy::kNone), 1})
    ->Args({static_cast<int>(ShuffleStrategy::kStream), 1})
    ->Args({static_cast<int>(ShuffleStrategy::kStream), 2})
    ->Args({static_cast<int>(ShuffleStrategy::kClusterChunks), 2})
    ->Args({static_cast<int>(ShuffleStrategy::kScatter), 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The slot schedule alone: random slot draws for 1 M rows, 500 k slots.
void BM_SlotSchedule(benchmark::State& state) {
  for (auto _ : state) {
    SlotSchedule schedule(static_cast<ShuffleStrategy>(state.range(0)), 500'000, 1024, 1'000'000, 977, 1, false);
    SlotSchedule::Step step;
    int64_t taken = 0;
    while (schedule.Next(&step)) taken += static_cast<int64_t>(step.take.size());
    benchmark::DoNotOptimize(taken);
  }
  state.SetItemsProcessed(state.iterations() * 1'000'000);
}
BENCHMARK(BM_SlotSchedule)->Arg(static_cast<int>(ShuffleStrategy::kStream))
    ->Arg(static_cast<int>(ShuffleStrategy::kClusterChunks))->Unit(benchmark::kMillisecond);

// Scattering 29 float columns into rows (float32 or float64 values), 256
// rows at a time, as a worker does for each segment.
void BM_ScatterColumnsIntoRows(benchmark::State& state) {
  const int64_t rows = 8192, columns = 29;
  const auto type = static_cast<DataType>(state.range(0));
  const int64_t width = ByteWidth(type);
  const int64_t stride = (columns * width + 8 + 7) / 8 * 8;
  std::vector<std::vector<float>> source(columns, std::vector<float>(rows, 1.5f));
  std::vector<uint8_t> staged(static_cast<size_t>(rows * stride));
  for (auto _ : state) {
    for (int64_t begin = 0; begin < rows; begin += 256) {
      for (int64_t c = 0; c < columns; ++c) {
        ConvertRows(DataType::kFloat32, source[static_cast<size_t>(c)].data() + begin, 256, 1, type,
                    staged.data() + begin * stride + c * width, static_cast<size_t>(stride));
      }
    }
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * rows);
}
BENCHMARK(BM_ScatterColumnsIntoRows)->Arg(static_cast<int>(DataType::kFloat32))->Arg(static_cast<int>(DataType::kFloat64));

// Rows of `features` floats, a label and the entry number, as the loader
// lays them out (slot_stride = row_bytes, what BuildLayout picks for them).
RowLayout BenchLayout(size_t features) {
  RowLayout layout;
  layout.parts.push_back({"features", DataType::kFloat32, {static_cast<int64_t>(features)}, 0, 4 * features});
  layout.parts.push_back({"targets", DataType::kFloat32, {1}, 4 * features, 4});
  layout.parts.push_back({"entries", DataType::kInt64, {}, (4 * features + 4 + 7) / 8 * 8, 8});
  layout.targets_part = 1;
  layout.entries_part = 2;
  layout.row_bytes = layout.parts[2].offset + 8;
  layout.slot_stride = layout.row_bytes;
  return layout;
}

// The assembler's work per row with no other thread running: draw the
// batch's slots, copy each slot's row out (a random read in a buffer far
// larger than the caches) and refill it from a staged block. Rows of 128
// bytes (28 floats, a label, the entry: 2 lines per slot) and 136 bytes (30
// floats: 3-4 lines), in a 200 MiB buffer as at a 256 MiB budget. This is a
// floor for the loader's own serial cost per event; docs/benchmarks.md
// compares it with what the same code costs inside the loader.
void BM_ExchangeRows(benchmark::State& state) {
  const RowLayout layout = BenchLayout(static_cast<size_t>(state.range(0)));
  const auto slots = static_cast<int64_t>((size_t{200} << 20) / layout.slot_stride);
  const int64_t batch = 1024, block_rows = 8192, rows_per_pass = 4 * slots;
  LargeMemory memory(static_cast<size_t>(slots) * layout.slot_stride);
  memory.Commit(static_cast<size_t>(slots) * layout.slot_stride, nullptr);
  BatchAssembler assembler(layout, slots, memory.data(), BufferPool::Create(4));
  StagedBlock block;
  block.rows = block_rows;
  block.fixed = std::make_unique<uint8_t[]>(static_cast<size_t>(block_rows) * layout.row_bytes);
  for (int64_t s = 0; s < slots; ++s) assembler.Fill(static_cast<int32_t>(s), block, s % block_rows);
  SlotSchedule schedule(ShuffleStrategy::kStream, slots, batch, slots + rows_per_pass, 1 << 30, 7, false);
  SlotSchedule::Step step;
  int64_t index = 0;
  for (auto _ : state) {
    schedule.Next(&step);
    assembler.Begin(batch, 0, index++);
    const int64_t at = step.fill_begin % block_rows;
    const int64_t first = std::min<int64_t>(batch, block_rows - at);
    assembler.Exchange(0, step.take.data(), static_cast<size_t>(first), block, at);
    if (first < batch) assembler.Exchange(first, step.take.data() + first, static_cast<size_t>(batch - first), block, 0);
    benchmark::DoNotOptimize(assembler.Finish());
    if (index * batch >= rows_per_pass) state.SkipWithError("ran past the stream; lower the iterations");
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_ExchangeRows)->ArgName("features")->Arg(28)->Arg(30)->Iterations(4000);

// The same work for the pieces strategy, in the same 200 MiB buffer: the
// schedule's draw, each entering piece copied from its staged block in its
// row order into pages, and each batch's runs copied out (rows to random
// places of the batch). Pieces of a 100th of the buffer, as the order makes
// them (pieces_per_buffer).
void BM_PieceRuns(benchmark::State& state) {
  const RowLayout layout = BenchLayout(static_cast<size_t>(state.range(0)));
  const auto slots = static_cast<int64_t>((size_t{200} << 20) / layout.slot_stride);
  const int64_t batch = 1024, piece = slots / 100, pieces = 8 * 100;
  std::vector<int64_t> starts = {0};
  for (int64_t p = 0; p < pieces; ++p) starts.push_back(starts.back() + piece);
  LargeMemory memory(static_cast<size_t>(slots) * layout.slot_stride);
  memory.Commit(static_cast<size_t>(slots) * layout.slot_stride, nullptr);
  const int64_t page_rows = PieceShuffle::PageRows(static_cast<int64_t>(layout.slot_stride), slots);
  PieceSchedule schedule(starts, slots, page_rows, batch, starts.back() / batch, 7);
  PieceBuffer buffer(layout, schedule.TotalPages(), page_rows, memory.data());
  BatchAssembler assembler(layout, 0, memory.data(), BufferPool::Create(4));
  StagedBlock block;
  block.rows = piece;
  block.fixed = std::make_unique<uint8_t[]>(static_cast<size_t>(piece) * layout.row_bytes);
  std::memset(block.fixed.get(), 1, static_cast<size_t>(piece) * layout.row_bytes);
  PieceSchedule::Step step;
  std::vector<int32_t> order;
  const int64_t warm = 2 * slots / batch;  // past the first fill: pieces enter as batches leave
  int64_t index = 0;
  auto one_batch = [&]() -> bool {
    if (!schedule.Next(&step)) return false;
    for (const auto& unit : step.entered) {
      PieceSchedule::UnitOrder(unit, &order);
      if (!buffer.Enter(unit, 0, order, block, 0).IsOk()) return false;
    }
    assembler.Begin(static_cast<int64_t>(step.rows.size()), 0, index++);
    if (!buffer.TakeRuns(step, assembler).IsOk()) return false;
    benchmark::DoNotOptimize(assembler.Finish());
    return true;
  };
  for (int64_t b = 0; b < warm; ++b) {
    if (!one_batch()) {
      state.SkipWithError("the warm-up failed");
      return;
    }
  }
  for (auto _ : state) {
    if (!one_batch()) state.SkipWithError("ran past the stream; lower the iterations");
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_PieceRuns)->ArgName("features")->Arg(28)->Arg(30)->Iterations(4000);

// The scatter strategy's work per row, in the same 200 MiB (the open
// batches, as at a 256 MiB budget), in its two parts:
//  - route (the assembler thread): each step's destinations (a seeded
//    permutation of the step), the ring slot of each, and per batch the
//    opening (a pooled buffer, its random row order) and the hand-out;
//  - write (a worker): a staged block of 8192 rows copied part by part
//    to those destinations (random places of the open batches).
struct ScatterBench {
  explicit ScatterBench(size_t features)
      : layout(BenchLayout(features)),
        lags(ScatterSchedule::Lags(static_cast<int64_t>((size_t{200} << 20) / layout.slot_stride),
                                   static_cast<int64_t>(layout.slot_stride), kBatch)),
        schedule(kBatches * kBatch, kBatch, kBatches, lags, 7),
        batches(layout, lags + 1, kBatch, BufferPool::Create(8)) {}
  static constexpr int64_t kBatch = 1024;
  static constexpr int64_t kBatches = 20000;  // more than the iterations and lags
  RowLayout layout;
  int64_t lags;
  ScatterSchedule schedule;
  ScatterBatches batches;
};

void BM_ScatterRoute(benchmark::State& state) {
  ScatterBench bench(static_cast<size_t>(state.range(0)));
  ScatterSchedule& schedule = bench.schedule;
  std::vector<ScatterSchedule::Destination> step_targets;
  std::vector<ScatterTarget> targets(ScatterBench::kBatch);
  for (int64_t b = 0; b < bench.lags; ++b) bench.batches.Open(schedule, b, 0);
  int64_t step = 1;  // steps from 1 on are full: kBatch rows
  for (auto _ : state) {
    schedule.StepDestinations(step, &step_targets);
    for (size_t j = 0; j < step_targets.size(); ++j) {
      const int64_t batch = step + step_targets[j].lag;
      targets[j] = {bench.batches.SlotOf(batch), static_cast<uint32_t>(step_targets[j].index)};
    }
    benchmark::DoNotOptimize(targets.data());
    benchmark::DoNotOptimize(bench.batches.Close(step - 1));
    bench.batches.Open(schedule, step + bench.lags - 1, 0);
    ++step;
  }
  state.SetItemsProcessed(state.iterations() * ScatterBench::kBatch);
}
BENCHMARK(BM_ScatterRoute)->ArgName("features")->Arg(28)->Arg(30)->Iterations(4000);

void BM_ScatterWrite(benchmark::State& state) {
  ScatterBench bench(static_cast<size_t>(state.range(0)));
  const ScatterSchedule& schedule = bench.schedule;
  const int64_t block_rows = 8192, steps = 4 * bench.lags;
  for (int64_t b = 0; b < bench.lags + 1; ++b) bench.batches.Open(schedule, b, 0);  // slots reused below
  // Targets of steps 1 .. steps, computed before timing; a batch's slot is
  // reused by batch + slots, whose rows land on the same memory.
  std::vector<ScatterTarget> targets;
  std::vector<ScatterSchedule::Destination> step_targets;
  for (int64_t step = 1; step <= steps; ++step) {
    schedule.StepDestinations(step, &step_targets);
    for (const auto& d : step_targets) {
      targets.push_back({bench.batches.SlotOf(step + d.lag), static_cast<uint32_t>(d.index)});
    }
  }
  StagedBlock block;
  block.rows = block_rows;
  block.fixed = std::make_unique<uint8_t[]>(static_cast<size_t>(block_rows) * bench.layout.row_bytes);
  std::memset(block.fixed.get(), 1, static_cast<size_t>(block_rows) * bench.layout.row_bytes);
  // Every batch page touched once before timing (the kernel's zeroing is
  // another cost: docs/benchmarks.md).
  for (size_t at = 0; at + static_cast<size_t>(block_rows) <= targets.size(); at += static_cast<size_t>(block_rows)) {
    bench.batches.Write(block, std::span(targets).subspan(at, static_cast<size_t>(block_rows)));
  }
  size_t at = 0;
  for (auto _ : state) {
    if (at + static_cast<size_t>(block_rows) > targets.size()) at = 0;
    bench.batches.Write(block, std::span(targets).subspan(at, static_cast<size_t>(block_rows)));
    at += static_cast<size_t>(block_rows);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * block_rows);
}
BENCHMARK(BM_ScatterWrite)->ArgName("features")->Arg(28)->Arg(30)->Iterations(2000);

#if defined(__x86_64__)
// A design not built (docs/benchmarks.md, "Where the CPU goes at 2
// threads, and what 0.8 of the ceiling would take"): workers write each staged row to a random row of a "bucket" of
// eight batches, kept row by row at a stride of whole cache lines, with
// non-temporal stores. A store that fills whole lines does not read them
// first, which is what makes the random writes of `scatter` (rows split
// into the batch's tensors, partial lines) cost as much as a random read.
// A full bucket is then split into its batches' tensors in order. Measured
// per row, in the same 200 MiB as BM_ExchangeRows, the two parts apart;
// the destinations (what a schedule would compute) are drawn beforehand.
struct BucketBench {
  explicit BucketBench(size_t features)
      : layout(BenchLayout(features)),
        stride((layout.row_bytes + 63) / 64 * 64),
        rows(static_cast<int64_t>((size_t{200} << 20) / stride)),
        memory(static_cast<size_t>(rows) * stride) {
    memory.Commit(static_cast<size_t>(rows) * stride, nullptr);
  }
  RowLayout layout;
  size_t stride;  // whole lines
  int64_t rows;
  LargeMemory memory;
};

void BM_BucketStreamWrite(benchmark::State& state) {
  BucketBench bench(static_cast<size_t>(state.range(0)));
  const int64_t block_rows = 8192;
  std::vector<int32_t> targets(static_cast<size_t>(block_rows) * 64);
  std::mt19937_64 random(7);
  for (auto& t : targets) t = static_cast<int32_t>(random() % static_cast<uint64_t>(bench.rows));
  // The staged block at the bucket's stride, so that each row is whole lines.
  const size_t staged_bytes = static_cast<size_t>(block_rows) * bench.stride;
  std::vector<uint8_t> staged_memory(staged_bytes + 64, 1);
  const auto* staged = reinterpret_cast<const __m128i*>(
      (reinterpret_cast<uintptr_t>(staged_memory.data()) + 63) / 64 * 64);
  const size_t vectors = bench.stride / sizeof(__m128i);
  size_t at = 0;
  for (auto _ : state) {
    if (at + static_cast<size_t>(block_rows) > targets.size()) at = 0;
    for (int64_t r = 0; r < block_rows; ++r) {
      const __m128i* source = staged + static_cast<size_t>(r) * vectors;
      const auto row = static_cast<size_t>(targets[at + static_cast<size_t>(r)]);
      auto* target = reinterpret_cast<__m128i*>(bench.memory.data() + row * bench.stride);
      for (size_t v = 0; v < vectors; ++v) _mm_stream_si128(target + v, _mm_load_si128(source + v));
    }
    _mm_sfence();
    at += static_cast<size_t>(block_rows);
  }
  state.SetItemsProcessed(state.iterations() * block_rows);
}
BENCHMARK(BM_BucketStreamWrite)->ArgName("features")->Arg(28)->Arg(30)->Iterations(2000);

void BM_BucketDeal(benchmark::State& state) {
  BucketBench bench(static_cast<size_t>(state.range(0)));
  const int64_t batch = 1024, bucket_rows = 8 * batch;
  const int64_t buckets = bench.rows / bucket_rows;
  BatchAssembler assembler(bench.layout, 0, bench.memory.data(), BufferPool::Create(4));
  std::vector<int32_t> in_order(static_cast<size_t>(batch));
  for (int64_t i = 0; i < batch; ++i) in_order[static_cast<size_t>(i)] = static_cast<int32_t>(i);
  int64_t bucket = 0, index = 0;
  for (auto _ : state) {
    bucket = (bucket + 7) % buckets;  // another bucket each time, long out of the caches
    const uint8_t* rows = bench.memory.data() + static_cast<size_t>(bucket * bucket_rows) * bench.stride;
    for (int64_t b = 0; b < 8; ++b) {
      assembler.Begin(batch, 0, index++);
      assembler.ScatterRows(rows + static_cast<size_t>(b * batch) * bench.stride, bench.stride,
                            static_cast<size_t>(batch), in_order.data());
      benchmark::DoNotOptimize(assembler.Finish());
    }
  }
  state.SetItemsProcessed(state.iterations() * bucket_rows);
}
BENCHMARK(BM_BucketDeal)->ArgName("features")->Arg(28)->Arg(30)->Iterations(400);
#endif

}  // namespace
}  // namespace rootbatch::loader

BENCHMARK_MAIN();
