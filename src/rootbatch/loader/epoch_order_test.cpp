#include "rootbatch/loader/epoch_order.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "rootbatch/loader/testing/loader_fixtures.hpp"

namespace rootbatch::loader {
namespace {

Plan UniformPlan(int64_t blocks, int64_t size) {
  Plan plan;
  for (int64_t b = 0; b < blocks; ++b) {
    Block block;
    block.entries = {b * size, (b + 1) * size};
    block.global_begin = b * size;
    block.cluster = b / 4;
    plan.blocks.push_back(block);
  }
  plan.total_rows = blocks * size;
  plan.input_rows = {plan.total_rows};
  return plan;
}

std::vector<LoaderInput> OneInput() { return std::vector<LoaderInput>(1); }

std::vector<int64_t> Rows(const EpochOrder& order) {
  std::vector<int64_t> rows;
  for (int64_t p = 0; p < order.Rows(); ++p) rows.push_back(order.GlobalIndex(p));
  return rows;
}

TEST(EpochOrderTest, ShardsSplitTheEpochEvenly) {
  Plan plan = UniformPlan(50, 100);
  plan.blocks.back().entries.end -= 7;  // 4993 rows
  plan.total_rows -= 7;
  for (int shards : {1, 2, 3, 7}) {
    std::vector<int64_t> all;
    for (int s = 0; s < shards; ++s) {
      LoaderOptions options;
      options.world_size = shards;
      options.rank = s;
      EpochOrder order = BuildEpochOrder(plan, OneInput(), options, 0, 1000);
      EXPECT_EQ(order.Rows(), 4993 / shards);
      EXPECT_EQ(order.left_out, 4993 % shards);
      auto rows = Rows(order);
      all.insert(all.end(), rows.begin(), rows.end());
    }
    std::sort(all.begin(), all.end());
    EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());
    EXPECT_EQ(static_cast<int64_t>(all.size()), 4993 - 4993 % shards);
  }
}

TEST(EpochOrderTest, StratifiedOrderSpreadsNeighbours) {
  Plan plan = UniformPlan(400, 10);
  LoaderOptions options;
  options.seed = 3;
  EpochOrder order = BuildEpochOrder(plan, OneInput(), options, 0, 1000);
  ASSERT_EQ(order.segments.size(), 400u);
  // A permutation of the blocks...
  std::vector<int64_t> begins;
  for (const auto& s : order.segments) begins.push_back(s.global_begin);
  std::vector<int64_t> sorted = begins;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t b = 0; b < 400; ++b) ASSERT_EQ(sorted[static_cast<size_t>(b)], b * 10);
  // ...in which any 20 consecutive blocks span most of the data.
  for (size_t w = 0; w + 20 <= begins.size(); w += 20) {
    std::vector<int64_t> window(begins.begin() + static_cast<std::ptrdiff_t>(w),
                                begins.begin() + static_cast<std::ptrdiff_t>(w + 20));
    int64_t quarters[4] = {0, 0, 0, 0};
    for (int64_t b : window) ++quarters[b * 4 / 4000];
    for (int64_t q : quarters) EXPECT_GE(q, 3) << "window at " << w;
  }
  // Another epoch, another order; plain permutation without stratify.
  EpochOrder next = BuildEpochOrder(plan, OneInput(), options, 1, 1000);
  EXPECT_NE(Rows(next), Rows(order));
  options.stratify = false;
  EXPECT_NE(Rows(BuildEpochOrder(plan, OneInput(), options, 0, 1000)), Rows(order));
}

