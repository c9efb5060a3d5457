// "auto" standardisation: the center and scale of each such transform from
// a seeded sample of the training split, computed once when a loader is
// created. The sample depends only on the data, the seed, the validation
// fraction, max_block_entries and preprocessing_sample (never on the split a
// loader serves, its shard, threads or budget), so a training and a
// validation loader, every DDP rank and every worker get the same numbers.
#pragma once

#include <cstdint>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/loader/layout.hpp"
#include "rootbatch/loader/options.hpp"

namespace rootbatch::loader {

// Longest sampled window: windows are cut from the training blocks (which
// start and end on basket and cluster boundaries), shuffled, and read until
// preprocessing_sample entries are in. Windows as long as a block read each
// basket they touch whole and once; shorter ones would decompress a basket
// for a fraction of its entries (a 512-entry window of 10000-entry baskets
// read 20 times the bytes it used).
inline constexpr int64_t kScalingWindow = 16384;

// Sets center (the sample's mean) and scale (its standard deviation; 1 where
// that is 0 or undefined) of every kAuto transform in `layout`, over the
// values the transform would standardise (after fill_nan and log; for
// jagged columns every item of the sampled entries, before truncation).
// `sampled_entries` receives the entries read.
Status ComputeAutoScaling(const std::vector<LoaderInput>& inputs,
                          const std::vector<std::vector<std::vector<size_t>>>& indices, const LoaderOptions& options,
                          RowLayout* layout, int64_t* sampled_entries);

}  // namespace rootbatch::loader
