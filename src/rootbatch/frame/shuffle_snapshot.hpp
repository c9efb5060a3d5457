// The shuffled Snapshot: an external shuffle in one pass over the input at
// bounded memory. Every row goes to one of B buckets drawn at random (B chosen
// so a bucket fits in a third of the budget); each bucket gathers in memory
// and spills to its own file on local disk when the scatter buffers fill.
// Then each bucket in turn is read back, its rows permuted at random
// (Fisher-Yates) and written. A row's position is then uniformly random:
// bucket sizes are multinomial and each bucket's order is uniform, which is a
// uniformly random permutation of the whole. The bucket files live in a
// fresh directory removed on success, on failure and on cancellation.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/frame/frame.hpp"
#include "rootbatch/frame/frame_source.hpp"

namespace rootbatch::frame {

// Writes the rows of `sources` (columns `indices`, of `specs`) shuffled,
// with options.memory_budget, seed, temp_dir, report and cancel. On failure
// or cancellation the output and the bucket files are removed.
Status WriteShuffled(const std::vector<std::unique_ptr<FrameSource>>& sources, std::span<const size_t> indices,
                     std::span<const ColumnSpec> specs, const std::string& tree, const std::string& path,
                     const SnapshotOptions& options);

}  // namespace rootbatch::frame
