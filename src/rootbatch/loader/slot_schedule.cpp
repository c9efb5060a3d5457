#include "rootbatch/loader/slot_schedule.hpp"

#include <algorithm>

namespace rootbatch::loader {

SlotSchedule::SlotSchedule(ShuffleStrategy strategy, int64_t num_slots, int64_t batch_size, int64_t rows,
                           int64_t num_batches, uint64_t seed)
    : strategy_(strategy), batch_size_(batch_size), rows_(rows), num_batches_(num_batches), rng_(seed) {
  initial_fill_ = std::min(num_slots, rows);
  slot_position_.assign(static_cast<size_t>(std::max<int64_t>(initial_fill_, 0)), -1);
  live_.resize(slot_position_.size());
  for (size_t s = 0; s < slot_position_.size(); ++s) {
    slot_position_[s] = static_cast<int64_t>(s);
    live_[s] = static_cast<int32_t>(s);
  }
  next_incoming_ = initial_fill_;
  cursor_ = 0;
  if (strategy_ == ShuffleStrategy::kClusterChunks) rng_.Shuffle(live_);
}

void SlotSchedule::RefillOrEmpty(int32_t slot, Step* step) {
  if (next_incoming_ < rows_) {
    if (step->fill_count == 0) step->fill_begin = next_incoming_;
    slot_position_[static_cast<size_t>(slot)] = next_incoming_++;
    ++step->fill_count;
  } else {
    slot_position_[static_cast<size_t>(slot)] = -1;
  }
}

void SlotSchedule::TakeStream(int64_t count, Step* step) {
  // Partial Fisher-Yates: live_[0 .. count) become the batch.
  const size_t live = live_.size();
  for (size_t k = 0; k < static_cast<size_t>(count); ++k) {
    size_t j = k + static_cast<size_t>(rng_.Below(live - k));
    std::swap(live_[k], live_[j]);
  }
  for (size_t k = 0; k < static_cast<size_t>(count); ++k) {
    int32_t slot = live_[k];
    step->take.push_back(slot);
    step->positions.push_back(slot_position_[static_cast<size_t>(slot)]);
    RefillOrEmpty(slot, step);
  }
  // Slots left empty (the stream ended) leave the live set; remove from the
  // back so that the indices still to visit are not disturbed.
  for (size_t k = static_cast<size_t>(count); k-- > 0;) {
    if (slot_position_[static_cast<size_t>(live_[k])] < 0) {
      live_[k] = live_.back();
      live_.pop_back();
    }
  }
}

void SlotSchedule::TakeChunked(int64_t count, Step* step) {
  for (int64_t k = 0; k < count; ++k) {
    if (cursor_ >= live_.size()) {
      // A new generation: the slots refilled during the last one, shuffled.
      std::vector<int32_t> next;
      next.reserve(live_.size());
      for (int32_t slot : live_) {
        if (slot_position_[static_cast<size_t>(slot)] >= 0) next.push_back(slot);
      }
      live_.swap(next);
      cursor_ = 0;
      if (live_.empty()) return;
      if (strategy_ == ShuffleStrategy::kClusterChunks) rng_.Shuffle(live_);
    }
    int32_t slot = live_[cursor_++];
    step->take.push_back(slot);
    step->positions.push_back(slot_position_[static_cast<size_t>(slot)]);
    RefillOrEmpty(slot, step);
  }
}

bool SlotSchedule::Next(Step* step) {
  step->take.clear();
  step->positions.clear();
  step->fill_begin = next_incoming_;
  step->fill_count = 0;
  if (steps_done_ >= num_batches_) return false;
  // Rows not yet handed out: those in slots plus those still to arrive.
  int64_t remaining = rows_ - (steps_done_ * batch_size_);
  int64_t count = std::min(batch_size_, remaining);
  if (count <= 0) return false;
  if (strategy_ == ShuffleStrategy::kStream) {
    TakeStream(count, step);
  } else {
    TakeChunked(count, step);
  }
  ++steps_done_;
  return true;
}

}  // namespace rootbatch::loader
