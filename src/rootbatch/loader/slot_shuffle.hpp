// SlotShuffle: the strategies whose buffer is single rows in slots
// (slot_schedule.hpp): none, stream and cluster-chunks. The schedule's own
// rules (which slots a batch takes) depend on the strategy; the assembly,
// the resume and the replay are one.
#pragma once

#include "rootbatch/loader/shuffle.hpp"

namespace rootbatch::loader {

class SlotShuffle final : public Shuffle {
 public:
  SlotShuffle(ShuffleStrategy strategy, OrderRules rules) : strategy_(strategy), rules_(rules) {}

  std::string_view Name() const override { return ShuffleStrategyName(strategy_); }
  OrderRules Order() const override { return rules_; }
  bool Mixes() const override { return rules_.placement != OrderRules::Placement::kInOrder; }
  Status Replay(const EpochOrder& order, const ScheduleParams& params,
                const std::function<void(std::span<const int64_t>)>& batch) const override;
  Status Assemble(AssemblyContext& context) const override;

 private:
  ShuffleStrategy strategy_;
  OrderRules rules_;
};

}  // namespace rootbatch::loader
