// MemorySource: a ColumnSource that computes its values from the entry number,
// for testing the frame and the loader without files.
//
// Columns (every value is a function of event_id = first_event_id + entry, so
// a test can check any yielded row against its event id):
//   event_id  int64              first_event_id + entry
//   label     int32              event_id % 2
//   f0..fK-1  float32            FeatureValue(event_id, k)
//   d0        float64            event_id + 0.1234567891234 (not exact in float32)
//   big       int64              event_id + 2^53 + 1 (not exact in float64)
//   arr       float32[3]         3 * event_id + j
//   jet_pt    std::vector<float> event_id % 5 items, event_id + 0.25 * j
//   name      string             (kString, so the loader can reject it)
//   tracks    vector<vector<int>> event_id % 4 lists, list i with (event_id + i) % 3
//                                items, TracksValue(event_id, i, j)
//   jet_eta   std::vector<double> jet_pt's counts, JetEtaValue(event_id, j)
//   jet_tag   std::vector<int>    jet_pt's counts but one more item where
//                                event_id % 1000 == 7; item j is j
// Clusters and baskets are configurable, per column, so that planning and
// basket alignment can be tested; faults (a failing read, a delay per read)
// can be injected to test error propagation and cancellation.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rootbatch/column/column.hpp"

namespace rootbatch::testing {

struct MemorySourceOptions {
  std::string name = "memory";  // appears in Description()
  int64_t num_entries = 1000;
  int64_t first_event_id = 0;
  int64_t cluster_size = 500;             // entries per cluster (last one shorter)
  int64_t basket_size = 100;              // entries per basket, every column
  std::map<std::string, int64_t> basket_size_of;  // per-column override
  int num_features = 4;
  // A read of `fail_column` over a range that contains `fail_entry` fails
  // with kIOError (disabled when fail_entry < 0).
  std::string fail_column;
  int64_t fail_entry = -1;
  std::chrono::microseconds read_delay{0};  // slept at every ReadColumn
  // Bytes per entry and column a prefetch would hold, as a remote file's
  // would (PrefetchBytesPerEntry); 0: a local source.
  double fetch_bytes_per_value = 0;
};

float FeatureValue(int64_t event_id, int feature);
// Item j of list i of the doubly jagged column `tracks`.
inline int32_t TracksValue(int64_t event_id, int64_t list, int64_t item) {
  return static_cast<int32_t>(event_id * 100 + list * 10 + item);
}

// Item j of jet_eta: not in jet_pt's order (which rises with j).
inline double JetEtaValue(int64_t event_id, int64_t item) {
  return static_cast<double>((event_id * 7 + item * 3) % 11) - 5.0;
}

class MemorySource final : public ColumnSource {
 public:
  explicit MemorySource(MemorySourceOptions options);

  std::string Description() const override;
  int64_t NumEntries() const override { return options_.num_entries; }
  const std::vector<ColumnSpec>& Columns() const override { return columns_; }
  std::vector<int64_t> ClusterBoundaries() const override;
  std::vector<int64_t> UnitBoundaries(size_t column) const override;
  Result<Column> ReadColumn(size_t column, EntryRange range, ReadStats* stats = nullptr) const override;
  double PrefetchBytesPerEntry(std::span<const size_t> columns) const override {
    return options_.fetch_bytes_per_value * static_cast<double>(columns.size());
  }

  // ReadColumn calls and baskets touched so far (all threads).
  int64_t Reads() const { return reads_.load(); }
  int64_t BasketsTouched() const { return baskets_.load(); }

 private:
  int64_t BasketSize(size_t column) const;

  MemorySourceOptions options_;
  std::vector<ColumnSpec> columns_;
  mutable std::atomic<int64_t> reads_{0};
  mutable std::atomic<int64_t> baskets_{0};
};

inline std::unique_ptr<ColumnSource> MakeMemorySource(MemorySourceOptions options) {
  return std::make_unique<MemorySource>(std::move(options));
}

}  // namespace rootbatch::testing
