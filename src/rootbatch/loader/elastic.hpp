// Elastic resume: the rest of an epoch interrupted in one world shape
// (world_size W x num_workers k shards) continued in another (W' x k').
//
// A shard's LoaderState is its position (batches consumed); the order and
// the slot schedule of every shard are functions of the seed, so the rows
// the W x k shards yielded are recomputed by replaying each shard's epoch
// on positions, as the shuffle plan does, without reading data. The rows of
// the epoch not yet yielded are then a dataset of their own (SubsetSource
// per file, the file's baskets still the units), and the resumed shard is a
// loader over it with the new shape: a fresh streaming shuffle of what is
// left, cut into W' x k' equal parts, every row once (its remainder spread
// over the first shards where batch counts allow; else left out as in any
// epoch, and counted in EpochInfo::left_out).
//
// So: the union of the batches before and after is every row of the epoch
// exactly once; every new shard yields the same number of batches; the
// batches after the resume differ from those an uninterrupted run would have
// made (a same-shape restore, Loader::Restore, stays batch-identical).
// The resumed loader yields that epoch's rest only (SetEpoch to another
// epoch is refused); the next epochs come from a loader built for the new
// shape. Batch::entries of a resumed loader number the rows left (0 .. rows left
// - 1, in input and file order), not the original entries.
//
// Not supported (refused with the reason): inputs sampled with a ratio above
// 1 (a row may then come twice in an epoch).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/loader/loader.hpp"
#include "rootbatch/loader/state.hpp"

namespace rootbatch::loader {

// Where every shard of a world stood: what ResumeElastic needs.
struct WorldState {
  uint64_t seed = 0;
  int64_t epoch = 0;
  int world_size = 1;
  int num_workers = 1;
  std::vector<int64_t> positions;  // batches consumed by shard rank x num_workers + worker_id
  uint64_t fingerprint = 0;        // of the data and options, shape left out

  // "rootbatch-world-state/1 seed=.. epoch=.. world_size=.. num_workers=.. positions=a,b,.. fingerprint=.."
  std::string Serialize() const;
  static Result<WorldState> Parse(std::string_view text);
  bool operator==(const WorldState&) const = default;
};

// Gathers the states of every shard of a world (`states[rank x num_workers
// + worker_id]`, saved by loaders built with `options` but for the shard
// fields, which are `world_size` x `num_workers`). Each state is checked
// against its shard's loader (seed, fingerprint, one epoch for all). A
// shard that had not started the epoch yet (nullopt) is at its position 0;
// at least one state must say which epoch it is.
Result<WorldState> GatherWorld(const std::vector<LoaderInput>& inputs, LoaderOptions options, int world_size,
                               int num_workers, const std::vector<std::optional<LoaderState>>& states);

// A loader for shard (options.rank, options.worker_id) of the new shape
// (options.world_size x options.num_workers) yielding the rest of `world`'s
// epoch. `inputs` and the other options must be those of the saved world.
Result<std::unique_ptr<Loader>> ResumeElastic(const std::vector<LoaderInput>& inputs, LoaderOptions options,
                                              const WorldState& world);

}  // namespace rootbatch::loader
