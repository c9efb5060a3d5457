// ScatterShuffle: the `scatter` strategy. The order is the streaming order
// of kStream (pieces of blocks, stratified); every row's batch and batch row
// are fixed when it arrives (scatter_schedule.hpp), and the worker that read
// it writes it there (scatter_batches.hpp): the assembler thread only routes
// (one destination per row, computed ahead of the reads) and hands out each
// batch once every read writing into it is done. No shuffle buffer of rows:
// the budget's buffer share holds the open batches instead.
//
// Fixed rows only: a layout with ragged columns (jagged columns or
// collections read as ragged) fails with InvalidArgument naming
// shuffle='stream', whose buffer keeps ragged values per row.
#pragma once

#include "rootbatch/loader/shuffle.hpp"

namespace rootbatch::loader {

class ScatterShuffle final : public Shuffle {
 public:
  std::string_view Name() const override { return ShuffleStrategyName(ShuffleStrategy::kScatter); }
  OrderRules Order() const override {
    return {OrderRules::Units::kBlocks, OrderRules::Placement::kPermuted, /*streams=*/true};
  }
  bool Mixes() const override { return true; }
  bool UsesSlotMemory() const override { return false; }  // its rows live in the open batches
  Status Replay(const EpochOrder& order, const ScheduleParams& params,
                const std::function<void(std::span<const int64_t>)>& batch) const override;
  Status Assemble(AssemblyContext& context) const override;
};

}  // namespace rootbatch::loader
