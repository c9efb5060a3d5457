// The layout suite's table (docs/benchmarks.md, "Shuffle quality across
// layouts"): for each layout and seed, at a budget that buys a buffer of
// --fraction of the data (default 5 %), the per-batch class fraction spread
// against a full shuffle's, var_ratio, bins/batch and decompressions per
// basket. Figures are exact replays of the epoch on positions (no data read).
//
//   build/release/bench/shuffle_layouts [--fraction 0.05] [--seeds 3,5,6,7] [--epochs 2]
//                                       [--pieces-per-buffer K] [--shuffle stream|pieces]
//   build/release/bench/shuffle_layouts --list   (the layouts as JSON lines, for
//                                                 python/benchmarks/shuffle_training.py --layout)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "rootbatch/loader/testing/layout_suite.hpp"

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
    static const char* kRules[] = {"signal", "background", "sorted", "mixed"};
    for (const auto& layout : rootbatch::testing::LayoutSuite()) {
      std::printf("{\"name\": \"%s\", \"files\": [", layout.name.c_str());
      for (size_t i = 0; i < layout.files.size(); ++i) {
        const auto& f = layout.files[i];
        std::printf("%s{\"entries\": %lld, \"basket\": %lld, \"cluster\": %lld, \"label\": \"%s\"}",
                    i > 0 ? ", " : "", static_cast<long long>(f.entries), static_cast<long long>(f.basket),
                    static_cast<long long>(f.cluster), kRules[static_cast<int>(f.label)]);
      }
      std::printf("]}\n");
    }
    return 0;
  }
  double fraction = 0.05;
  std::vector<uint64_t> seeds = {3, 5, 6, 7};
  int64_t epochs = 2;
  int pieces_per_buffer = rootbatch::loader::LoaderOptions{}.pieces_per_buffer;
  auto strategy = rootbatch::loader::LoaderOptions{}.shuffle;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--fraction") == 0) fraction = std::atof(argv[i + 1]);
    if (std::strcmp(argv[i], "--epochs") == 0) epochs = std::atoll(argv[i + 1]);
    if (std::strcmp(argv[i], "--pieces-per-buffer") == 0) pieces_per_buffer = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--shuffle") == 0) {
      strategy = std::strcmp(argv[i + 1], "pieces") == 0 ? rootbatch::loader::ShuffleStrategy::kPieces
                                                          : rootbatch::loader::ShuffleStrategy::kStream;
    }
    if (std::strcmp(argv[i], "--seeds") == 0) {
      seeds.clear();
      for (char* s = std::strtok(argv[i + 1], ","); s != nullptr; s = std::strtok(nullptr, ",")) {
        seeds.push_back(std::strtoull(s, nullptr, 10));
      }
    }
  }
  std::vector<rootbatch::testing::Layout> layouts = rootbatch::testing::LayoutSuite();
  layouts.push_back(rootbatch::testing::OversizedClusterLayout());
  std::printf("| layout | entries | buffer rows | class spread / floor (worst) | var_ratio (worst) | "
              "bins/batch (worst) | decompressions per basket |\n|---|---|---|---|---|---|---|\n");
  for (const auto& layout : layouts) {
    double spread = 0, var_ratio = 0, bins = 100, decompressions = 0;
    int64_t buffer = 0;
    for (uint64_t seed : seeds) {
      for (int64_t epoch = 0; epoch < epochs; ++epoch) {
        rootbatch::loader::LoaderOptions options = rootbatch::testing::LayoutOptions(seed);
        options.pieces_per_buffer = pieces_per_buffer;
        options.shuffle = strategy;
        auto f = rootbatch::testing::MeasureLayout(layout, options, fraction, epoch);
        if (!f.IsOk()) {
          std::fprintf(stderr, "%s: %s\n", layout.name.c_str(), f.status().ToString().c_str());
          return 1;
        }
        spread = std::max(spread, f->SpreadRatio());
        var_ratio = std::max(var_ratio, f->var_ratio);
        bins = std::min(bins, f->bins_per_batch);
        decompressions = std::max(decompressions, f->decompressions_per_basket);
        buffer = f->buffer_rows;
      }
    }
    std::printf("| %s | %lld | %lld | %.2f | %.2f | %.1f | %.2f |\n", layout.name.c_str(),
                static_cast<long long>(layout.Entries()), static_cast<long long>(buffer), spread, var_ratio, bins,
                decompressions);
  }
  return 0;
}
