#include "rootbatch/frame/row_selection.hpp"

#include <algorithm>
#include <bit>

namespace rootbatch::frame {

RowSelection::RowSelection(int64_t num_entries)
    : num_entries_(num_entries), words_(static_cast<size_t>((num_entries + 63) / 64), 0) {}

void RowSelection::Seal() {
  rows_before_.assign(words_.size() + 1, 0);
  for (size_t w = 0; w < words_.size(); ++w) rows_before_[w + 1] = rows_before_[w] + std::popcount(words_[w]);
}

int64_t RowSelection::Rank(int64_t entry) const {
  const size_t w = static_cast<size_t>(entry >> 6);
  const int bit = static_cast<int>(entry & 63);
  if (w >= words_.size()) return NumRows();
  const uint64_t below = bit == 0 ? 0 : words_[w] & (~uint64_t{0} >> (64 - bit));
  return rows_before_[w] + std::popcount(below);
}

int64_t RowSelection::Select(int64_t row) const {
  // The last word whose running count is <= row holds it.
  const auto it = std::upper_bound(rows_before_.begin(), rows_before_.end(), row) - 1;
  const size_t w = static_cast<size_t>(it - rows_before_.begin());
  uint64_t word = words_[w];
  for (int64_t skip = row - *it; skip > 0; --skip) word &= word - 1;  // drop the lowest set bits
  return static_cast<int64_t>(w) * 64 + std::countr_zero(word);
}

void RowSelection::Entries(int64_t row_begin, int64_t row_end, std::vector<int64_t>& out) const {
  if (row_begin >= row_end) return;
  out.reserve(out.size() + static_cast<size_t>(row_end - row_begin));
  const int64_t first = Select(row_begin);
  size_t w = static_cast<size_t>(first >> 6);
  uint64_t word = words_[w] & (~uint64_t{0} << (first & 63));
  for (int64_t left = row_end - row_begin; left > 0;) {
    while (word == 0) word = words_[++w];
    out.push_back(static_cast<int64_t>(w) * 64 + std::countr_zero(word));
    word &= word - 1;
    --left;
  }
}

int64_t RowSelection::ResidentBytes() const {
  return static_cast<int64_t>(words_.capacity() * sizeof(uint64_t) + rows_before_.capacity() * sizeof(int64_t));
}

}  // namespace rootbatch::frame
