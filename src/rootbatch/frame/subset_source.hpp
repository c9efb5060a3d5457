// SubsetSource: some entries of one file of a dataset, as a ColumnSource
// whose entries are those (in file order). What a loader resumed into
// another world size reads: the rows an interrupted epoch had not yielded
// yet (loader/elastic.hpp). Cluster and unit boundaries are the file's,
// mapped onto the kept rows, so the loader still plans on basket boundaries.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rootbatch/frame/dataset.hpp"

namespace rootbatch::frame {

class SubsetSource final : public ColumnSource {
 public:
  // `kept`: increasing local entry numbers of file `file` of `dataset`.
  SubsetSource(std::shared_ptr<const Dataset> dataset, size_t file, std::vector<int64_t> kept);

  std::string Description() const override;
  int64_t NumEntries() const override { return static_cast<int64_t>(kept_.size()); }
  const std::vector<ColumnSpec>& Columns() const override { return base().Columns(); }
  std::vector<int64_t> ClusterBoundaries() const override;
  std::vector<int64_t> UnitBoundaries(size_t column) const override;
  // Reads the file's entries that rows [range) span and keeps those rows;
  // where the rows are sparse, in pieces spanning at most twice as many
  // entries as they keep (or 65536 entries), so a read holds about what the
  // loader planned for.
  Result<Column> ReadColumn(size_t column, EntryRange range, ReadStats* stats = nullptr) const override;
  // The file's (a frame's selection) and the kept entry numbers.
  int64_t ResidentBytes() const override {
    return base().ResidentBytes() + static_cast<int64_t>(kept_.size() * sizeof(int64_t));
  }
  const std::vector<UnreadableColumn>& UnreadableColumns() const override { return base().UnreadableColumns(); }
  // The file's entries that rows [range) span (remote files).
  int64_t PrefetchRows(EntryRange range, std::span<const size_t> columns) const override;
  void EndRows(int64_t ticket) const override { base().EndRows(ticket); }
  double PrefetchBytesPerEntry(std::span<const size_t> columns) const override;

  // Local entry number of each row.
  const std::vector<int64_t>& Kept() const { return kept_; }

 private:
  const ColumnSource& base() const { return dataset_->File(file_); }
  // The rows at which the file's boundaries fall (first row at or after each).
  std::vector<int64_t> ToRows(const std::vector<int64_t>& entry_bounds) const;

  std::shared_ptr<const Dataset> dataset_;
  size_t file_;
  std::vector<int64_t> kept_;
};

}  // namespace rootbatch::frame
