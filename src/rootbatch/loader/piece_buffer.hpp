// PieceBuffer: the data side of the pieces strategy (piece_schedule.hpp).
// The buffer's memory is cut into pages of page_rows rows (slot_stride bytes
// each); a unit entering takes the pages its rows need and stores them in
// its row order, so that each run a batch takes is contiguous; pages whose
// rows are all out go back to the free list at once. Used by one thread,
// the pipeline's assembler.
#pragma once

#include <cstdint>
#include <span>
#include <deque>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/loader/batch_assembler.hpp"
#include "rootbatch/loader/block_reader.hpp"
#include "rootbatch/loader/layout.hpp"
#include "rootbatch/loader/piece_schedule.hpp"

namespace rootbatch::loader {

class PieceBuffer {
 public:
  // `memory` holds total_pages x page_rows x layout.slot_stride bytes.
  PieceBuffer(const RowLayout& layout, int64_t total_pages, int64_t page_rows, uint8_t* memory);

  // Stores `unit`'s rows from index `from` of its order on (0, or on resume
  // the rows already taken): row order[i] of the unit is row block_row +
  // order[i] of `block`. Row i goes to page i / page_rows, as the schedule
  // counts pages, so a resumed buffer holds the same pages as an
  // uninterrupted one.
  Status Enter(const PieceSchedule::Unit& unit, int64_t from, std::span<const int32_t> order,
               const StagedBlock& block, int64_t block_row);
  // Copies the step's runs into the batch `assembler` builds (the rows of
  // the runs, concatenated, to batch rows step.rows), and frees the pages
  // they empty (all of a unit's once it is drained). Each run checks that
  // it starts where its unit's last one ended.
  Status TakeRuns(const PieceSchedule::Step& step, BatchAssembler& assembler);

  int64_t FreePages() const { return static_cast<int64_t>(free_.size()); }

 private:
  struct Stored {
    int64_t rows = 0;                            // 0: not in the buffer
    int64_t cursor = 0;                          // next index of the order to take
    int64_t first_page = 0;                      // the page index pages[0] holds
    std::vector<int32_t> pages;                  // page of indices [first_page + k) x page_rows ...
    std::vector<std::vector<std::vector<uint8_t>>> ragged;  // [column][index - from]
    int64_t from = 0;
  };
  Status Take(const PieceSchedule::Run& run, const int32_t* batch_rows, BatchAssembler& assembler);
  // Starts loading the lines of `run` (a few runs ahead of the copy).
  void Prefetch(const PieceSchedule::Run& run) const;
  // The unit `id` if it is in the buffer, else null.
  Stored* Find(int64_t id) {
    if (id < base_id_ || id >= base_id_ + static_cast<int64_t>(units_.size())) return nullptr;
    Stored& unit = units_[static_cast<size_t>(id - base_id_)];
    return unit.rows > 0 ? &unit : nullptr;
  }
  const Stored* Find(int64_t id) const { return const_cast<PieceBuffer*>(this)->Find(id); }
  uint8_t* RowAt(const Stored& unit, int64_t index) const {
    const auto page = static_cast<size_t>(unit.pages[static_cast<size_t>(index / page_rows_ - unit.first_page)]);
    return memory_ + (page * static_cast<size_t>(page_rows_) + static_cast<size_t>(index % page_rows_)) * stride_;
  }

  const RowLayout& layout_;
  int64_t page_rows_;
  size_t stride_;
  uint8_t* memory_;
  std::vector<int32_t> free_;  // free pages, used as a stack
  // Units by id - base_id_ (ids enter in increasing order and leave about
  // in that order); drained ones stay empty (rows 0) until they reach the front.
  std::deque<Stored> units_;
  int64_t base_id_ = 0;
};

}  // namespace rootbatch::loader
