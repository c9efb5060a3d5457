// What a loader has done so far (all epochs, this loader), for benchmarks
// and for users who want to see where time goes.
#pragma once

#include <cstdint>

namespace rootbatch::loader {

struct LoaderStats {
  int64_t batches = 0;
  int64_t events = 0;
  int64_t bytes_read = 0;          // compressed bytes the sources fetched
  int64_t bytes_decompressed = 0;  // bytes after decompression
  // Storage units: a format's compressed pieces of one column (TTree
  // baskets, RNTuple pages), so that the figures read the same for both.
  int64_t units_read = 0;          // units decompressed (or copied, when stored raw)
  int64_t units_per_epoch = 0;     // units of the selected split and columns (amplification = read / this)
  double consumer_wait_s = 0;      // time Next() waited for a batch
  double assembler_wait_s = 0;     // time the assembler waited for blocks
  double worker_idle_s = 0;        // time decompression workers waited for work, summed
  double first_batch_s = -1;       // from the first Next() of the last started epoch to its first batch
};

}  // namespace rootbatch::loader
