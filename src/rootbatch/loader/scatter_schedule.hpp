// ScatterSchedule: the batches of the `scatter` shuffle, as a pure function
// of stream positions (no data, no state carried from batch to batch), so
// that replay, resume and the data path compute the same destinations
// whatever the thread count, and a resume starts anywhere at no cost.
//
// Every row's destination is fixed when it arrives: the stream is cut into
// steps, and step a's rows go to the L batches a .. a + L - 1 (the open
// batches; L is what the memory budget holds, Lags()). A batch's S rows are
// R runs of r rows (RunRows; the last may be shorter), and batch b takes
// runs floor(k R / L) .. floor((k + 1) R / L) - 1 from step b - k (k < L):
// a stratified sample of the last L x B rows of the stream, exactly S rows,
// by systematic sampling with no draw. Which of a step's rows goes to which
// lag is a seeded random permutation of the step (a run is r random rows of
// its step, not r neighbours); where each run lands in its batch is a seeded
// random permutation of the batch's runs, its rows kept together (so that
// writing a run touches few cache lines). Steps before batch 0 (a < 0) carry only the lags that
// reach batch 0 or later (the first fill: about half of L x B rows), steps
// near the end only those that reach the last batch.
//
// Memory: the open batches are whole batches from the moment their first
// row arrives, so the stream span a batch mixes is the rows the budget
// holds (L x B), not more: where the slot buffer's rows leave at random
// (an exponential tail of ages) and the pieces buffer frees pages as they
// drain, here every open batch is fully allocated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rootbatch::loader {

class ScatterSchedule {
 public:
  // Where one arriving row goes: batch (arriving step + lag), arrival
  // index `index` of that batch (0 .. rows of the batch - 1), which
  // BatchOrder maps to the batch row.
  struct Destination {
    int32_t lag = 0;
    int32_t index = 0;
  };

  // `rows`: the shard's stream (EpochOrder::Rows()); the batches take the
  // first min(rows, num_batches x batch_size) of it (drop_remainder leaves
  // the rest). `lags` (>= 1) is clamped to num_batches.
  ScatterSchedule(int64_t rows, int64_t batch_size, int64_t num_batches, int64_t lags, uint64_t seed);

  // Open batches a budget holds: the buffer's bytes (buffer_rows slots of
  // slot_stride + 12 bytes) over a batch's (batch_size rows of at most
  // slot_stride bytes, 4 more per row for its BatchOrder, and its tensors'
  // alignment), at least 1.
  static int64_t Lags(int64_t buffer_rows, int64_t slot_stride, int64_t batch_size);
  // Rows of a run: what a batch takes from one step at a time.
  static int64_t RunRows(int64_t batch_size);

  int64_t Lags() const { return lags_; }
  int64_t NumBatches() const { return num_batches_; }
  int64_t Rows() const { return yielded_rows_; }  // stream rows that reach a batch
  int64_t BatchRows(int64_t batch) const { return batch + 1 < num_batches_ ? batch_size_ : last_rows_; }

  // Steps run from FirstStep() (= 1 - lags) to num_batches - 1; step a's
  // rows are stream positions [StepBegin(a), StepBegin(a + 1)).
  int64_t FirstStep() const { return 1 - lags_; }
  int64_t StepBegin(int64_t step) const { return step_begin_[static_cast<size_t>(step - FirstStep())]; }
  // The step holding stream position `position` (< Rows()).
  int64_t StepOf(int64_t position) const;
  // Batch b is complete once the stream before this position has arrived.
  int64_t CompleteAt(int64_t batch) const { return StepBegin(batch + 1); }
  // The first step that writes into batch `batch` or later.
  int64_t FirstStepFor(int64_t batch) const { return batch - lags_ + 1 > FirstStep() ? batch - lags_ + 1 : FirstStep(); }

  // The destinations of step `step`'s rows, in stream order.
  void StepDestinations(int64_t step, std::vector<Destination>* out) const;
  // Batch b's row of each arrival index: order[index] (a permutation of
  // 0 .. BatchRows(b) - 1).
  void BatchOrder(int64_t batch, std::vector<int32_t>* order) const;

 private:
  // Rows a batch of `rows` rows takes from lags [0, k): whole runs,
  // floor(k x runs / lags) of them (the last run may be shorter).
  int64_t SharesOf(int64_t rows, int64_t k) const;
  int64_t SharesBefore(int64_t batch, int64_t k) const { return SharesOf(BatchRows(batch), k); }
  int64_t StepRows(int64_t step) const;

  int64_t batch_size_;
  int64_t num_batches_;
  int64_t yielded_rows_;
  int64_t last_rows_;
  int64_t lags_;
  int64_t run_rows_;
  uint64_t seed_;
  mutable std::vector<int32_t> runs_scratch_;  // BatchOrder's (one thread uses a schedule)
  std::vector<int64_t> step_begin_;  // per step from FirstStep(), and the end
};

}  // namespace rootbatch::loader
