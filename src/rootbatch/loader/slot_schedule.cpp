#include "rootbatch/loader/slot_schedule.hpp"

#include <algorithm>
#include <string>

namespace rootbatch::loader {

SlotSchedule::SlotSchedule(ShuffleStrategy strategy, int64_t num_slots, int64_t batch_size, int64_t rows,
                           int64_t num_batches, uint64_t seed, bool track_positions)
    : strategy_(strategy),
      batch_size_(batch_size),
      rows_(rows),
      num_batches_(num_batches),
      rng_(seed),
      tracking_(track_positions) {
  initial_fill_ = std::max<int64_t>(std::min(num_slots, rows), 0);
  if (tracking_) {
    slot_position_.resize(static_cast<size_t>(initial_fill_));
    for (size_t s = 0; s < slot_position_.size(); ++s) slot_position_[s] = static_cast<int64_t>(s);
  }
  // Direct draws only pay while repeats are rare: a batch of at most a
  // quarter of the buffer redraws fewer than 1 slot in 4 (the choice
  // depends on sizes alone, so it is the same on every run and on resume).
  direct_ = strategy_ == ShuffleStrategy::kStream && batch_size_ * 4 <= initial_fill_;
  if (direct_) {
    taken_.assign(static_cast<size_t>((initial_fill_ + 63) / 64), 0);
  } else {
    MakeLiveList();
  }
  next_incoming_ = initial_fill_;
  if (strategy_ == ShuffleStrategy::kClusterChunks) rng_.Shuffle(live_);
}

void SlotSchedule::StopTracking() {
  tracking_ = false;
  std::vector<int64_t>().swap(slot_position_);
}

int64_t SlotSchedule::Take(int32_t slot, Step* step) {
  step->take.push_back(slot);
  const auto s = static_cast<size_t>(slot);
  if (tracking_) step->positions.push_back(slot_position_[s]);
  if (next_incoming_ < rows_) {
    if (tracking_) slot_position_[s] = next_incoming_;
    ++next_incoming_;
    ++step->fill_count;
    return 1;
  }
  if (tracking_) slot_position_[s] = -1;
  if (strategy_ != ShuffleStrategy::kStream) {
    if (empty_.empty()) empty_.assign(static_cast<size_t>(initial_fill_), 0);
    empty_[s] = 1;
    ++emptied_;
  }
  return 0;
}

void SlotSchedule::MakeLiveList() {
  live_.resize(static_cast<size_t>(initial_fill_));
  for (size_t s = 0; s < live_.size(); ++s) live_[s] = static_cast<int32_t>(s);
  direct_ = false;
  std::vector<uint64_t>().swap(taken_);
}

bool SlotSchedule::CanDrawDirectly(int64_t count) const {
  // Every slot taken now is refilled, so all stay live after this step.
  return direct_ && next_incoming_ + count <= rows_;
}

void SlotSchedule::TakeStream(int64_t count, Step* step) {
  if (CanDrawDirectly(count)) {
    const auto live = static_cast<uint64_t>(initial_fill_);
    const size_t first = step->take.size();
    step->take.resize(first + static_cast<size_t>(count));
    int32_t* drawn = step->take.data() + first;
    for (int64_t k = 0; k < count; ++k) {
      uint64_t slot = rng_.Below(live);
      while ((taken_[slot / 64] >> (slot % 64)) & 1) slot = rng_.Below(live);
      taken_[slot / 64] |= uint64_t{1} << (slot % 64);
      drawn[k] = static_cast<int32_t>(slot);
    }
    for (int64_t k = 0; k < count; ++k) taken_[static_cast<size_t>(drawn[k]) / 64] = 0;
    // Every slot drawn is refilled (CanDrawDirectly): what Take does for
    // each, in one go unless positions are tracked.
    if (tracking_) {
      for (int64_t k = 0; k < count; ++k) {
        const auto s = static_cast<size_t>(drawn[k]);
        step->positions.push_back(slot_position_[s]);
        slot_position_[s] = next_incoming_ + k;
      }
    }
    next_incoming_ += count;
    step->fill_count += count;
    return;
  }
  if (direct_) MakeLiveList();  // the stream ends in this step: slots start to empty
  // A partial Fisher-Yates makes live_[0 .. count) the batch. The random
  // indices do not depend on the array, so draw them first and prefetch
  // what they point at: live_ is large and read at random.
  const size_t live = live_.size();
  const auto n = static_cast<size_t>(count);
  draws_.resize(n);
  for (size_t k = 0; k < n; ++k) {
    draws_[k] = k + static_cast<size_t>(rng_.Below(live - k));
    __builtin_prefetch(&live_[draws_[k]]);
  }
  for (size_t k = 0; k < n; ++k) std::swap(live_[k], live_[draws_[k]]);
  size_t refilled = 0;
  for (size_t k = 0; k < n; ++k) refilled += static_cast<size_t>(Take(live_[k], step));
  // Slots not refilled (the stream ended) are the last ones taken; remove
  // them from the live set, from the back so the others stay in place.
  for (size_t k = n; k-- > refilled;) {
    live_[k] = live_.back();
    live_.pop_back();
  }
}

void SlotSchedule::TakeChunked(int64_t count, Step* step) {
  for (int64_t k = 0; k < count; ++k) {
    if (cursor_ >= live_.size()) {
      // A new generation: the slots refilled during the last one, shuffled.
      if (emptied_ > 0) {
        std::erase_if(live_, [this](int32_t slot) { return empty_[static_cast<size_t>(slot)] != 0; });
      }
      cursor_ = 0;
      if (live_.empty()) return;
      if (strategy_ == ShuffleStrategy::kClusterChunks) rng_.Shuffle(live_);
      if (k > 0) step->generation_starts.push_back(static_cast<size_t>(k));
    }
    Take(live_[cursor_++], step);
  }
}

Status SlotSchedule::CheckStep(const Step& step, int64_t num_slots) {
  const size_t count = step.take.size();
  if (step.fill_count < 0 || static_cast<size_t>(step.fill_count) > count) {
    return Internal("slot schedule: a step refills " + std::to_string(step.fill_count) + " slots but takes " +
                    std::to_string(count));
  }
  if (!step.positions.empty() && step.positions.size() != count) {
    return Internal("slot schedule: a step records " + std::to_string(step.positions.size()) +
                    " positions for " + std::to_string(count) + " slots");
  }
  size_t previous = 0;
  for (size_t start : step.generation_starts) {
    if (start <= previous || start >= count) {
      return Internal("slot schedule: generation start " + std::to_string(start) + " is not in (" +
                      std::to_string(previous) + ", " + std::to_string(count) + ")");
    }
    previous = start;
  }
  std::vector<uint8_t> in_run(static_cast<size_t>(std::max<int64_t>(num_slots, 0)), 0);
  size_t run_begin = 0;
  for (size_t g = 0; g <= step.generation_starts.size(); ++g) {
    const size_t run_end = g < step.generation_starts.size() ? step.generation_starts[g] : count;
    for (size_t i = run_begin; i < run_end; ++i) {
      const int32_t slot = step.take[i];
      if (slot < 0 || slot >= num_slots) {
        return Internal("slot schedule: slot " + std::to_string(slot) + " is outside the buffer of " +
                        std::to_string(num_slots));
      }
      if (in_run[static_cast<size_t>(slot)] != 0) {
        return Internal("slot schedule: slot " + std::to_string(slot) + " is taken twice in one run (at " +
                        std::to_string(i) + "): its refilled row would be copied out in place of the one taken");
      }
      in_run[static_cast<size_t>(slot)] = 1;
    }
    for (size_t i = run_begin; i < run_end; ++i) in_run[static_cast<size_t>(step.take[i])] = 0;
    run_begin = run_end;
  }
  return Status::Ok();
}

bool SlotSchedule::Next(Step* step) {
  step->take.clear();
  step->positions.clear();
  step->generation_starts.clear();
  step->fill_begin = next_incoming_;
  step->fill_count = 0;
  if (steps_done_ >= num_batches_) return false;
  // Rows not yet handed out: those in slots plus those still to arrive.
  const int64_t remaining = rows_ - steps_done_ * batch_size_;
  const int64_t count = std::min(batch_size_, remaining);
  if (count <= 0) return false;
  if (strategy_ == ShuffleStrategy::kStream) {
    const int64_t live = direct_ ? initial_fill_ : static_cast<int64_t>(live_.size());
    TakeStream(std::min<int64_t>(count, live), step);
  } else {
    TakeChunked(count, step);
  }
  ++steps_done_;
  return true;
}

}  // namespace rootbatch::loader
