#include "rootbatch/loader/shuffle_plan.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

#include "rootbatch/loader/loader.hpp"
#include "rootbatch/loader/slot_schedule.hpp"

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
  if (loader.Options().shuffle == ShuffleStrategy::kNone) return "";
  const Cluster cluster = LargestCluster(loader);
  const int64_t buffer = loader.Memory().num_slots;
  if (cluster.entries <= buffer || loader.Epoch().rows <= buffer) return "";
  return ClusterText(cluster, buffer) + ": batches may draw from few regions of the data; " +
         "the loader's shuffle_plan gives the figures this epoch will have; " + kRemedy;
}

Status ReplayBatches(const Loader& loader, const std::function<void(std::span<const int64_t>)>& batch) {
  const EpochOrder& order = loader.Order();
  const EpochInfo& info = loader.Epoch();
  // The pipeline's assembly on positions: the buffer starts with the first
  // rows; each step copies its slots out in order and refills slot take[i]
  // (i < fill_count) with position fill_begin + i right after (the
  // assembler's runs keep exactly this order, generation_starts included).
  const int64_t slots = std::max<int64_t>(std::min(loader.Memory().num_slots, order.Rows()), 1);
  SlotSchedule schedule(loader.Options().shuffle, slots, loader.Options().batch_size, order.Rows(), info.num_batches,
                        loader.SlotSeed(info.epoch), /*track_positions=*/false);
  std::vector<int64_t> held(static_cast<size_t>(slots), -1);
  for (int64_t p = 0; p < schedule.InitialFill(); ++p) held[static_cast<size_t>(p)] = p;
  SlotSchedule::Step step;
  std::vector<int64_t> entries;
  while (schedule.Next(&step)) {
    entries.clear();
    for (size_t i = 0; i < step.take.size(); ++i) {
      int64_t& slot = held[static_cast<size_t>(step.take[i])];
      if (slot < 0) return Internal("shuffle plan: the schedule took an empty slot");
      entries.push_back(order.GlobalIndex(slot));
      slot = static_cast<int64_t>(i) < step.fill_count ? step.fill_begin + static_cast<int64_t>(i) : -1;
    }
    batch(entries);
  }
  return Status::Ok();
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

  if (options.shuffle == ShuffleStrategy::kNone) return plan;
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
