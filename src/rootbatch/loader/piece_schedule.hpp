// PieceSchedule: the batches of the `pieces` shuffle, decided on stream
// positions alone (no data), so it is cheap to replay for resume and the
// shuffle plan, and identical whatever the number of threads.
//
// The buffer holds whole pieces of the stream (units: the shard's segments,
// cut to at most a sixteenth of the buffer), not single rows. A unit enters
// when the buffer has room for all of it; its rows are put in a seeded random
// order as they enter, and it is drained from the front of that order: a
// batch takes the next k rows of each unit in the buffer. So the data side
// copies contiguous runs of rows, not one row from a random place per row,
// and the randomness of each unit is made once, in cache, as it enters.
//
// How many rows a batch takes from each unit (the draw): shares of the
// batch in proportion to each unit's rows left divided by the batches left
// in its planned life (2 x buffer / batch size batches from its entry), by
// systematic sampling (one random offset, integer arithmetic): so every unit
// is drained at an even pace over its life, every batch holds rows of every
// unit in the buffer in proportion (a stratified sample of what the buffer
// holds), and the rows of a unit are gone about one life after it entered.
// Once the stream has no unit left to enter, shares follow the rows left
// alone, so that all units run out together. The batch's rows are then put
// in a random order.
//
// Memory: the buffer is counted in pages of page_rows rows. A unit of n rows
// holds ceil(n / page_rows) pages, less the pages its front has drained; a
// unit enters only when that many pages are free, beyond a reserve of one
// batch's pages (used only when the buffer would otherwise hold fewer rows
// than the next batch takes). Rows taken free their pages at once (the data
// side returns a page once all its rows are out), so about one life's worth
// of rows is in the buffer, each half drained on average: the buffer's
// mixing span is about twice its rows. Pages are small next to the units
// (PieceShuffle::PageRows), so the part of a page a unit leaves unused is a
// few percent of the buffer at most.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/loader/rng.hpp"

namespace rootbatch::loader {

class PieceSchedule {
 public:
  // A unit: rows [begin, begin + rows) of the stream, inside one segment.
  struct Unit {
    int64_t id = 0;         // admission number: 0, 1, ... in stream order
    int64_t begin = 0;      // stream position of its first row
    int64_t rows = 0;
    int64_t taken = 0;      // rows of its order handed out so far
    int64_t end_batch = 0;  // planned last batch of its life
    uint64_t seed = 0;      // of its row order (UnitOrder)
  };
  struct Run {
    int64_t unit = 0;   // id
    int64_t first = 0;  // index into the unit's order
    int64_t count = 0;
  };
  struct Step {
    std::vector<Unit> entered;    // units entering before this batch's rows are taken, in stream order
    std::vector<Run> runs;        // the rows taken, unit by unit
    std::vector<int32_t> rows;    // batch row of each taken row (runs concatenated): a permutation
    std::vector<int64_t> drained; // ids of units this batch emptied (their last pages are free after it)
  };

  // `starts`: each segment's first stream position, back() = rows (an
  // EpochOrder's starts). `buffer_rows` rows of memory in pages of
  // `page_rows`; `num_batches` steps are produced.
  PieceSchedule(std::span<const int64_t> starts, int64_t buffer_rows, int64_t page_rows, int64_t batch_size,
                int64_t num_batches, uint64_t seed);

  // Produces the next step; false once num_batches steps were produced, or
  // on a failure (Failure() says which).
  bool Next(Step* step);
  // Not OK if the buffer's pages were all held while it had fewer rows than
  // a batch takes (units far smaller than a page; never seen with the
  // loader's page sizes): the batches cannot be made at this budget.
  const Status& Failure() const { return failure_; }

  // The units in the buffer after the steps produced so far, by id.
  const std::vector<Unit>& Resident() const { return resident_; }
  // The first stream position not yet entered (Rows() once all entered).
  int64_t NextPosition() const { return next_begin_; }
  int64_t PageRows() const { return page_rows_; }
  int64_t TotalPages() const { return total_pages_; }
  int64_t FreePages() const { return free_pages_; }

  // A unit's row order: order[i] is the row (0 .. rows - 1 within the unit)
  // handed out i-th. Data side and replay compute the same.
  static void UnitOrder(const Unit& unit, std::vector<int32_t>* order);
  // Pages a unit holds once `taken` rows of its order are out.
  int64_t PagesHeld(int64_t rows, int64_t taken) const {
    return (rows + page_rows_ - 1) / page_rows_ - taken / page_rows_;
  }

  // The contract the data side relies on: every run takes at least one
  // row, no unit has two runs, `rows` is a permutation of [0, rows taken),
  // and a drained unit had a run (the data side checks that each run starts
  // where its unit's last one ended). OK or an Internal error saying what broke.
  static Status CheckStep(const Step& step);

 private:
  void Enter(int64_t reserve_pages, Step* step);
  int64_t Live() const;
  void Draw(int64_t count, Step* step);
  int64_t UnitRowsAt(int64_t position) const;  // rows of the unit starting at `position`

  std::vector<int64_t> starts_;
  int64_t rows_;
  int64_t page_rows_;
  int64_t total_pages_;
  int64_t free_pages_;
  int64_t max_unit_rows_;
  int64_t reserve_pages_;
  int64_t batch_size_;
  int64_t num_batches_;
  int64_t life_batches_;
  uint64_t seed_;
  Rng rng_;
  int64_t steps_done_ = 0;
  int64_t handed_out_ = 0;
  int64_t next_begin_ = 0;
  size_t next_segment_ = 0;  // segment holding next_begin_
  int64_t next_id_ = 0;
  std::vector<Unit> resident_;
  Status failure_;
  std::vector<uint64_t> weight_;  // scratch: each resident unit's weight
  std::vector<int64_t> count_;   // scratch: rows taken from each resident unit
};

}  // namespace rootbatch::loader
