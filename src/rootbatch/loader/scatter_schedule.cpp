#include "rootbatch/loader/scatter_schedule.hpp"

#include <algorithm>

#include "rootbatch/loader/rng.hpp"

namespace rootbatch::loader {
namespace {

// Keys of the two random streams (under Stream::kSlots and the shard's
// epoch seed): which lag each row of a step takes, and each batch's row order.
constexpr uint64_t kStepKey = 1;
constexpr uint64_t kBatchKey = 2;
// A batch takes its rows in runs of batch / kRunsPerBatch rows (RunRows),
// each run from one step, into consecutive batch rows: a worker writing a
// run touches about two cache lines per row of 128 bytes, where single
// rows at random batch rows touch one line per tensor per row (five: the
// features' two or three, the label's, the entry's), each a miss in a few
// hundred MB of open batches. 128 runs still visit every piece of the
// stream the window holds (about 100: pieces_per_buffer), evenly spaced.
constexpr int64_t kRunsPerBatch = 128;
constexpr int64_t kSlotBookkeeping = 12;     // budget.cpp: slot_bytes = slot_stride + 12 (fixed rows)
constexpr int64_t kAlignmentSlack = 8 * 64;  // BatchAssembler::BatchBytes aligns each tensor to 64 bytes

}  // namespace

ScatterSchedule::ScatterSchedule(int64_t rows, int64_t batch_size, int64_t num_batches, int64_t lags, uint64_t seed)
    : batch_size_(std::max<int64_t>(batch_size, 1)),
      num_batches_(std::max<int64_t>(num_batches, 0)),
      yielded_rows_(std::min(std::max<int64_t>(rows, 0), num_batches_ * batch_size_)),
      last_rows_(num_batches_ > 0 ? yielded_rows_ - (num_batches_ - 1) * batch_size_ : 0),
      lags_(std::clamp<int64_t>(lags, 1, std::max<int64_t>(num_batches_, 1))),
      run_rows_(RunRows(batch_size_)),
      seed_(seed) {
  step_begin_.reserve(static_cast<size_t>(num_batches_ + lags_));
  int64_t position = 0;
  for (int64_t step = FirstStep(); step < num_batches_; ++step) {
    step_begin_.push_back(position);
    position += StepRows(step);
  }
  step_begin_.push_back(position);  // == yielded_rows_
}

int64_t ScatterSchedule::Lags(int64_t buffer_rows, int64_t slot_stride, int64_t batch_size) {
  // The buffer's share of the budget is buffer_rows x (slot_stride + the
  // slot strategies' 12 bytes of bookkeeping: budget.hpp); an open batch
  // takes at most batch_size x (row bytes <= slot_stride, + 4 for its row
  // order), + 64 bytes of alignment per tensor (kAlignmentSlack covers 8).
  const int64_t stride = std::max<int64_t>(slot_stride, 1);
  const int64_t batch_bytes = std::max<int64_t>(batch_size, 1) * (stride + 4) + kAlignmentSlack;
  return std::max<int64_t>(buffer_rows * (stride + kSlotBookkeeping) / batch_bytes, 1);
}

int64_t ScatterSchedule::RunRows(int64_t batch_size) {
  return std::max<int64_t>(batch_size / kRunsPerBatch, 1);
}

int64_t ScatterSchedule::SharesOf(int64_t rows, int64_t k) const {
  const int64_t runs = (rows + run_rows_ - 1) / run_rows_;
  return std::min(k * runs / lags_ * run_rows_, rows);
}

int64_t ScatterSchedule::StepRows(int64_t step) const {
  // Lags k0 .. k1 reach batches step + k in [0, num_batches).
  const int64_t k0 = std::max<int64_t>(0, -step);
  const int64_t k1 = std::min(lags_ - 1, num_batches_ - 1 - step);
  if (k1 < k0) return 0;
  // Full batches take C(k) = SharesOf(B, k) before lag k, so lags k0 .. k
  // of them sum to C(k + 1) - C(k0); the last batch has its own shares.
  const bool reaches_last = step + k1 == num_batches_ - 1;
  const int64_t full_end = reaches_last ? k1 : k1 + 1;  // lags [k0, full_end) go to full batches
  int64_t rows = full_end > k0 ? SharesOf(batch_size_, full_end) - SharesOf(batch_size_, k0) : 0;
  if (reaches_last) rows += SharesBefore(num_batches_ - 1, k1 + 1) - SharesBefore(num_batches_ - 1, k1);
  return rows;
}

int64_t ScatterSchedule::StepOf(int64_t position) const {
  // The last step whose begin is <= position (steps may be empty).
  auto it = std::upper_bound(step_begin_.begin(), step_begin_.end() - 1, position);
  return FirstStep() + static_cast<int64_t>(it - step_begin_.begin()) - 1;
}

void ScatterSchedule::StepDestinations(int64_t step, std::vector<Destination>* out) const {
  out->clear();
  const int64_t k0 = std::max<int64_t>(0, -step);
  const int64_t k1 = std::min(lags_ - 1, num_batches_ - 1 - step);
  // Full batches: runs before lag k are floor(k R / L), stepped without a
  // division per lag (a step visits every lag, most of them with no run).
  const int64_t runs = (batch_size_ + run_rows_ - 1) / run_rows_;
  int64_t before = k0 * runs / lags_;
  int64_t remainder = k0 * runs % lags_;
  for (int64_t k = k0; k <= k1; ++k) {
    const int64_t batch = step + k;
    remainder += runs;
    int64_t after = before;
    while (remainder >= lags_) {
      remainder -= lags_;
      ++after;
    }
    int64_t begin = std::min(before * run_rows_, batch_size_);
    int64_t end = std::min(after * run_rows_, batch_size_);
    before = after;
    if (batch == num_batches_ - 1) {  // the last batch may be shorter: its own runs
      begin = SharesBefore(batch, k);
      end = SharesBefore(batch, k + 1);
    }
    for (int64_t index = begin; index < end; ++index) {
      out->push_back({static_cast<int32_t>(k), static_cast<int32_t>(index)});
    }
  }
  Rng rng(DeriveSeed(seed_, Stream::kSlots, {kStepKey, static_cast<uint64_t>(step - FirstStep())}));
  rng.Shuffle(*out);
}

void ScatterSchedule::BatchOrder(int64_t batch, std::vector<int32_t>* order) const {
  // Runs in a random order; the last, shorter one (if any) stays last, so
  // that the full ones tile the rows before it.
  const int64_t rows = BatchRows(batch);
  const int64_t full_runs = rows / run_rows_;
  runs_scratch_.resize(static_cast<size_t>(full_runs));
  for (size_t j = 0; j < runs_scratch_.size(); ++j) runs_scratch_[j] = static_cast<int32_t>(j);
  Rng rng(DeriveSeed(seed_, Stream::kSlots, {kBatchKey, static_cast<uint64_t>(batch)}));
  rng.Shuffle(runs_scratch_);
  order->resize(static_cast<size_t>(rows));
  int32_t* out = order->data();
  for (int64_t run = 0, i = 0; i < rows; ++run) {
    const int64_t first = (run < full_runs ? runs_scratch_[static_cast<size_t>(run)] : run) * run_rows_;
    for (int64_t m = 0; m < run_rows_ && i < rows; ++m, ++i) out[i] = static_cast<int32_t>(first + m);
  }
}

}  // namespace rootbatch::loader
