#include "rootbatch/loader/shuffle_plan.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

#include "rootbatch/loader/loader.hpp"
#include "rootbatch/loader/shuffle.hpp"

namespace rootbatch::loader {
namespace {

struct Cluster {
  int64_t entries = 0;
  std::string file;
};

Cluster LargestCluster(const Loader& loader) {
  Cluster largest;
  for (const LoaderInput& input : loader.Inputs()) {
    for (size_t f = 0; f < input.dataset->NumFiles(); ++f) {
      const ColumnSource& source = input.dataset->File(f);
      const std::vector<int64_t> bounds = source.ClusterBoundaries();
      for (size_t i = 0; i + 1 < bounds.size(); ++i) {
        if (bounds[i + 1] - bounds[i] > largest.entries) {
          largest = {bounds[i + 1] - bounds[i], source.Description()};
        }
      }
    }
  }
  return largest;
}

std::string Format(const char* format, auto... values) {
  char text[512];
  std::snprintf(text, sizeof(text), format, values...);
  return text;
}

std::string ClusterText(const Cluster& cluster, int64_t buffer_rows) {
  return Format("clusters of up to %lld entries (%s) are larger than the shuffle buffer (%lld rows)",
                static_cast<long long>(cluster.entries), cluster.file.c_str(), static_cast<long long>(buffer_rows));
}

constexpr const char* kRemedy =
    "raise the memory budget, or write a pre-shuffled copy once (`rootbatch shuffle`, or "
    "rootbatch.shuffle() in Python), which scores like a full shuffle at any budget";

// Units each read of `order` decompresses, and the distinct units under the
// order's rows, over every selected column.
void CountUnits(const Loader& loader, const EpochOrder& order, ShufflePlan* plan) {
  const BlockReader& reader = loader.Reader();
  // Boundaries and a seen-mark per (input, file, route), built on first use.
  struct Marks {
    std::vector<int64_t> bounds;
    std::vector<uint8_t> seen;
  };
  std::map<std::tuple<int32_t, int32_t, size_t>, Marks> marks;
  for (const Segment& segment : order.segments) {
    const std::vector<size_t>& columns = reader.ColumnsOf(segment);
    for (size_t route = 0; route < columns.size(); ++route) {
      auto [it, fresh] = marks.try_emplace({segment.input, segment.file, route});
      if (fresh) {
        it->second.bounds = reader.Source(segment).UnitBoundaries(columns[route]);
        it->second.seen.assign(it->second.bounds.size(), 0);
      }
      const std::vector<int64_t>& b = it->second.bounds;
      auto first = std::upper_bound(b.begin(), b.end(), segment.entries.begin) - b.begin() - 1;
      auto last = std::lower_bound(b.begin(), b.end(), segment.entries.end) - b.begin();
      for (auto u = std::max<std::ptrdiff_t>(first, 0); u < last; ++u) {
        ++plan->units_read;
        uint8_t& seen = it->second.seen[static_cast<size_t>(u)];
        plan->units += seen == 0;
        seen = 1;
      }
    }
  }
}

}  // namespace

std::string ClusterWarning(const Loader& loader) {
  if (!ShuffleOf(loader.Options().shuffle).Mixes()) return "";
  const Cluster cluster = LargestCluster(loader);
  const int64_t buffer = loader.Memory().num_slots;
  if (cluster.entries <= buffer || loader.Epoch().rows <= buffer) return "";
  return ClusterText(cluster, buffer) + ": batches may draw from few regions of the data; " +
         "the loader's shuffle_plan gives the figures this epoch will have; " + kRemedy;
}

Status ReplayBatches(const Loader& loader, const std::function<void(std::span<const int64_t>)>& batch) {
  const EpochOrder& order = loader.Order();
  const ScheduleParams params{loader.Memory().num_slots, static_cast<int64_t>(loader.Layout().slot_stride),
                              loader.Options().batch_size, loader.Epoch().num_batches,
                              loader.SlotSeed(loader.Epoch().epoch)};
  std::vector<int64_t> entries;
  return ShuffleOf(loader.Options().shuffle).Replay(order, params, [&](std::span<const int64_t> positions) {
    entries.clear();
    for (int64_t position : positions) entries.push_back(order.GlobalIndex(position));
    batch(entries);
  });
}

Result<ShufflePlan> PredictShuffle(const Loader& loader) {
  const EpochOrder& order = loader.Order();
  const LoaderOptions& options = loader.Options();
  const EpochInfo& info = loader.Epoch();
  ShufflePlan plan;
  plan.epoch = info.epoch;
  plan.rows = order.Rows();
  plan.batch_size = options.batch_size;
  plan.buffer_rows = std::min(loader.Memory().num_slots, plan.rows);
  plan.segments = static_cast<int64_t>(order.segments.size());
  plan.mean_segment_rows = plan.segments > 0 ? static_cast<double>(plan.rows) / static_cast<double>(plan.segments) : 0;
  plan.segments_per_buffer =
      plan.mean_segment_rows > 0 ? static_cast<double>(plan.buffer_rows) / plan.mean_segment_rows : 0;
  plan.piece_entries = PieceEntries(options, loader.Memory().num_slots, loader.Memory().turn_entries);
  CountUnits(loader, order, &plan);
  const Cluster cluster = LargestCluster(loader);
  plan.largest_cluster = cluster.entries;
  plan.largest_cluster_file = cluster.file;

  int64_t global_entries = 0;  // the index space of the figures, as `rootbatch bench` counts it
  for (const LoaderInput& input : loader.Inputs()) global_entries += input.dataset->NumEntries();
  ShuffleMetrics metrics(std::max<int64_t>(global_entries, 1), options.batch_size);

  auto replayed = ReplayBatches(loader, [&](std::span<const int64_t> entries) { metrics.AddBatch(entries); });
  if (!replayed.IsOk()) return replayed;
  plan.predicted = metrics.Finish();

  if (!ShuffleOf(options.shuffle).Mixes()) return plan;
  if (plan.predicted.full_batches > 0 &&
      (plan.predicted.bins_per_batch < kWarnBinsPerBatch || plan.predicted.var_ratio > kWarnVarRatio)) {
    plan.warnings.push_back(Format("this epoch's batches draw from %.1f of 100 percentiles of the data on average "
                                   "(var_ratio %.1f; a full shuffle gives 100 and 1): ",
                                   plan.predicted.bins_per_batch, plan.predicted.var_ratio) +
                            kRemedy);
  }
  if (cluster.entries > plan.buffer_rows && plan.rows > plan.buffer_rows) {
    plan.warnings.push_back(ClusterText(cluster, plan.buffer_rows) +
                            Format(" (predicted bins/batch %.1f, var_ratio %.2f, %.1f decompressions per basket): ",
                                   plan.predicted.bins_per_batch, plan.predicted.var_ratio,
                                   plan.DecompressionsPerUnit()) +
                            kRemedy);
  }
  if (plan.DecompressionsPerUnit() > kWarnDecompressions) {
    plan.warnings.push_back(
        Format("the shuffle decompresses each basket %.1f times this epoch: baskets are longer than the "
               "pieces of %lld entries the buffer mixes (pieces_per_buffer %d); ",
               plan.DecompressionsPerUnit(), static_cast<long long>(plan.piece_entries), options.pieces_per_buffer) +
        "a lower pieces_per_buffer reads less at some cost in mixing; or " + kRemedy);
  }
  return plan;
}

std::string ShufflePlan::Describe() const {
  std::string text = Format(
      "epoch %lld: %lld rows through a buffer of %lld rows (%.1f reads of %.0f rows on average in it)\n"
      "predicted bins/batch %.1f, var_ratio %.2f, spearman %+.4f (full shuffle: 100, 1, 0)\n"
      "baskets decompressed %lld for %lld under the epoch's rows (%.2f each)\n",
      static_cast<long long>(epoch), static_cast<long long>(rows), static_cast<long long>(buffer_rows),
      segments_per_buffer, mean_segment_rows, predicted.bins_per_batch, predicted.var_ratio, predicted.spearman,
      static_cast<long long>(units_read), static_cast<long long>(units), DecompressionsPerUnit());
  for (const std::string& w : warnings) text += "warning: " + w + "\n";
  return text;
}

}  // namespace rootbatch::loader
