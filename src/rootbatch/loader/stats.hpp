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
  int64_t baskets_read = 0;        // baskets (pages) decompressed
  int64_t baskets_per_epoch = 0;   // baskets of the selected split and columns (amplification = read / this)
  double consumer_wait_s = 0;      // time Next() waited for a batch
  double assembler_wait_s = 0;     // time the assembler waited for blocks
  double worker_idle_s = 0;        // time decompression workers waited for work, summed
  double first_batch_s = -1;       // from the first Next() of the last started epoch to its first batch
};

}  // namespace rootbatch::loader
