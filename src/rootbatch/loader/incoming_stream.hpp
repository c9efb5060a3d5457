// IncomingStream: the rows of a shard's stream arriving in stream order, one
// staged segment at a time from the prefetcher (which reads them in that
// order after any segments read to restore a buffer). Used by the
// strategies' assembly on the assembler thread.
#pragma once

#include <memory>
#include <string>

#include "rootbatch/base/status.hpp"
#include "rootbatch/loader/block_reader.hpp"
#include "rootbatch/loader/epoch_order.hpp"
#include "rootbatch/loader/prefetcher.hpp"

namespace rootbatch::loader {

class IncomingStream {
 public:
  // `block`: the last block read before (recycled at the first Seek), or null.
  IncomingStream(const EpochOrder& order, Prefetcher& prefetcher, size_t first_segment,
                 std::unique_ptr<StagedBlock> block)
      : order_(order), prefetcher_(prefetcher), current_(first_segment), block_(std::move(block)) {}

  // Makes Block() the segment holding stream position `position` (forward only).
  Status Seek(int64_t position) {
    while (!have_block_ || position >= order_.starts[current_ + 1]) {
      if (have_block_) ++current_;
      prefetcher_.Recycle(std::move(block_));
      RB_ASSIGN_OR_RETURN(block_, prefetcher_.Next());
      if (!block_) return Internal("the prefetcher ran out of blocks at stream position " + std::to_string(position));
      have_block_ = true;
    }
    return Status::Ok();
  }
  const StagedBlock& Block() const { return *block_; }
  // Row of `position` within Block(), and the rows from it to the segment's end.
  int64_t RowOf(int64_t position) const { return position - order_.starts[current_]; }
  int64_t RowsToEnd(int64_t position) const { return order_.starts[current_ + 1] - position; }

 private:
  const EpochOrder& order_;
  Prefetcher& prefetcher_;
  size_t current_;
  bool have_block_ = false;
  std::unique_ptr<StagedBlock> block_;
};

}  // namespace rootbatch::loader