// Blocks of unequal size, as when baskets do not divide clusters (sizes
// cycling 8, 2, 6, 4, 4, 6, 2, 8 hundred entries). A window of the stream
// must hold about as many entries of the first half of the data (a signal
// file, say) as of the second: pairing blocks of unequal size made the
// first half's share swing far more (standard deviation 0.07-0.08 here,
// against 0.02 with blocks of equal size paired).
TEST(EpochOrderTest, StratifiedOrderBalancesEntriesNotJustBlocks) {
  const int64_t sizes[8] = {800, 200, 600, 400, 400, 600, 200, 800};
  Plan plan;
  int64_t at = 0;
  for (int64_t b = 0; b < 400; ++b) {
    Block block;
    block.entries = {at, at + sizes[b % 8]};
    block.global_begin = at;
    block.cluster = b / 2;
    plan.blocks.push_back(block);
    at += sizes[b % 8];
  }
  plan.total_rows = at;
  plan.input_rows = {at};
  const int64_t half = at / 2;
  const int64_t window = 32000;  // about 64 blocks, what the buffer holds (pieces_per_buffer)
  for (uint64_t seed : {1u, 2u, 3u, 4u}) {
    LoaderOptions options;
    options.seed = seed;
    const std::vector<int64_t> rows = Rows(BuildEpochOrder(plan, OneInput(), options, 0, 100000));
    double sum = 0, sum_squares = 0;
    int64_t windows = 0;
    for (size_t w = 0; w + window <= rows.size(); w += window / 2) {
      int64_t first_half = 0;
      for (size_t i = w; i < w + window; ++i) first_half += rows[i] < half;
      const double share = static_cast<double>(first_half) / window;
      sum += share;
      sum_squares += share * share;
      ++windows;
    }
    const double mean = sum / static_cast<double>(windows);
    const double sd = std::sqrt(sum_squares / static_cast<double>(windows) - mean * mean);
    EXPECT_LT(sd, 0.03) << "seed " << seed;  // blocks in random order: about 0.06
  }
}

TEST(EpochOrderTest, ClusterChunksKeepClustersTogether) {
  Plan plan = UniformPlan(40, 25);  // clusters of 4 blocks
  LoaderOptions options;
  options.shuffle = ShuffleStrategy::kClusterChunks;
  EpochOrder order = BuildEpochOrder(plan, OneInput(), options, 0, 1000);
  auto rows = Rows(order);
  for (size_t c = 0; c < 10; ++c) {
    int64_t first = rows[c * 100];
    ASSERT_EQ(first % 100, 0);
    for (size_t i = 0; i < 100; ++i) ASSERT_EQ(rows[c * 100 + i], first + static_cast<int64_t>(i));
  }
}

TEST(EpochOrderTest, LongBlocksAreCutToTheTurnSize) {
  Plan plan = UniformPlan(3, 1000);
  LoaderOptions options;
  options.shuffle = ShuffleStrategy::kNone;
  EpochOrder order = BuildEpochOrder(plan, OneInput(), options, 0, 300);
  EXPECT_EQ(order.segments.size(), 12u);
  for (const auto& s : order.segments) EXPECT_LE(s.entries.Size(), 300);
  std::vector<int64_t> expected(3000);
  for (int64_t i = 0; i < 3000; ++i) expected[static_cast<size_t>(i)] = i;
  EXPECT_EQ(Rows(order), expected);
}

TEST(EpochOrderTest, ReadingTurnsInPiecesMovesNoRow) {
  Plan plan = UniformPlan(8, 100);
  LoaderOptions options;
  options.seed = 5;
  const EpochOrder whole = BuildEpochOrder(plan, OneInput(), options, 0, 25);
  const EpochOrder pieces = BuildEpochOrder(plan, OneInput(), options, 0, 25, 10);
  EXPECT_EQ(whole.segments.size(), 32u);
  EXPECT_EQ(pieces.segments.size(), 96u);  // each turn of 25 as 10 + 10 + 5
  for (const auto& s : pieces.segments) EXPECT_LE(s.entries.Size(), 10);
  EXPECT_EQ(Rows(pieces), Rows(whole));
}

