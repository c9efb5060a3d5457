// The loader's own costs, without decompression: in-memory sources compute
// their values, so what is measured is planning, conversion into rows, the
// shuffle buffer and batch assembly. Real files: `rootbatch bench` (see
// docs/benchmarks.md).
//   build/release/bench/loader_benchmark --benchmark_filter=Epoch
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "rootbatch/loader/convert.hpp"
#include "rootbatch/loader/loader.hpp"
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

}  // namespace
}  // namespace rootbatch::loader

BENCHMARK_MAIN();
