// Loader: shuffled, memory-bounded, multi-threaded batches from one or more
// datasets. The C++ API a training loop uses directly; docs/loader.md has a
// worked example.
//
//   std::vector<loader::LoaderInput> inputs = {{dataset}};
//   loader::LoaderOptions options;
//   options.targets = {"label"};
//   options.memory_budget = 512 * loader::kMiB;
//   RB_ASSIGN_OR_RETURN(auto train, loader::Loader::Create(inputs, options));
//   for (int64_t epoch = 0; epoch < 10; ++epoch) {
//     RB_RETURN_IF_ERROR(train->SetEpoch(epoch));
//     while (true) {
//       RB_ASSIGN_OR_RETURN(std::optional<loader::Batch> batch, train->Next());
//       if (!batch) break;
//       // batch->features: [rows, F] float32, row-major, 64-byte aligned
//     }
//   }
//
// Guarantees:
//  - Determinism: the batches (rows, order, values) depend only on the data,
//    the columns and the options listed as such in options.hpp, never on
//    num_threads or timing.
//  - Each epoch yields every row of this shard's part exactly once; shards
//    (rank x worker) are disjoint and yield the same number of batches.
//    Left out per epoch: epoch_rows mod (world_size x num_workers) rows (a
//    different random set each epoch), and with drop_remainder the last
//    partial batch of every shard.
//  - Memory: the loader's own allocations stay within memory_budget
//    (docs/loader.md lists what is estimated).
//  - Threads: none exists before the first Next(); none survives the
//    loader; destroying it mid-epoch cancels reads and returns promptly.
//  - Errors: a failed read reaches the consumer at its next Next(), with the
//    column, entries and file; the loader then keeps returning it until
//    SetEpoch or Restore.
//
// A Loader is used from one thread at a time (its consumer).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/base/thread_pool.hpp"
#include "rootbatch/loader/batch.hpp"
#include "rootbatch/loader/block_reader.hpp"
#include "rootbatch/loader/budget.hpp"
#include "rootbatch/loader/buffer_pool.hpp"
#include "rootbatch/loader/epoch_order.hpp"
#include "rootbatch/loader/large_memory.hpp"
#include "rootbatch/loader/layout.hpp"
#include "rootbatch/loader/options.hpp"
#include "rootbatch/loader/plan.hpp"
#include "rootbatch/loader/reweight.hpp"
#include "rootbatch/loader/state.hpp"
#include "rootbatch/loader/stats.hpp"

namespace rootbatch::loader {

class Pipeline;

// The current epoch's numbers for this shard.
struct EpochInfo {
  int64_t epoch = 0;
  int64_t rows = 0;          // rows this shard's part holds
  int64_t num_batches = 0;   // batches this shard yields (same on every shard)
  int64_t yielded_rows = 0;  // rows in those batches
  int64_t epoch_rows = 0;    // rows of the epoch across all shards (after sampling)
  int64_t left_out = 0;      // epoch rows no shard yields (epoch_rows mod shards)
};

// What Next(timeout) found: a batch, the end of the epoch, or nothing yet
// (the wait timed out; the batch being made is not lost, a later call
// returns it).
struct NextResult {
  enum class Kind { kBatch, kEndOfEpoch, kNotYet };
  Kind kind = Kind::kNotYet;
  std::optional<Batch> batch;  // set for kBatch only
};

class Loader {
 public:
  static Result<std::unique_ptr<Loader>> Create(std::vector<LoaderInput> inputs, LoaderOptions options);
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;
  ~Loader();

  // Starts epoch `epoch` (>= 0) from its first batch, stopping any epoch in
  // flight. A fresh loader is at epoch 0.
  Status SetEpoch(int64_t epoch);
  // The next batch of the current epoch; nullopt once it is done.
  Result<std::optional<Batch>> Next();
  // Like Next(), waiting at most `timeout` for the batch: kNotYet if it is
  // not ready by then. A caller that must stay responsive (the Python glue
  // checks for Ctrl-C between calls) loops on it; kNotYet changes nothing
  // (State(), SetEpoch and Restore see only the batches returned).
  Result<NextResult> Next(std::chrono::nanoseconds timeout);

