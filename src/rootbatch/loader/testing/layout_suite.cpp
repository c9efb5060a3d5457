#include "rootbatch/loader/testing/layout_suite.hpp"

#include <algorithm>
#include <cmath>

#include "rootbatch/loader/loader.hpp"
#include "rootbatch/loader/rng.hpp"
#include "rootbatch/loader/shuffle_plan.hpp"
#include "rootbatch/loader/testing/memory_source.hpp"

namespace rootbatch::testing {
namespace {

uint8_t LabelOf(LabelRule rule, int64_t entry, int64_t entries) {
  switch (rule) {
    case LabelRule::kSignal: return 1;
    case LabelRule::kBackground: return 0;
    case LabelRule::kSortedHalf: return entry * 10 < entries * 4 ? 1 : 0;
    case LabelRule::kMixed: return loader::Mix64(static_cast<uint64_t>(entry) + 17) % 3 == 0 ? 1 : 0;
  }
  return 0;
}

Result<std::unique_ptr<loader::Loader>> LoaderFor(const std::shared_ptr<const Dataset>& dataset,
                                                  loader::LoaderOptions options, int64_t budget) {
  loader::LoaderInput input;
  input.dataset = dataset;
  options.memory_budget = budget;
  return loader::Loader::Create({input}, options);
}

}  // namespace

int64_t Layout::Entries() const {
  int64_t n = 0;
  for (const LayoutFile& f : files) n += f.entries;
  return n;
}

std::shared_ptr<const Dataset> Layout::MakeDataset() const {
  std::vector<std::unique_ptr<ColumnSource>> sources;
  int64_t first = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    MemorySourceOptions options;
    options.name = name + "_" + std::to_string(i);
    options.num_entries = files[i].entries;
    options.first_event_id = first;
    options.basket_size = files[i].basket;
    options.cluster_size = files[i].cluster;
    options.num_features = 2;
    first += files[i].entries;
    sources.push_back(MakeMemorySource(options));
  }
  auto dataset = Dataset::FromSources(std::move(sources));
  return dataset.IsOk() ? *dataset : nullptr;
}

std::vector<uint8_t> Layout::Labels() const {
  std::vector<uint8_t> labels;
  labels.reserve(static_cast<size_t>(Entries()));
  for (const LayoutFile& f : files) {
    for (int64_t e = 0; e < f.entries; ++e) labels.push_back(LabelOf(f.label, e, f.entries));
  }
  return labels;
}

