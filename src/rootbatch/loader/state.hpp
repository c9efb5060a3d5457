// LoaderState: what resumes an interrupted epoch. Small on purpose: the
// order of an epoch is a function of the seed and the epoch, so a position
// (batches already consumed) is enough to rebuild the rest, including the
// shuffle buffer's contents (by replaying the slot schedule, then reading the
// blocks its rows came from).
//
// The fingerprint hashes everything else the batches depend on (data size,
// split, shard, batch size, strategy, buffer size); restoring into a loader
// whose fingerprint differs is an error rather than silently different
// batches. Thread counts may differ.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rootbatch/base/status.hpp"

namespace rootbatch::loader {

struct LoaderState {
  uint64_t seed = 0;
  int64_t epoch = 0;
  int64_t position = 0;      // batches of this epoch already consumed
  uint64_t fingerprint = 0;

  // "rootbatch-loader-state/1 seed=.. epoch=.. position=.. fingerprint=.."
  std::string Serialize() const;
  static Result<LoaderState> Parse(std::string_view text);
  bool operator==(const LoaderState&) const = default;
};

}  // namespace rootbatch::loader
