// Shuffle: one shuffle strategy behind one interface. A strategy is two
// things that must agree: the epoch's order (how blocks become the units the
// order places, and how they are placed: OrderRules, read by
// BuildEpochOrder) and the batch schedule over that order, which it runs in
// two ways: on positions alone (Replay: the shuffle plan, elastic resume,
// the layout suite, tests) and on data (Assemble: the pipeline's assembler
// thread). Both ways make the same batches; the tests compare them.
//
// The ShuffleStrategy option names a strategy; ShuffleOf gives its
// implementation, and nothing else looks at the option's value.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/loader/batch.hpp"
#include "rootbatch/loader/epoch_order.hpp"
#include "rootbatch/loader/options.hpp"

namespace rootbatch::loader {

struct PipelineConfig;
class Prefetcher;
struct PrefetchHooks;

// How BuildEpochOrder forms and places the units of a strategy's order.
struct OrderRules {
  enum class Units : uint8_t {
    kBlocks,    // basket-aligned blocks (block_split pieces each where `streams`)
    kClusters,  // whole clusters (blocks of one cluster stay together)
  };
  enum class Placement : uint8_t {
    kInOrder,   // global order
    kPermuted,  // a seeded permutation (or, where `streams` and stratify, the stratified order)
  };
  Units units = Units::kBlocks;
  Placement placement = Placement::kPermuted;
  // Rows stream through a buffer that mixes pieces: blocks are cut into
  // pieces of buffer / pieces_per_buffer rows, block_split and stratify apply.
  bool streams = false;
};

// What a schedule is run with, beyond the shard's EpochOrder.
struct ScheduleParams {
  int64_t buffer_rows = 0;  // MemoryPlan::num_slots
  int64_t slot_stride = 0;  // bytes per buffered row (RowLayout::slot_stride)
  int64_t batch_size = 0;
  int64_t num_batches = 0;
  uint64_t seed = 0;        // Loader::SlotSeed(epoch)
};

// The assembler thread's means: its configuration, how to start the reads
// (the segments in the order they will be consumed) and where batches go.
struct AssemblyContext {
  const PipelineConfig& config;
  std::function<std::shared_ptr<Prefetcher>(std::vector<Segment>)> start_reads;
  std::function<bool(Batch)> push;  // false: the loader was stopped
  // start_reads with a step around each read (PrefetchHooks; the scatter
  // strategy's: rows written straight into their batches by the workers)
  // and `window` segments read ahead.
  std::function<std::shared_ptr<Prefetcher>(std::vector<Segment>, PrefetchHooks, int window)> start_hooked_reads;
};

class Shuffle {
 public:
  virtual ~Shuffle() = default;

  virtual std::string_view Name() const = 0;
  virtual OrderRules Order() const = 0;
  // False for a strategy that keeps rows in stream order (it needs no buffer
  // beyond one batch, and has no shuffle figures to warn about).
  virtual bool Mixes() const = 0;
  // False for a strategy that keeps no rows in PipelineConfig::slot_memory
  // (the loader then maps none, and passes null).
  virtual bool UsesSlotMemory() const { return true; }

  // Every batch of the epoch, in order, as the stream positions of its rows
  // in batch row order, without data.
  virtual Status Replay(const EpochOrder& order, const ScheduleParams& params,
                        const std::function<void(std::span<const int64_t>)>& batch) const = 0;
  // The data path: batches config.start_batch .. config.num_batches - 1.
  virtual Status Assemble(AssemblyContext& context) const = 0;
};

const Shuffle& ShuffleOf(ShuffleStrategy strategy);

}  // namespace rootbatch::loader
