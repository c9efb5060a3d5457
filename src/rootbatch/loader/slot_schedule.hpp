// SlotSchedule: which rows of the shuffle buffer go into each batch, decided
// on row positions alone (no data), so it is cheap to replay for resume and
// identical whatever the number of threads.
//
// The buffer has `num_slots` slots. Rows arrive in stream order (position 0,
// 1, ... of the shard's EpochOrder); the buffer starts filled with the first
// rows. Each step takes up to batch_size slots and, in the same order, refills
// each taken slot with the next incoming row (while rows remain), so the
// buffer stays full until the stream ends; data-side, each taken slot must be
// copied out before it is refilled.
//
// Strategies choose the slots:
//   kStream:        batch_size distinct slots uniformly at random. While
//                   every slot holds a row and is refilled, slots are drawn
//                   directly (a rejected repeat is drawn again; a bitmap of
//                   the batch's slots finds repeats in cache); once the
//                   stream ends, a partial Fisher-Yates over a list of the
//                   live slots. Either way each batch is a uniform sample.
//   kClusterChunks: the live slots are shuffled once per buffer generation
//                   and taken in that order; refilled slots hold the next
//                   generation, so this is ROOT's fill-shuffle-drain cycle.
//   kNone:          like kClusterChunks without shuffling: rows in order.
#pragma once

#include <cstdint>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/loader/options.hpp"
#include "rootbatch/loader/rng.hpp"

namespace rootbatch::loader {

class SlotSchedule {
 public:
  struct Step {
    std::vector<int32_t> take;       // slots read out, in batch row order
    std::vector<int64_t> positions;  // stream position of each row read out (when tracking)
    int64_t fill_begin = 0;          // take[i] (i < fill_count) is refilled with fill_begin + i
    int64_t fill_count = 0;
    // Chunked strategies: indices of `take` where a new buffer generation
    // begins. A slot taken and refilled before such an index may be taken
    // again after it, so copy out and refill in runs split at these indices.
    std::vector<size_t> generation_starts;
  };

  // `rows` in the shard's stream; `num_batches` steps are produced (the
  // caller decides drop_remainder); seed drives kStream and kClusterChunks.
  // With `track_positions` the schedule also records which stream position
  // each slot holds (8 bytes per slot): needed to replay up to a resume
  // point, not to run.
  SlotSchedule(ShuffleStrategy strategy, int64_t num_slots, int64_t batch_size, int64_t rows,
               int64_t num_batches, uint64_t seed, bool track_positions);

  // Rows that fill slots [0, InitialFill()) before the first step: positions
  // 0 .. InitialFill() - 1 go to slots 0 .. InitialFill() - 1.
  int64_t InitialFill() const { return initial_fill_; }
  int64_t NumSlots() const { return initial_fill_; }  // slots in use: min(num_slots, rows)

  // Produces the next step; false once num_batches steps were produced.
  bool Next(Step* step);
  int64_t NextIncoming() const { return next_incoming_; }

  // Current stream position held by each slot (-1: empty); tracking only.
  const std::vector<int64_t>& SlotPositions() const { return slot_position_; }
  // Stops tracking and frees the positions.
  void StopTracking();

  // The contract the assembler relies on (Pipeline::Assemble copies each
  // taken row out and refills its slot at once, run by run): every taken
  // slot is in [0, num_slots); generation_starts are increasing indices in
  // (0, take.size()); within each run between them no slot is taken twice
  // (a slot refilled in a run may only be taken again in a later one);
  // fill_count <= take.size(), and `positions` (when tracked) pairs with
  // `take`. OK or an Internal error saying what broke. Tests run it on every
  // step of every strategy; debug builds check each step as it is used.
  static Status CheckStep(const Step& step, int64_t num_slots);

 private:
  void TakeStream(int64_t count, Step* step);
  bool CanDrawDirectly(int64_t count) const;
  void MakeLiveList();
  void TakeChunked(int64_t count, Step* step);
  void RefillOrEmpty(int32_t slot, Step* step);
  int64_t Take(int32_t slot, Step* step);  // records `slot`, refills it; returns 1 if refilled

  ShuffleStrategy strategy_;
  int64_t batch_size_;
  int64_t rows_;
  int64_t num_batches_;
  Rng rng_;
  int64_t initial_fill_ = 0;
  int64_t next_incoming_ = 0;
  int64_t steps_done_ = 0;
  bool tracking_;
  std::vector<int64_t> slot_position_;  // tracking only
  // kStream: the slots holding a row, once listed (see direct_); chunked:
  // the generation in take order.
  std::vector<int32_t> live_;
  bool direct_ = false;          // kStream: every slot is live and live_ is not built
  std::vector<uint64_t> taken_;  // kStream, direct: bitmap of the slots in this batch
  size_t cursor_ = 0;           // chunked: next index into live_
  std::vector<uint8_t> empty_;  // chunked: slots emptied at the end of the stream
  int64_t emptied_ = 0;
  std::vector<size_t> draws_;   // kStream: the batch's random indices
};

}  // namespace rootbatch::loader
