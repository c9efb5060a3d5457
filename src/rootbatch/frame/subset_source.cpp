#include "rootbatch/frame/subset_source.hpp"

#include <algorithm>
#include <optional>

#include "rootbatch/column/gather.hpp"

namespace rootbatch::frame {
namespace {

// Entries a read of scattered rows may span, whatever their number: the
// loader's longest block (max_block_entries' default).
constexpr int64_t kSparseSpan = 65536;

}  // namespace

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
  const ColumnSpec& spec = base().Columns()[column];
  std::optional<Column> result;
  std::vector<int64_t> picks;
  for (auto begin = static_cast<size_t>(range.begin); begin < static_cast<size_t>(range.end);) {
    // The longest run of rows from `begin` whose entries span at most twice
    // their number, or kSparseSpan entries (so that scattered rows are still
    // read many at a time, not one basket decompression per row).
    size_t end = begin + 1;
    while (end < static_cast<size_t>(range.end) &&
           kept_[end] - kept_[begin] < std::max<int64_t>(2 * static_cast<int64_t>(end + 1 - begin), kSparseSpan)) {
      ++end;
    }
    const EntryRange span{kept_[begin], kept_[end - 1] + 1};
    RB_ASSIGN_OR_RETURN(Column all, base().ReadColumn(column, span, stats));
    Column piece;
    if (span.Size() == static_cast<int64_t>(end - begin)) {
      piece = std::move(all);  // the rows are consecutive entries
    } else {
      picks.resize(end - begin);
      for (size_t i = begin; i < end; ++i) picks[i - begin] = kept_[i] - span.begin;
      piece = GatherEntries(all, spec, picks);
    }
    if (result) {
      AppendEntries(*result, piece, spec);
    } else {
      result = std::move(piece);
    }
    begin = end;
  }
  return std::move(*result);
}

int64_t SubsetSource::PrefetchRows(EntryRange range, std::span<const size_t> columns) const {
  if (range.begin < 0 || range.end > NumEntries() || range.begin >= range.end) return -1;
  return base().PrefetchRows({kept_[static_cast<size_t>(range.begin)], kept_[static_cast<size_t>(range.end - 1)] + 1},
                             columns);
}

double SubsetSource::PrefetchBytesPerEntry(std::span<const size_t> columns) const {
  // Sparse rows read the entries between them too (ReadColumn): per row, the
  // file's bytes per entry times the entries each kept row spans.
  if (kept_.empty()) return 0;
  const double span = static_cast<double>(kept_.back() - kept_.front() + 1) / static_cast<double>(kept_.size());
  return base().PrefetchBytesPerEntry(columns) * span;
}

}  // namespace rootbatch::frame
