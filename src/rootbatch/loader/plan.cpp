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

int64_t CountUnits(const std::vector<int64_t>& bounds, EntryRange range) {
  int64_t count = 0;
  for (size_t u = 0; u + 1 < bounds.size(); ++u) {
    if (bounds[u] < range.end && bounds[u + 1] > range.begin) ++count;
  }
  return count;
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
    for (size_t f = 0; f < dataset.NumFiles(); ++f) {
      const ColumnSource& file = dataset.File(f);
      int64_t start = dataset.FileStart(f);
      EntryRange local{std::max<int64_t>(wanted.begin - start, 0),
                       std::min<int64_t>(wanted.end - start, file.NumEntries())};
      if (local.begin >= local.end) continue;
      const auto& columns = column_indices[i][f];
      for (size_t c : columns) plan.baskets += CountUnits(file.UnitBoundaries(c), local);
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
    input_start += dataset.NumEntries();
    int64_t rows = wanted.Size();
    plan.split_rows += rows;

    if (options.split != Split::kAll && options.validation_fraction > 0.0) {
      // Seeded random blocks go to validation until it holds its share; the
      // block that crosses the share is cut, its first part to validation.
      int64_t need = std::llround(options.validation_fraction * static_cast<double>(rows));
      std::vector<size_t> order(blocks.size());
      for (size_t b = 0; b < order.size(); ++b) order[b] = b;
      Rng rng(DeriveSeed(options.seed, Stream::kSplit, {i}));
      rng.Shuffle(order);
      std::vector<char> in_validation(blocks.size(), 0);
      std::vector<Block> extra;  // the pieces of the cut block
      for (size_t b : order) {
        if (need <= 0) break;
        Block& block = blocks[b];
        if (block.entries.Size() <= need) {
          in_validation[b] = 1;
          need -= block.entries.Size();
        } else {
          Block first = block;
          first.entries.end = block.entries.begin + need;
          block.entries.begin = first.entries.end;
          block.global_begin += need;
          if (options.split == Split::kValidation) extra.push_back(first);
          need = 0;
        }
      }
      std::vector<Block> kept;
      bool want_validation = options.split == Split::kValidation;
      for (size_t b = 0; b < blocks.size(); ++b) {
        if ((in_validation[b] != 0) == want_validation) kept.push_back(blocks[b]);
      }
      kept.insert(kept.end(), extra.begin(), extra.end());
      std::sort(kept.begin(), kept.end(), [](const Block& a, const Block& b) { return a.global_begin < b.global_begin; });
      blocks.swap(kept);
    }
    int64_t input_rows = 0;
    for (const auto& block : blocks) input_rows += block.entries.Size();
    plan.input_rows.push_back(input_rows);
    plan.total_rows += input_rows;
    plan.blocks.insert(plan.blocks.end(), blocks.begin(), blocks.end());
  }
  if (plan.total_rows == 0) {
    return InvalidArgument(plan.split_rows == 0 ? "the dataset is empty: the inputs select no entries"
                                                : "the selected split has no entries");
  }
  return plan;
}

}  // namespace rootbatch::loader
