#include "rootbatch/frame/subset_source.hpp"

#include <algorithm>

#include "rootbatch/column/gather.hpp"

namespace rootbatch::frame {

SubsetSource::SubsetSource(std::shared_ptr<const Dataset> dataset, size_t file, std::vector<int64_t> kept)
    : dataset_(std::move(dataset)), file_(file), kept_(std::move(kept)) {}

std::string SubsetSource::Description() const {
  return base().Description() + " (" + std::to_string(kept_.size()) + " of its entries)";
}

std::vector<int64_t> SubsetSource::ToRows(const std::vector<int64_t>& entry_bounds) const {
  std::vector<int64_t> rows = {0};
  for (int64_t bound : entry_bounds) {
    const auto row = static_cast<int64_t>(std::lower_bound(kept_.begin(), kept_.end(), bound) - kept_.begin());
    if (row > rows.back()) rows.push_back(row);
  }
  if (rows.back() != NumEntries()) rows.push_back(NumEntries());
  return rows;
}

std::vector<int64_t> SubsetSource::ClusterBoundaries() const { return ToRows(base().ClusterBoundaries()); }

std::vector<int64_t> SubsetSource::UnitBoundaries(size_t column) const {
  return ToRows(base().UnitBoundaries(column));
}

Result<Column> SubsetSource::ReadColumn(size_t column, EntryRange range, ReadStats* stats) const {
  if (range.begin < 0 || range.end > NumEntries() || range.begin > range.end) {
    return InvalidArgument(Description() + ": rows [" + std::to_string(range.begin) + ", " +
                           std::to_string(range.end) + ") are out of range");
  }
  if (range.Size() == 0) return base().ReadColumn(column, {0, 0}, stats);
  const auto begin = static_cast<size_t>(range.begin);
  const auto end = static_cast<size_t>(range.end);
  const EntryRange span{kept_[begin], kept_[end - 1] + 1};
  RB_ASSIGN_OR_RETURN(Column all, base().ReadColumn(column, span, stats));
  if (span.Size() == range.Size()) return all;  // the rows are consecutive entries
  std::vector<int64_t> picks(end - begin);
  for (size_t i = begin; i < end; ++i) picks[i - begin] = kept_[i] - span.begin;
  return GatherEntries(all, base().Columns()[column], picks);
}

}  // namespace rootbatch::frame