// Pieces end where the finest column's baskets do, when a basket boundary
// lies within half a piece of the cut: each basket of that column is then
// read by one piece, not decompressed again by the next.
TEST(EpochOrderTest, PiecesEndOnTheFinestColumnsBaskets) {
  Plan plan = UniformPlan(4, 10000);
  std::vector<int64_t> baskets;  // 145-entry baskets, as a 32 kB basket of particles holds
  for (int64_t at = 0; at <= 40000; at += 145) baskets.push_back(at);
  plan.cut_points = {{baskets}};
  LoaderOptions options;
  options.seed = 7;
  const EpochOrder order = BuildEpochOrder(plan, OneInput(), options, 0, 5000, 0, 140);
  int64_t rows = 0;
  int64_t unaligned = 0;
  for (const Segment& s : order.segments) {
    rows += s.entries.Size();
    EXPECT_LE(s.entries.Size(), 210) << s.entries.begin;  // 1.5 x the piece limit
    for (int64_t edge : {s.entries.begin, s.entries.end}) {
      if (edge % 10000 != 0 && !std::binary_search(baskets.begin(), baskets.end(), edge)) ++unaligned;
    }
  }
  EXPECT_EQ(rows, 40000);
  EXPECT_EQ(unaligned, 0);
  std::vector<int64_t> all = Rows(order);
  std::sort(all.begin(), all.end());
  for (int64_t i = 0; i < 40000; ++i) ASSERT_EQ(all[static_cast<size_t>(i)], i);
  // Without cut points: equal pieces of at most 140, most of them across a basket boundary.
  plan.cut_points.clear();
  for (const Segment& s : BuildEpochOrder(plan, OneInput(), options, 0, 5000, 0, 140).segments) {
    EXPECT_LE(s.entries.Size(), 140);
  }
}

TEST(EpochOrderTest, CutBlocksArePlacedAsPieces) {
  Plan plan = UniformPlan(8, 100);
  LoaderOptions options;
  options.seed = 5;
  // A turn of 25 entries cuts every block into 4 pieces, each placed by the
  // stratified order on its own: a block's pieces spread over the stream,
  // consecutive segments of one block only where a round of the order ends
  // and the next begins with the same stratum (4 rounds here).
  EpochOrder order = BuildEpochOrder(plan, OneInput(), options, 0, 25);
  ASSERT_EQ(order.segments.size(), 32u);
  std::vector<std::vector<size_t>> where(8);
  int adjacent = 0;
  for (size_t i = 0; i < order.segments.size(); ++i) {
    const Segment& s = order.segments[i];
    EXPECT_EQ(s.entries.Size(), 25);
    where[static_cast<size_t>(s.global_begin / 100)].push_back(i);
    if (i > 0) adjacent += s.global_begin / 100 == order.segments[i - 1].global_begin / 100;
  }
  EXPECT_LE(adjacent, 3);
  for (const auto& at : where) {
    ASSERT_EQ(at.size(), 4u);
    EXPECT_GE(at.back() - at.front(), 8u);  // not bunched together
  }
  // A piece limit below the turn cuts finer: 10 pieces of 10 per block.
  EpochOrder finer = BuildEpochOrder(plan, OneInput(), options, 0, 25, 0, 10);
  EXPECT_EQ(finer.segments.size(), 80u);
  // Every row once, whatever the interleaving.
  auto rows = Rows(order);
  std::sort(rows.begin(), rows.end());
  for (int64_t i = 0; i < 800; ++i) ASSERT_EQ(rows[static_cast<size_t>(i)], i);
  // ROOT's strategy keeps a cluster's rows together: no turns.
  options.shuffle = ShuffleStrategy::kClusterChunks;
  EpochOrder chunks = BuildEpochOrder(plan, OneInput(), options, 0, 25);
  for (size_t i = 0; i + 1 < chunks.segments.size(); ++i) {
    if (chunks.segments[i].global_begin % 100 != 75) {
      EXPECT_EQ(chunks.segments[i + 1].global_begin, chunks.segments[i].global_begin + 25);
    }
  }
}

TEST(EpochOrderTest, BlockSplitPlacesPiecesIndependently) {
  Plan plan = UniformPlan(100, 100);
  LoaderOptions options;
  options.block_split = 4;
  EpochOrder order = BuildEpochOrder(plan, OneInput(), options, 0, 1000);
  EXPECT_EQ(order.segments.size(), 400u);
  for (const auto& s : order.segments) EXPECT_EQ(s.entries.Size(), 25);
  auto rows = Rows(order);
  std::sort(rows.begin(), rows.end());
  for (int64_t i = 0; i < 10000; ++i) ASSERT_EQ(rows[static_cast<size_t>(i)], i);
}

}  // namespace
}  // namespace rootbatch::loader
