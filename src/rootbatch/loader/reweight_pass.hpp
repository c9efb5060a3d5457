// The passes over the data that class reweighting needs when a loader is
// made: the training split's histograms (the table), and, in sample mode,
// the events kept (each with probability weight / largest weight, decided
// by a seeded hash of its global entry, so the same events for a seed).
#pragma once

#include <memory>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/loader/layout.hpp"
#include "rootbatch/loader/options.hpp"
#include "rootbatch/loader/reweight.hpp"

namespace rootbatch::loader {

using ColumnIndices = std::vector<std::vector<std::vector<size_t>>>;

// Histograms of the training split (the loader's seed and validation
// fraction; the whole data without one) and the weights they give.
Result<std::shared_ptr<const ReweightTable>> FillReweightTable(const std::vector<LoaderInput>& inputs,
                                                               const ColumnIndices& indices,
                                                               const LoaderOptions& options, const RowLayout& layout);

// The inputs restricted to the kept events of the loader's split (each
// file a SubsetSource); `considered` and `kept` count them.
Result<std::vector<LoaderInput>> KeepByWeight(const std::vector<LoaderInput>& inputs, const ColumnIndices& indices,
                                              const LoaderOptions& options, const RowLayout& layout,
                                              int64_t* considered, int64_t* kept);

}  // namespace rootbatch::loader
