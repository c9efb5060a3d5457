#include "rootbatch/loader/piece_buffer.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace rootbatch::loader {

PieceBuffer::PieceBuffer(const RowLayout& layout, int64_t total_pages, int64_t page_rows, uint8_t* memory)
    : layout_(layout), page_rows_(std::max<int64_t>(page_rows, 1)), stride_(layout.slot_stride), memory_(memory) {
  free_.resize(static_cast<size_t>(std::max<int64_t>(total_pages, 0)));
  // Popped from the back: page 0 first, so a small epoch touches the start.
  for (size_t k = 0; k < free_.size(); ++k) free_[k] = static_cast<int32_t>(free_.size() - 1 - k);
}

Status PieceBuffer::Enter(const PieceSchedule::Unit& unit, int64_t from, std::span<const int32_t> order,
                          const StagedBlock& block, int64_t block_row) {
  if (static_cast<int64_t>(order.size()) != unit.rows || block_row < 0 || block_row + unit.rows > block.rows) {
    return Internal("pieces buffer: unit " + std::to_string(unit.id) + " of " + std::to_string(unit.rows) +
                    " rows does not lie in its staged block of " + std::to_string(block.rows) + " rows at row " +
                    std::to_string(block_row));
  }
  Stored& stored = units_[unit.id];
  stored.rows = unit.rows;
  stored.cursor = from;
  stored.from = from;
  stored.first_page = from / page_rows_;
  const int64_t pages = (unit.rows + page_rows_ - 1) / page_rows_ - stored.first_page;
  if (pages > static_cast<int64_t>(free_.size())) {
    return Internal("pieces buffer: unit " + std::to_string(unit.id) + " needs " + std::to_string(pages) +
                    " pages, " + std::to_string(free_.size()) + " are free (the schedule counts otherwise)");
  }
  stored.pages.resize(static_cast<size_t>(pages));
  for (auto& page : stored.pages) {
    page = free_.back();
    free_.pop_back();
  }
  const uint8_t* source = block.fixed.get() + static_cast<size_t>(block_row) * layout_.row_bytes;
  // Sources are read in a random order inside the block (which a worker
  // wrote a moment ago: in cache, or close); each page is written in order.
  constexpr int64_t kAhead = 8;
  for (int64_t i = from; i < unit.rows; ++i) {
    if (i + kAhead < unit.rows) {
      __builtin_prefetch(source + static_cast<size_t>(order[static_cast<size_t>(i + kAhead)]) * layout_.row_bytes);
    }
    std::memcpy(RowAt(stored, i), source + static_cast<size_t>(order[static_cast<size_t>(i)]) * layout_.row_bytes,
                layout_.row_bytes);
  }
  stored.ragged.assign(layout_.ragged.size(), {});
  for (size_t c = 0; c < layout_.ragged.size(); ++c) {
    const StagedBlock::Ragged& column = block.ragged[c];
    const size_t item_bytes = static_cast<size_t>(layout_.ragged[c].inner * ByteWidth(layout_.ragged[c].type));
    auto& rows = stored.ragged[c];
    rows.resize(static_cast<size_t>(unit.rows - from));
    for (int64_t i = from; i < unit.rows; ++i) {
      const auto row = static_cast<size_t>(block_row + order[static_cast<size_t>(i)]);
      rows[static_cast<size_t>(i - from)].assign(
          column.values.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(column.offsets[row]) * item_bytes),
          column.values.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(column.offsets[row + 1]) * item_bytes));
    }
  }
  return Status::Ok();
}

void PieceBuffer::Prefetch(const PieceSchedule::Run& run) const {
  auto it = units_.find(run.unit);
  if (it == units_.end() || run.first >= it->second.rows) return;
  const uint8_t* first = RowAt(it->second, run.first);
  // The run's first rows, up to the end of its page (the rest follows in order).
  const int64_t in_page = std::min(run.count, page_rows_ - run.first % page_rows_);
  const size_t bytes = std::min<size_t>(static_cast<size_t>(in_page) * stride_, 512);
  for (size_t at = 0; at < bytes; at += 64) __builtin_prefetch(first + at);
}

Status PieceBuffer::Take(const PieceSchedule::Run& run, const int32_t* batch_rows, BatchAssembler& assembler) {
  auto it = units_.find(run.unit);
  if (it == units_.end() || run.first != it->second.cursor || run.first + run.count > it->second.rows) {
    return Internal("pieces buffer: a run of unit " + std::to_string(run.unit) + " takes " +
                    std::to_string(run.count) + " rows from index " + std::to_string(run.first) +
                    (it == units_.end() ? ", which is not in the buffer"
                                        : ", where the unit is at " + std::to_string(it->second.cursor) + " of " +
                                              std::to_string(it->second.rows)));
  }
  Stored& stored = it->second;
  for (int64_t i = run.first, done = 0; i < run.first + run.count;) {
    const int64_t in_page = std::min(run.first + run.count - i, page_rows_ - i % page_rows_);
    assembler.ScatterRows(RowAt(stored, i), static_cast<size_t>(in_page), batch_rows + done);
    i += in_page;
    done += in_page;
  }
  for (size_t c = 0; c < stored.ragged.size(); ++c) {
    for (int64_t k = 0; k < run.count; ++k) {
      assembler.PutRagged(c, batch_rows[k], std::move(stored.ragged[c][static_cast<size_t>(run.first + k - stored.from)]));
    }
  }
  const int64_t end = run.first + run.count;
  // Pages wholly taken go back; all of them once the unit is drained.
  const int64_t free_below = end == stored.rows ? stored.first_page + static_cast<int64_t>(stored.pages.size())
                                                : end / page_rows_;
  for (int64_t page = run.first / page_rows_; page < free_below; ++page) {
    free_.push_back(stored.pages[static_cast<size_t>(page - stored.first_page)]);
  }
  stored.cursor = end;
  if (end == stored.rows) units_.erase(it);
  return Status::Ok();
}

}  // namespace rootbatch::loader
