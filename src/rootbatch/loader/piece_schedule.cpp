#include "rootbatch/loader/piece_schedule.hpp"

#include <algorithm>
#include <string>

namespace rootbatch::loader {
namespace {

// Weights are rows left x 2^kWeightShift / batches left, so that a unit with
// a few rows and a long life left keeps a share; buffers hold < 2^31 rows,
// so the sum stays below 2^63.
constexpr int kWeightShift = 24;
constexpr int64_t kMaxBatchesLeft = int64_t{1} << 20;
// A segment longer than this part of the buffer enters as several units,
// so that one unit never needs most of the buffer's pages.
constexpr int64_t kMaxUnitShare = 16;

}  // namespace

PieceSchedule::PieceSchedule(std::span<const int64_t> starts, int64_t buffer_rows, int64_t page_rows,
                             int64_t batch_size, int64_t num_batches, uint64_t seed)
    : starts_(starts.begin(), starts.end()),
      rows_(starts.empty() ? 0 : starts.back()),
      page_rows_(std::max<int64_t>(page_rows, 1)),
      total_pages_(std::max<int64_t>(buffer_rows / std::max<int64_t>(page_rows, 1), 1)),
      free_pages_(total_pages_),
      max_unit_rows_(std::max(page_rows_, total_pages_ / kMaxUnitShare * page_rows_)),
      reserve_pages_((std::max<int64_t>(batch_size, 1) + page_rows_ - 1) / page_rows_),
      batch_size_(std::max<int64_t>(batch_size, 1)),
      num_batches_(num_batches),
      life_batches_(std::max<int64_t>(2 * total_pages_ * page_rows_ / std::max<int64_t>(batch_size, 1), 1)),
      seed_(seed),
      rng_(seed) {
  if (starts_.empty()) starts_.push_back(0);
}

int64_t PieceSchedule::UnitRowsAt(int64_t position) const {
  const int64_t begin = starts_[next_segment_];
  const int64_t end = starts_[next_segment_ + 1];
  // Equal units (the last may be shorter by rounding), not maxima and a stub.
  const int64_t units = (end - begin + max_unit_rows_ - 1) / max_unit_rows_;
  const int64_t unit_rows = (end - begin + units - 1) / units;
  return std::min(unit_rows, end - position);
}

void PieceSchedule::Enter(int64_t reserve_pages, Step* step) {
  while (next_begin_ < rows_) {
    while (next_begin_ >= starts_[next_segment_ + 1]) ++next_segment_;  // skips empty segments
    const int64_t rows = UnitRowsAt(next_begin_);
    const int64_t pages = PagesHeld(rows, 0);
    if (pages + reserve_pages > free_pages_) return;
    Unit unit;
    unit.id = next_id_++;
    unit.begin = next_begin_;
    unit.rows = rows;
    unit.end_batch = steps_done_ + life_batches_;
    unit.seed = DeriveSeed(seed_, Stream::kSlots, {static_cast<uint64_t>(unit.begin)});
    free_pages_ -= pages;
    resident_.push_back(unit);
    step->entered.push_back(unit);
    next_begin_ += rows;
  }
}

void PieceSchedule::Draw(int64_t count, Step* step) {
  const size_t units = resident_.size();
  const bool more_to_enter = next_begin_ < rows_;
  weight_.resize(units);
  count_.assign(units, 0);
  uint64_t total = 0;
  for (size_t j = 0; j < units; ++j) {
    const Unit& unit = resident_[j];
    const auto left = static_cast<uint64_t>(unit.rows - unit.taken);
    const auto batches_left = static_cast<uint64_t>(std::clamp<int64_t>(unit.end_batch - steps_done_, 1, kMaxBatchesLeft));
    weight_[j] = more_to_enter ? (left << kWeightShift) / batches_left : left << kWeightShift;
    total += weight_[j];
  }
  // Systematic sampling: `count` points offset + i x total (i < count),
  // scaled by count, fall into each unit's stretch of the cumulative
  // weights (also scaled by count). Points and stretches are both in
  // increasing order: one merge, no division.
  const Uint128 n = static_cast<uint64_t>(count);
  const Uint128 offset = rng_.Below(total);
  Uint128 point = offset;
  int64_t placed = 0;
  Uint128 cumulative = 0;
  int64_t excess = 0;
  for (size_t j = 0; j < units; ++j) {
    cumulative += weight_[j];
    const Uint128 end = n * cumulative;
    int64_t here = 0;
    while (placed < count && point < end) {
      ++here;
      ++placed;
      point += total;
    }
    count_[j] = here;
    const int64_t left = resident_[j].rows - resident_[j].taken;
    if (count_[j] > left) {
      excess += count_[j] - left;
      count_[j] = left;
    }
  }
  // A share larger than the rows left (a unit past its planned life) goes
  // to the others, from a random one on.
  const size_t start = units > 0 ? static_cast<size_t>(rng_.Below(units)) : 0;
  for (size_t k = 0; k < units && excess > 0; ++k) {
    const size_t j = (start + k) % units;
    const int64_t more = std::min(excess, resident_[j].rows - resident_[j].taken - count_[j]);
    count_[j] += more;
    excess -= more;
  }

  int64_t taken = 0;
  for (size_t j = 0; j < units; ++j) {
    if (count_[j] == 0) continue;
    Unit& unit = resident_[j];
    step->runs.push_back({unit.id, unit.taken, count_[j]});
    const int64_t held = PagesHeld(unit.rows, unit.taken);
    unit.taken += count_[j];
    taken += count_[j];
    if (unit.taken == unit.rows) {
      free_pages_ += held;  // the last, partial page too
      step->drained.push_back(unit.id);
    } else {
      free_pages_ += held - PagesHeld(unit.rows, unit.taken);
    }
  }
  std::erase_if(resident_, [](const Unit& unit) { return unit.taken == unit.rows; });

  step->rows.resize(static_cast<size_t>(taken));
  for (size_t i = 0; i < step->rows.size(); ++i) step->rows[i] = static_cast<int32_t>(i);
  rng_.Shuffle(step->rows);
  handed_out_ += taken;
}

bool PieceSchedule::Next(Step* step) {
  step->entered.clear();
  step->runs.clear();
  step->rows.clear();
  step->drained.clear();
  if (steps_done_ >= num_batches_ || handed_out_ >= rows_ || !failure_.IsOk()) return false;
  const int64_t count = std::min(batch_size_, rows_ - handed_out_);
  Enter(reserve_pages_, step);
  if (Live() < count) Enter(0, step);  // the reserve is for this
  if (Live() < count) {
    failure_ = InvalidArgument(
        "the pieces shuffle's buffer has all its " + std::to_string(total_pages_) + " pages held by " +
        std::to_string(resident_.size()) + " pieces with " + std::to_string(Live()) +
        " rows left, fewer than the batch of " + std::to_string(count) +
        " (pieces much smaller than a page): use a larger memory budget or shuffle='stream'");
    return false;
  }
  Draw(count, step);
  ++steps_done_;
  return true;
}

int64_t PieceSchedule::Live() const {
  int64_t live = 0;
  for (const Unit& unit : resident_) live += unit.rows - unit.taken;
  return live;
}

void PieceSchedule::UnitOrder(const Unit& unit, std::vector<int32_t>* order) {
  order->resize(static_cast<size_t>(unit.rows));
  for (size_t i = 0; i < order->size(); ++i) (*order)[i] = static_cast<int32_t>(i);
  Rng rng(unit.seed);
  rng.Shuffle(*order);
}

Status PieceSchedule::CheckStep(const Step& step) {
  int64_t total = 0;
  std::vector<int64_t> seen;
  for (const Run& run : step.runs) {
    if (run.count <= 0 || run.first < 0) {
      return Internal("piece schedule: a run of unit " + std::to_string(run.unit) + " takes " +
                      std::to_string(run.count) + " rows from index " + std::to_string(run.first));
    }
    if (std::find(seen.begin(), seen.end(), run.unit) != seen.end()) {
      return Internal("piece schedule: unit " + std::to_string(run.unit) + " has two runs in one batch");
    }
    seen.push_back(run.unit);
    total += run.count;
  }
  if (static_cast<int64_t>(step.rows.size()) != total) {
    return Internal("piece schedule: " + std::to_string(step.rows.size()) + " batch rows for " +
                    std::to_string(total) + " rows taken");
  }
  std::vector<uint8_t> used(step.rows.size(), 0);
  for (int32_t row : step.rows) {
    if (row < 0 || row >= total || used[static_cast<size_t>(row)] != 0) {
      return Internal("piece schedule: batch row " + std::to_string(row) + " is not a row of the batch, or twice");
    }
    used[static_cast<size_t>(row)] = 1;
  }
  for (int64_t id : step.drained) {
    if (std::find(seen.begin(), seen.end(), id) == seen.end()) {
      return Internal("piece schedule: unit " + std::to_string(id) + " drained without a run in the batch");
    }
  }
  return Status::Ok();
}

}  // namespace rootbatch::loader
