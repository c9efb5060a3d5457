// Class reweighting (Reweighting, options.hpp): the training split's
// per-class histograms in one or two variables, the per-(class, bin)
// weights they give, and each event's class and bin. The table is filled
// once, when a loader is made, in one pass over the training split; the
// workers then look each event's weight up (weights mode), or the loader
// keeps a seeded subset of events (sample mode, loader.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/loader/layout.hpp"
#include "rootbatch/loader/options.hpp"

namespace rootbatch::loader {

struct ReweightTable {
  std::vector<std::vector<double>> edges;  // per variable
  int64_t num_bins = 0;                    // product of the variables' bin counts
  int64_t num_classes = 0;
  std::vector<int64_t> counts;             // [class * num_bins + bin]: the training split's histograms
  std::vector<double> weights;             // [class * num_bins + bin]
  double max_weight = 0.0;

  // The bin of an event's variable values (out-of-range values in the end bins).
  int64_t BinOf(std::span<const double> values) const;
  // Fills `weights` from `counts`: flat spectra (reference < 0) or the
  // reference class's, each class's total weight the same (events / classes).
  void ComputeWeights(int64_t reference);
};

// The class of row `row` from one-hot columns (`routes`, in class order):
// the index of the one that is nonzero; an error naming the entry
// (`first_entry` + row) and the columns where not exactly one is.
Status OneHotClass(const RowLayout& layout, std::span<const size_t> routes, std::span<const Column> columns,
                   int64_t row, int64_t first_entry, int64_t* index);

// Reads, for rows [begin, end) of a block, each row's class (the one-hot
// column that is nonzero) and bin; fails, naming the entry and the columns,
// where not exactly one class column is set. `columns` are the block's
// columns by route; `first_entry` the block's first entry in its file.
Status ClassesAndBins(const RowLayout& layout, const ReweightTable& table, std::span<const Column> columns,
                      int64_t begin, int64_t end, int64_t first_entry, std::vector<int64_t>* classes,
                      std::vector<int64_t>* bins);

// Checks a reweighting's shape (options.hpp has its meaning).
Status CheckReweighting(const Reweighting& reweighting);

}  // namespace rootbatch::loader