std::vector<Layout> LayoutSuite() {
  using enum LabelRule;
  return {
      {"signal-then-background", "make-sample's layout: two equal files, blocks of 8000 and 2000 entries",
       {{500'000, 8'000, 10'000, kSignal}, {500'000, 8'000, 10'000, kBackground}}},
      {"unequal-sorted", "three files of unequal sizes and baskets, the small one sorted by a feature",
       {{600'000, 4'000, 20'000, kBackground}, {300'000, 12'000, 12'000, kSignal},
        {100'000, 1'500, 15'000, kSortedHalf}}},
      {"tiny-among-big", "a 1 M-entry file, a file of one 1000-entry basket, a 400 k file",
       {{1'000'000, 6'000, 30'000, kBackground}, {1'000, 1'000, 1'000, kSignal},
        {400'000, 2'500, 25'000, kSignal}}},
      {"ten-sources", "ten files from 5 k to 300 k entries, classes alternating, baskets from 1 k to 6 k",
       {{300'000, 6'000, 30'000, kSignal}, {5'000, 1'000, 5'000, kBackground}, {120'000, 3'000, 12'000, kSignal},
        {80'000, 2'000, 16'000, kBackground}, {200'000, 5'000, 20'000, kBackground}, {15'000, 1'500, 15'000, kSignal},
        {60'000, 4'000, 20'000, kBackground}, {150'000, 6'000, 30'000, kSignal}, {40'000, 1'000, 10'000, kBackground},
        {30'000, 2'500, 10'000, kSignal}}},
      {"large-baskets", "baskets and clusters an eighth of the buffer, a quarter of the data signal in front",
       {{250'000, 6'250, 6'250, kSignal}, {750'000, 6'250, 6'250, kBackground}}},
      {"one-sorted-file", "one file sorted by class (the first 40 % signal), 1000-entry baskets",
       {{1'200'000, 1'000, 100'000, kSortedHalf}}},
      {"small-baskets-many-files", "four files of 1000-entry baskets, two classes in blocks of files",
       {{200'000, 1'000, 10'000, kSignal}, {200'000, 1'000, 10'000, kSignal}, {300'000, 1'000, 10'000, kBackground},
        {300'000, 1'000, 10'000, kMixed}}},
  };
}

Layout OversizedClusterLayout() {
  return {"oversized-clusters", "clusters of 200 k entries, four times a 5 % buffer",
          {{400'000, 200'000, 200'000, LabelRule::kSignal}, {400'000, 200'000, 200'000, LabelRule::kBackground}}};
}

loader::LoaderOptions LayoutOptions(uint64_t seed) {
  loader::LoaderOptions options;
  options.features = {"f0", "f1"};
  options.targets = {"label"};
  options.batch_size = 1024;
  options.num_threads = 2;
  options.seed = seed;
  return options;
}

Result<LayoutFigures> MeasureLayout(const Layout& layout, loader::LoaderOptions options, double fraction,
                                    int64_t epoch) {
  auto dataset = layout.MakeDataset();
  if (dataset == nullptr) return InvalidArgument("layout " + layout.name + ": bad files");
  const auto want = static_cast<int64_t>(fraction * static_cast<double>(layout.Entries()));
  // The buffer grows with the budget: bisect for the smallest that holds `want` rows.
  int64_t lo = loader::kMiB, hi = 4096 * loader::kMiB;
  while (hi - lo > 16 * 1024) {
    const int64_t mid = lo + (hi - lo) / 2;
    auto probe = LoaderFor(dataset, options, mid);
    if (probe.IsOk() && (*probe)->Memory().num_slots >= want) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  RB_ASSIGN_OR_RETURN(auto loader, LoaderFor(dataset, options, hi));
  RB_RETURN_IF_ERROR(loader->SetEpoch(epoch));

  const std::vector<uint8_t> labels = layout.Labels();
  double sum = 0, sum_sq = 0, positives = 0, rows = 0;
  int64_t full = 0;
  RB_RETURN_IF_ERROR(loader::ReplayBatches(*loader, [&](std::span<const int64_t> entries) {
    double ones = 0;
    for (int64_t e : entries) ones += labels[static_cast<size_t>(e)];
    positives += ones;
    rows += static_cast<double>(entries.size());
    if (static_cast<int64_t>(entries.size()) != options.batch_size) return;
    const double f = ones / static_cast<double>(entries.size());
    sum += f;
    sum_sq += f * f;
    ++full;
  }));
  RB_ASSIGN_OR_RETURN(loader::ShufflePlan plan, loader::PredictShuffle(*loader));
  const loader::ShuffleFigures& figures = plan.predicted;
  LayoutFigures out;
  out.buffer_rows = loader->Memory().num_slots;
  out.budget_bytes = hi;
  out.bins_per_batch = figures.bins_per_batch;
  out.var_ratio = figures.var_ratio;
  if (full > 1) {
    const double mean = sum / static_cast<double>(full);
    out.class_spread = std::sqrt(std::max(0.0, sum_sq / static_cast<double>(full) - mean * mean));
  }
  const double p = rows > 0 ? positives / rows : 0;
  out.class_floor = std::sqrt(p * (1 - p) / static_cast<double>(options.batch_size));
  out.decompressions_per_basket = plan.DecompressionsPerUnit();
  out.warnings = plan.warnings;
  return out;
}

}  // namespace rootbatch::testing