  const EpochInfo& Epoch() const { return info_; }
  // Where the consumer is: restore it into a loader built with the same
  // inputs and options (num_threads may differ) to continue identically.
  LoaderState State() const;
  Status Restore(const LoaderState& state);
  // What the batches depend on but for the world shape (world_size, rank,
  // num_workers, worker_id): equal for every shard of a world and across
  // shapes, so an elastic resume (elastic.hpp) can check a saved world.
  uint64_t ShapeFreeFingerprint() const;

  LoaderStats Stats() const;
  const RowLayout& Layout() const { return reader_->Layout(); }
  const MemoryPlan& Memory() const { return memory_; }
  // Every transform with the numbers it applies ("auto" ones computed), and
  // the training entries sampled for them (0 when none is "auto").
  const std::vector<ColumnTransform>& Preprocessing() const { return reader_->Layout().transforms; }
  int64_t PreprocessingSampled() const { return preprocessing_sampled_; }
  // The class reweighting's table (null without one); in sample mode, the
  // events of the split considered and kept.
  std::shared_ptr<const ReweightTable> ClassWeights() const { return reweight_table_; }
  int64_t ReweightConsidered() const { return reweight_considered_; }
  int64_t ReweightKept() const { return reweight_kept_; }
  const Plan& BlockPlan() const { return plan_; }
  const LoaderOptions& Options() const { return options_; }
  const std::vector<LoaderInput>& Inputs() const { return inputs_; }
  // The seed of this shard's slot schedule in `epoch`.
  uint64_t SlotSeed(int64_t epoch) const;
  // The current epoch's read order for this shard, and the reader that reads
  // it (what `rootbatch bench --ceiling` decompresses).
  const EpochOrder& Order() const { return *order_; }
  const BlockReader& Reader() const { return *reader_; }

 private:
  Loader() = default;
  static Result<std::unique_ptr<Loader>> CreateSampled(const std::vector<LoaderInput>& inputs,
                                                       const std::vector<std::vector<std::vector<size_t>>>& indices,
                                                       const LoaderOptions& options, const RowLayout& layout,
                                                       int64_t sampled);
  std::shared_ptr<const EpochOrder> BuildOrder(int64_t epoch) const;
  int64_t BatchesOf(const EpochOrder& order) const;
  // Stops any epoch in flight and starts `epoch` at its first batch.
  void StartEpoch(int64_t epoch, std::shared_ptr<const EpochOrder> order);
  void StopPipeline();
  // Next() (no timeout) or Next(timeout) (`*timed_out` set on a timeout).
  Result<std::optional<Batch>> NextBatch(const std::chrono::nanoseconds* timeout, bool* timed_out);
  uint64_t Fingerprint() const { return FingerprintOf(options_); }
  uint64_t FingerprintOf(const LoaderOptions& options) const;

  std::vector<LoaderInput> inputs_;
  LoaderOptions options_;
  Plan plan_;
  MemoryPlan memory_;
  std::shared_ptr<const BlockReader> reader_;
  std::shared_ptr<BufferPool> buffers_;
  std::shared_ptr<LargeMemory> slot_memory_;  // the shuffle buffer, kept across epochs
  std::shared_ptr<const EpochOrder> order_;
  EpochInfo info_;
  int64_t position_ = 0;  // batches of the epoch consumed
  int64_t preprocessing_sampled_ = 0;
  std::shared_ptr<const ReweightTable> reweight_table_;
  int64_t reweight_considered_ = 0;
  int64_t reweight_kept_ = 0;
  Status failure_;
  bool epoch_started_ = false;  // Next() was called since StartEpoch
  bool first_batch_pending_ = false;

  std::unique_ptr<ThreadPool> pool_;    // created at the first Next()
  std::unique_ptr<Pipeline> pipeline_;  // declared after pool_: destroyed first
  LoaderStats stats_;                   // finished pipelines + consumer side
  double epoch_clock_start_ = 0;
};

}  // namespace rootbatch::loader
