#include "rootbatch/loader/piece_buffer.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "rootbatch/loader/row_copy.hpp"

namespace rootbatch::loader {

namespace {

// Pages are written once and read back much later: stores that bypass the
// cache (where the CPU has them) do not read each line first, nor push out
// what the assembler reads. Rows are whole 8-byte words (RowLayout).
inline void StoreRow(uint8_t* dst, const uint8_t* src, size_t bytes) {
#if defined(__SSE2__)
  for (size_t at = 0; at < bytes; at += 8) {
    long long word;
    std::memcpy(&word, src + at, 8);
    _mm_stream_si64(reinterpret_cast<long long*>(dst + at), word);
  }
#else
  CopySmall(dst, src, bytes);
#endif
}

}  // namespace

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
  if (units_.empty()) base_id_ = unit.id;
  if (unit.id < base_id_ + static_cast<int64_t>(units_.size()) || unit.rows <= 0) {
    return Internal("pieces buffer: unit " + std::to_string(unit.id) + " entered out of order or empty");
  }
  units_.resize(static_cast<size_t>(unit.id - base_id_ + 1));
  Stored& stored = units_.back();
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
    StoreRow(RowAt(stored, i), source + static_cast<size_t>(order[static_cast<size_t>(i)]) * layout_.row_bytes,
             layout_.row_bytes);
  }
#if defined(__SSE2__)
  _mm_sfence();  // orders the streamed stores before the batches' loads
#endif
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
  const Stored* unit = Find(run.unit);
  if (unit == nullptr || run.first >= unit->rows) return;
  // Every line of the run's rows up to the end of its page (a page rarely
  // holds less than a run; the rest follows in order).
  const auto first = reinterpret_cast<uintptr_t>(RowAt(*unit, run.first));
  const int64_t in_page = std::min(run.count, page_rows_ - run.first % page_rows_);
  const uintptr_t last = first + static_cast<size_t>(in_page) * stride_;
  for (uintptr_t line = first & ~uintptr_t{63}; line < last; line += 64) {
    __builtin_prefetch(reinterpret_cast<const void*>(line));
  }
}

// Runs are a few rows each (a batch takes its share of about two hundred
// pieces): their first lines are misses, issued this many runs ahead.
constexpr size_t kPrefetchRuns = 4;

Status PieceBuffer::TakeRuns(const PieceSchedule::Step& step, BatchAssembler& assembler) {
  for (size_t k = 0; k < kPrefetchRuns && k < step.runs.size(); ++k) Prefetch(step.runs[k]);
  size_t at = 0;
  for (size_t k = 0; k < step.runs.size(); ++k) {
    if (k + kPrefetchRuns < step.runs.size()) Prefetch(step.runs[k + kPrefetchRuns]);
    RB_RETURN_IF_ERROR(Take(step.runs[k], step.rows.data() + at, assembler));
    at += static_cast<size_t>(step.runs[k].count);
  }
  while (!units_.empty() && units_.front().rows == 0) {
    units_.pop_front();
    ++base_id_;
  }
  return Status::Ok();
}

Status PieceBuffer::Take(const PieceSchedule::Run& run, const int32_t* batch_rows, BatchAssembler& assembler) {
  Stored* unit = Find(run.unit);
  if (unit == nullptr || run.first != unit->cursor || run.first + run.count > unit->rows) {
    return Internal("pieces buffer: a run of unit " + std::to_string(run.unit) + " takes " +
                    std::to_string(run.count) + " rows from index " + std::to_string(run.first) +
                    (unit == nullptr ? ", which is not in the buffer"
                                     : ", where the unit is at " + std::to_string(unit->cursor) + " of " +
                                           std::to_string(unit->rows)));
  }
  Stored& stored = *unit;
  for (int64_t i = run.first, done = 0; i < run.first + run.count;) {
    const int64_t in_page = std::min(run.first + run.count - i, page_rows_ - i % page_rows_);
    assembler.ScatterRows(RowAt(stored, i), stride_, static_cast<size_t>(in_page), batch_rows + done);
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
  if (end == stored.rows) stored = Stored();  // empty: rows 0
  return Status::Ok();
}

}  // namespace rootbatch::loader
