// The order of one epoch: which entries, in which block order, for which
// shard. Pure index arithmetic, cheap, recomputed identically by every rank,
// worker and resumed loader from (plan, seed, epoch, options).
//
// Steps (what a strategy asks for is its OrderRules, shuffle.hpp):
//  1. Ordering units: blocks (cut into block_split pieces where the
//     strategy streams), or whole clusters (Units::kClusters, as ROOT 6.40
//     shuffles clusters).
//  2. Sampling: an input with ratio r contributes floor(r) copies of each of
//     its units plus round(frac(r) x its entries) entries more, drawn afresh
//     each epoch: seeded random whole units while they fit, then a random
//     run of entries of one more unit. So an input contributes exactly
//     round(r x its entries) entries to the epoch, whatever its block count.
//  3. Streaming strategies: the units are cut into pieces of at most PieceEntries
//     entries (short enough that the shuffle buffer mixes about
//     pieces_per_buffer of them, and no longer than one read may hold), and
//     the pieces are what is ordered. The figures of a streaming shuffle
//     depend on how many pieces from distant parts of the data the buffer
//     holds, not on how large the file's blocks happen to be: with whole
//     blocks, a file of 8000-entry baskets and a 50 k-row buffer mixed six
//     blocks at a time, and batches drew from 40-60 of 100 percentiles.
//  4. Order: global order (Placement::kInOrder); a random permutation
//     (kPermuted); or, where the strategy streams and stratify is on, a stratified
//     low-discrepancy order: the position-sorted units are grouped into
//     strata of about kUnitsPerStratum that never straddle two files, each
//     stratum is shuffled and then sorted by size, and each round (rounds
//     in random order) takes the next unit of every stratum in the order of
//     a golden-ratio sequence from a random offset, so that consecutive
//     units come from far apart in the dataset, have about the same size,
//     and any window of the stream spans all of the dataset in proportion.
//  5. Sharding: the epoch's rows are cut into world_size x num_workers equal
//     contiguous parts of q = floor(rows / shards) rows; shard
//     rank x num_workers + worker_id gets part number shard. The last
//     rows mod shards rows of the order are left out this epoch (a different
//     random set each epoch), so every shard yields the same number of rows
//     and therefore of batches.
//  6. Runs longer than turn_entries are cut into turns (the budget's limit,
//     independent of the thread count: MemoryPlan::turn_entries); streaming
//     pieces are never longer.
//  7. Turns longer than read_entries are read in consecutive pieces (more
//     workers leave less room per read); this never moves a row in the
//     stream, so batches do not depend on the thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "rootbatch/loader/options.hpp"
#include "rootbatch/loader/plan.hpp"

namespace rootbatch::loader {

inline constexpr int64_t kUnitsPerStratum = 4;

// A run of entries of one file that the shard reads, in stream order.
struct Segment {
  int32_t input = 0;
  int32_t file = 0;
  EntryRange entries;
  int64_t global_begin = 0;
};

struct EpochOrder {
  std::vector<Segment> segments;
  std::vector<int64_t> starts;  // stream position of each segment's first row; back() == rows
  int64_t epoch_rows = 0;       // rows of the whole epoch (all shards)
  int64_t left_out = 0;         // rows of the epoch no shard yields (epoch_rows mod shards)

  int64_t Rows() const { return starts.back(); }
  // Index of the segment holding stream position `position`.
  size_t SegmentOf(int64_t position) const;
  int64_t GlobalIndex(int64_t position) const;
};

// `read_entries` <= 0 reads each turn whole; `piece_entries` > 0 (streaming
// strategies) cuts units into pieces of at most that many entries before ordering them
// (PieceEntries: the buffer's share of one piece).
EpochOrder BuildEpochOrder(const Plan& plan, const std::vector<LoaderInput>& inputs, const LoaderOptions& options,
                           int64_t epoch, int64_t turn_entries, int64_t read_entries = 0, int64_t piece_entries = 0);

// Streaming strategies: the longest piece the order places: a turn (what the budget lets
// one read hold), and short enough that the shuffle buffer holds
// options.pieces_per_buffer of them (no second limit when that is 0).
// 0 for the other strategies (no cut).
int64_t PieceEntries(const LoaderOptions& options, int64_t buffer_rows, int64_t turn_entries);

}  // namespace rootbatch::loader
