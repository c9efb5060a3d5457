// RowSelection: which entries of one file passed a frame's filters, as a
// bitmap with a running count per 64-bit word, so that the loader can turn
// row numbers (passing entries, counted from 0) into entry numbers and back
// without keeping a list: 2 bits per entry of the file, whatever passes.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace rootbatch::frame {

class RowSelection {
 public:
  RowSelection() = default;
  // All of `num_entries` entries unselected; Set() them in increasing order,
  // then Seal().
  explicit RowSelection(int64_t num_entries);
  void Set(int64_t entry) { words_[static_cast<size_t>(entry >> 6)] |= uint64_t{1} << (entry & 63); }
  void Seal();

  int64_t NumEntries() const { return num_entries_; }
  int64_t NumRows() const { return rows_before_.empty() ? 0 : rows_before_.back(); }
  // Rows before `entry` (0 <= entry <= NumEntries()): the row an entry
  // boundary becomes.
  int64_t Rank(int64_t entry) const;
  // Entry of row `row` (0 <= row < NumRows()).
  int64_t Select(int64_t row) const;
  // Appends the entries of rows [row_begin, row_end) to `out`.
  void Entries(int64_t row_begin, int64_t row_end, std::vector<int64_t>& out) const;
  // Memory held, in bytes (the loader's budget counts it).
  int64_t ResidentBytes() const;

 private:
  int64_t num_entries_ = 0;
  std::vector<uint64_t> words_;
  std::vector<int64_t> rows_before_;  // words_.size() + 1 prefix counts
};

}  // namespace rootbatch::frame
