// The layout suite: chained datasets laid out the ways real training data
// is (a signal file then a background file, files of very unequal sizes,
// sorted skims, a tiny file among big ones, many sources, baskets and
// clusters of different sizes per file), and the shuffle figures a loader
// gives on each at a budget stated as a fraction of the data. The sources
// are MemorySources and the figures come from replaying the epoch on
// positions (ReplayBatches), so a layout of a million entries costs well
// under a second and reads no data. Shared by loader tests (the targets)
// and bench/shuffle_layouts (the table in docs/benchmarks.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/frame/dataset.hpp"
#include "rootbatch/loader/options.hpp"

namespace rootbatch::testing {

// How a file's entries are labelled (the class the loader should mix).
enum class LabelRule {
  kSignal,      // every entry 1
  kBackground,  // every entry 0
  kSortedHalf,  // sorted by a feature the class depends on: the first 40 % are 1
  kMixed,       // 1 for one entry in three, scattered (a hash of the index)
};

struct LayoutFile {
  int64_t entries = 0;
  int64_t basket = 0;   // entries per basket (every column)
  int64_t cluster = 0;  // entries per cluster
  LabelRule label = LabelRule::kBackground;
};

struct Layout {
  std::string name;
  std::string what;  // one line: why this layout is hard
  std::vector<LayoutFile> files;

  int64_t Entries() const;
  std::shared_ptr<const Dataset> MakeDataset() const;
  // Class of each global entry index.
  std::vector<uint8_t> Labels() const;
};

// The suite of docs/benchmarks.md.
std::vector<Layout> LayoutSuite();
// Clusters larger than a 5 % buffer: the loader must say so before the epoch.
Layout OversizedClusterLayout();

struct LayoutFigures {
  int64_t buffer_rows = 0;
  int64_t budget_bytes = 0;
  double bins_per_batch = 0;
  double var_ratio = 0;                // of the entry position, a feature sorted along the chain
  double class_spread = 0;             // standard deviation of the per-batch class fraction
  double class_floor = 0;              // sqrt(p (1 - p) / batch): a full shuffle's
  double decompressions_per_basket = 0;  // baskets the epoch's reads decompress / baskets under its rows
  std::vector<std::string> warnings;     // the shuffle plan's
  double SpreadRatio() const { return class_floor > 0 ? class_spread / class_floor : 0; }
};

// The smallest budget whose shuffle buffer holds at least `fraction` of the
// layout's entries, then the figures of `epoch` with `options` (features,
// batch size, seed, strategy; the budget is set here).
Result<LayoutFigures> MeasureLayout(const Layout& layout, loader::LoaderOptions options, double fraction,
                                    int64_t epoch);

// Options the suite runs with: two float features, batch 1024, seed `seed`.
loader::LoaderOptions LayoutOptions(uint64_t seed);

}  // namespace rootbatch::testing
