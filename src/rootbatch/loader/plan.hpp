// The chunk planner: cuts the inputs into blocks, the units that the split,
// the shuffle and the reads work in, and assigns each block to the training
// or the validation split.
//
// A block is a run of entries of one file that starts and ends on a basket
// boundary of EVERY selected column (and on cluster boundaries), so a block
// never shares a basket with another block and reading each block once reads
// each basket once. Runs longer than max_block_entries are cut evenly.
//
// The split depends only on the seed, the validation fraction, the data's
// entry counts and max_block_entries: never on the clusters or baskets, the
// selected columns, the batch size, the budget, the threads, the shuffle
// strategy or the shard, so a training and a validation loader built with
// the same seed never overlap, and a one-cluster file splits as randomly as
// a many-cluster one. Each input's entries are cut into kSplitPieces equal
// pieces (at most max_block_entries entries each, at least 1), and
// round(fraction x its entries) entries go to validation: seeded random
// pieces plus the first part of one more. Blocks are cut where they cross a
// piece boundary of the split (a basket there is read by both loaders).
#pragma once

#include <cstdint>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/loader/options.hpp"

namespace rootbatch::loader {

// Pieces an input's entries are cut into for the train/validation split
// (fewer when the input has fewer entries, more when the pieces would
// exceed max_block_entries).
inline constexpr int64_t kSplitPieces = 128;

struct Block {
  int32_t input = 0;
  int32_t file = 0;
  EntryRange entries;       // within the file
  int64_t global_begin = 0; // global entry index of entries.begin
  int64_t cluster = 0;      // global cluster number (for the cluster-chunks strategy)
};

struct Plan {
  std::vector<Block> blocks;          // the selected split, in global order
  std::vector<int64_t> input_rows;    // entries per input in the selected split
  int64_t total_rows = 0;
  int64_t split_rows = 0;             // entries of the inputs' ranges before the split
  int64_t units = 0;                  // storage units (baskets, pages) of the selected columns under the selected entries, once each
  // cut_points[input][file]: the entries (of the file) where the storage
  // units of its finest selected column begin. A streaming order cuts
  // blocks into pieces there where it can, so that the column with the most
  // baskets (in practice the heaviest) has each basket read by one piece,
  // not decompressed again by the next.
  std::vector<std::vector<std::vector<int64_t>>> cut_points;
};

// `column_indices[input][file]` lists the selected columns' indices.
Result<Plan> BuildPlan(const std::vector<LoaderInput>& inputs,
                       const std::vector<std::vector<std::vector<size_t>>>& column_indices,
                       const LoaderOptions& options);

// Boundaries shared by every listed column (and the clusters) inside `range`,
// including range.begin and range.end. Exposed for tests.
std::vector<int64_t> CommonBoundaries(const ColumnSource& source, const std::vector<size_t>& columns,
                                      EntryRange range);

}  // namespace rootbatch::loader
