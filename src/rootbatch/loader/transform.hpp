// Per-column preprocessing (ColumnTransform, options.hpp) on converted
// values: fill_nan, log, standardise, clip, in that order, in place. The
// workers apply it as they convert a block, so a batch leaves the loader
// ready for the model and the consumer's thread does no per-value work.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/data_type.hpp"
#include "rootbatch/loader/options.hpp"

namespace rootbatch::loader {

// True when the transform changes any value (a kNone transform with no
// fill_nan, log or clip is allowed and does nothing).
bool IsIdentity(const ColumnTransform& transform);

// Applies `transform` to `rows` runs of `count` contiguous float32 or
// float64 values, the runs `stride` bytes apart.
void ApplyTransform(const ColumnTransform& transform, DataType type, uint8_t* first, int64_t rows, int64_t count,
                    size_t stride);

// Running mean and spread of the values a transform's standardisation sees
// (after fill_nan and log): Welford's update, NaN and infinities skipped.
class MomentAccumulator {
 public:
  void Add(double value);
  // Adds many values at once: the chunk's own mean and squared deviations
  // (two vectorisable passes, no division per value), merged with Chan et
  // al.'s pairwise update; NaN and infinities skipped.
  void AddAll(std::span<const double> values);
  int64_t Count() const { return count_; }
  double Mean() const { return mean_; }
  double StdDev() const;  // population spread; 0 with fewer than 2 values

 private:
  int64_t count_ = 0;
  double mean_ = 0.0;
  double m2_ = 0.0;
};

// The value standardisation sees for a raw value: fill_nan, then log.
double BeforeScaling(const ColumnTransform& transform, double value);

}  // namespace rootbatch::loader
