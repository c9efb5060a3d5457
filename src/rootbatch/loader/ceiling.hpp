// The decompression ceiling: what the loader's reads cost alone. Reads
// every column of every segment of the loader's current epoch (the same
// baskets, in the same order, with the same number of threads) and throws
// the values away, building no rows and no batches. A loader that reaches
// a large fraction of this rate is limited by decompression, not by itself.
#pragma once

#include <cstdint>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/loader/loader.hpp"

namespace rootbatch::loader {

struct CeilingResult {
  int64_t events = 0;
  double seconds = 0;
  ReadStats reads;
};

Result<CeilingResult> RunCeiling(const Loader& loader, int threads);

}  // namespace rootbatch::loader
