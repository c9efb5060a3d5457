#include "rootbatch/loader/plan.hpp"

#include <algorithm>
#include <cmath>

#include "rootbatch/loader/rng.hpp"

namespace rootbatch::loader {
namespace {

// Boundaries of `bounds` strictly inside `range`, with the range's ends.
std::vector<int64_t> Clip(const std::vector<int64_t>& bounds, EntryRange range) {
  std::vector<int64_t> out = {range.begin};
  for (int64_t b : bounds) {
    if (b > range.begin && b < range.end) out.push_back(b);
  }
  out.push_back(range.end);
  return out;
}

// Units of `bounds` (sorted unit boundaries) that overlap any of `ranges`
// (sorted, disjoint): each unit counts once however many ranges touch it.
int64_t CountUnits(const std::vector<int64_t>& bounds, const std::vector<EntryRange>& ranges) {
  int64_t count = 0;
  size_t r = 0;
  for (size_t u = 0; u + 1 < bounds.size() && r < ranges.size(); ++u) {
    while (r < ranges.size() && ranges[r].end <= bounds[u]) ++r;
    if (r < ranges.size() && ranges[r].begin < bounds[u + 1]) ++count;
  }
  return count;
}

// The validation part of one input's entries `range` (in the input's own
// index), sorted: the range is cut into pieces of equal size on a grid that
// depends only on the range and max_piece (never on the clusters or
// baskets), seeded random pieces go to validation until it holds `need`
// entries, and the piece that crosses the share gives its first part.
std::vector<EntryRange> ValidationRanges(EntryRange range, int64_t need, int64_t max_piece, uint64_t seed) {
  const int64_t rows = range.Size();
  const int64_t piece = std::clamp<int64_t>((rows + kSplitPieces - 1) / kSplitPieces, 1, max_piece);
  const int64_t pieces = (rows + piece - 1) / piece;
  std::vector<int64_t> order(static_cast<size_t>(pieces));
  for (int64_t p = 0; p < pieces; ++p) order[static_cast<size_t>(p)] = p;
  Rng rng(seed);
  rng.Shuffle(order);
  std::vector<EntryRange> out;
  for (int64_t p : order) {
    if (need <= 0) break;
    EntryRange r{range.begin + p * piece, std::min(range.end, range.begin + (p + 1) * piece)};
    r.end = std::min(r.end, r.begin + need);
    need -= r.Size();
    out.push_back(r);
  }
  std::sort(out.begin(), out.end(), [](const EntryRange& a, const EntryRange& b) { return a.begin < b.begin; });
  std::vector<EntryRange> merged;
  for (const EntryRange& r : out) {
    if (!merged.empty() && merged.back().end == r.begin) {
      merged.back().end = r.end;
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

// The parts of `blocks` (sorted, input-local positions from `input_start`)
// inside (`inside`) or outside the sorted `ranges`.
std::vector<Block> CutBlocks(const std::vector<Block>& blocks, const std::vector<EntryRange>& ranges,
                             int64_t input_start, bool inside) {
  std::vector<Block> out;
  size_t r = 0;
  for (const Block& block : blocks) {
    const int64_t begin = block.global_begin - input_start;
    const int64_t end = begin + block.entries.Size();
    auto emit = [&](int64_t from, int64_t to) {
      if (from >= to) return;
      Block part = block;
      part.entries = {block.entries.begin + (from - begin), block.entries.begin + (to - begin)};
      part.global_begin = block.global_begin + (from - begin);
      out.push_back(part);
    };
    while (r < ranges.size() && ranges[r].end <= begin) ++r;
    int64_t at = begin;
    for (size_t k = r; k < ranges.size() && ranges[k].begin < end; ++k) {
      const int64_t lo = std::max(ranges[k].begin, begin);
      const int64_t hi = std::min(ranges[k].end, end);
      if (inside) {
        emit(lo, hi);
      } else {
        emit(at, lo);
      }
      at = hi;
    }
    if (!inside) emit(at, end);
  }
  return out;
}

}  // namespace

std::vector<int64_t> CommonBoundaries(const ColumnSource& source, const std::vector<size_t>& columns,
                                      EntryRange range) {
  std::vector<int64_t> common = Clip(source.ClusterBoundaries(), range);
  if (columns.empty()) return common;
  // A point inside the range is a block boundary if it is a cluster boundary
  // or a unit boundary of every column.
  std::vector<int64_t> shared = Clip(source.UnitBoundaries(columns[0]), range);
  for (size_t c = 1; c < columns.size(); ++c) {
    std::vector<int64_t> next = Clip(source.UnitBoundaries(columns[c]), range);
    std::vector<int64_t> both;
    std::set_intersection(shared.begin(), shared.end(), next.begin(), next.end(), std::back_inserter(both));
    shared.swap(both);
  }
  std::vector<int64_t> merged;
  std::set_union(common.begin(), common.end(), shared.begin(), shared.end(), std::back_inserter(merged));
  merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
  return merged;
}

Result<Plan> BuildPlan(const std::vector<LoaderInput>& inputs,
                       const std::vector<std::vector<std::vector<size_t>>>& column_indices,
                       const LoaderOptions& options) {
  Plan plan;
  int64_t input_start = 0;  // global index of the input's first entry
  int64_t cluster_number = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Dataset& dataset = *inputs[i].dataset;
    EntryRange wanted = inputs[i].entries.value_or(EntryRange{0, dataset.NumEntries()});
    if (wanted.begin < 0 || wanted.end > dataset.NumEntries() || wanted.begin > wanted.end) {
      return InvalidArgument("input " + std::to_string(i) + ": entry range [" + std::to_string(wanted.begin) + ", " +
                             std::to_string(wanted.end) + ") is outside its " +
                             std::to_string(dataset.NumEntries()) + " entries (" + dataset.Description() + ")");
    }
    // Basket-aligned blocks of this input, in order.
    std::vector<Block> blocks;
    plan.cut_points.emplace_back(dataset.NumFiles());
    for (size_t f = 0; f < dataset.NumFiles(); ++f) {
      const ColumnSource& file = dataset.File(f);
      int64_t start = dataset.FileStart(f);
      EntryRange local{std::max<int64_t>(wanted.begin - start, 0),
                       std::min<int64_t>(wanted.end - start, file.NumEntries())};
      if (local.begin >= local.end) continue;
      const auto& columns = column_indices[i][f];
      for (size_t c : columns) {
        std::vector<int64_t> points = Clip(file.UnitBoundaries(c), local);
        if (points.size() > plan.cut_points[i][f].size()) plan.cut_points[i][f] = std::move(points);
      }
      std::vector<int64_t> clusters = file.ClusterBoundaries();
      std::vector<int64_t> bounds = CommonBoundaries(file, columns, local);
      size_t cluster_at = 0;
      for (size_t b = 0; b + 1 < bounds.size(); ++b) {
        while (cluster_at + 1 < clusters.size() && clusters[cluster_at + 1] <= bounds[b]) ++cluster_at;
        int64_t length = bounds[b + 1] - bounds[b];
        int64_t pieces = (length + options.max_block_entries - 1) / options.max_block_entries;
        for (int64_t p = 0; p < pieces; ++p) {
          Block block;
          block.input = static_cast<int32_t>(i);
          block.file = static_cast<int32_t>(f);
          block.entries = {bounds[b] + length * p / pieces, bounds[b] + length * (p + 1) / pieces};
          block.global_begin = input_start + start + block.entries.begin;
          block.cluster = cluster_number + static_cast<int64_t>(cluster_at);
          blocks.push_back(block);
        }
      }
      cluster_number += static_cast<int64_t>(clusters.size());
    }
    int64_t rows = wanted.Size();
    plan.split_rows += rows;

    if (options.split != Split::kAll && options.validation_fraction > 0.0) {
      const int64_t need = std::llround(options.validation_fraction * static_cast<double>(rows));
      const std::vector<EntryRange> validation = ValidationRanges(
          wanted, need, options.max_block_entries, DeriveSeed(options.seed, Stream::kSplit, {i}));
      blocks = CutBlocks(blocks, validation, input_start,
                         options.split == Split::kValidation);
    }
    // Baskets under the selected entries, each counted once per column.
    for (size_t f = 0; f < dataset.NumFiles(); ++f) {
      std::vector<EntryRange> ranges;
      for (const Block& block : blocks) {
        if (block.file == static_cast<int32_t>(f)) ranges.push_back(block.entries);
      }
      if (ranges.empty()) continue;
      for (size_t c : column_indices[i][f]) plan.units += CountUnits(dataset.File(f).UnitBoundaries(c), ranges);
    }
    int64_t input_rows = 0;
    for (const auto& block : blocks) input_rows += block.entries.Size();
    plan.input_rows.push_back(input_rows);
    plan.total_rows += input_rows;
    plan.blocks.insert(plan.blocks.end(), blocks.begin(), blocks.end());
    input_start += dataset.NumEntries();
  }
  if (plan.total_rows == 0) {
    return InvalidArgument(plan.split_rows == 0 ? "the dataset is empty: the inputs select no entries"
                                                : "the selected split has no entries");
  }
  return plan;
}

}  // namespace rootbatch::loader
