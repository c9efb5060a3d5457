// PieceShuffle: the `pieces` strategy. The order is the streaming order of
// kStream (pieces of blocks, stratified); the buffer holds whole pieces in a
// random row order each, and every batch takes its share of each piece in
// the buffer as a contiguous run (piece_schedule.hpp, piece_buffer.hpp).
#pragma once

#include "rootbatch/loader/shuffle.hpp"

namespace rootbatch::loader {

class PieceShuffle final : public Shuffle {
 public:
  std::string_view Name() const override { return ShuffleStrategyName(ShuffleStrategy::kPieces); }
  OrderRules Order() const override {
    return {OrderRules::Units::kBlocks, OrderRules::Placement::kPermuted, /*streams=*/true};
  }
  bool Mixes() const override { return true; }
  Status Replay(const EpochOrder& order, const ScheduleParams& params,
                const std::function<void(std::span<const int64_t>)>& batch) const override;
  Status Assemble(AssemblyContext& context) const override;

  // Rows per page of a buffer of `buffer_rows`: about 4 KiB of rows, at
  // most an 800th of the buffer, at least one.
  static int64_t PageRows(int64_t slot_stride, int64_t buffer_rows);
};

}  // namespace rootbatch::loader
