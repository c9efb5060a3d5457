#include "rootbatch/loader/transform.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <set>

namespace rootbatch::loader {
namespace {

std::string Quote(const std::string& name) { return "'" + name + "'"; }

// One step at a time over a run of `count` values: each loop is a plain
// pass the compiler vectorises (the common case, standardise and clip, is
// two of them), where one loop doing every step per value was not.
template <typename T>
void ApplyRun(const ColumnTransform& t, T* v, int64_t count) {
  if (t.fill_nan) {
    const T fill = static_cast<T>(*t.fill_nan);
    for (int64_t j = 0; j < count; ++j) v[j] = std::isnan(v[j]) ? fill : v[j];
  }
  if (t.log) {
    for (int64_t j = 0; j < count; ++j) v[j] = std::log(v[j]);
  }
  if (t.scaling != ColumnTransform::Scaling::kNone) {
    const T center = static_cast<T>(t.center);
    const T inverse = static_cast<T>(1.0 / t.scale);
    for (int64_t j = 0; j < count; ++j) v[j] = (v[j] - center) * inverse;
  }
  if (t.clip) {
    // NaN stays NaN through the clip (fill_nan is the way to replace it).
    const T lo = static_cast<T>(t.clip->first);
    const T hi = static_cast<T>(t.clip->second);
    for (int64_t j = 0; j < count; ++j) v[j] = v[j] < lo ? lo : (v[j] > hi ? hi : v[j]);
  }
}

template <typename T>
void ApplyTyped(const ColumnTransform& t, uint8_t* first, int64_t rows, int64_t count, size_t stride) {
  if (count > 1 || stride == sizeof(T)) {
    // Runs of contiguous values (or, with stride == sizeof(T), one run of rows x 1).
    const bool one_run = count == 1 && stride == sizeof(T);
    for (int64_t r = 0; r < (one_run ? 1 : rows); ++r) {
      T* run = reinterpret_cast<T*>(first + static_cast<size_t>(r) * stride);
      if (reinterpret_cast<uintptr_t>(run) % alignof(T) == 0) {
        ApplyRun(t, run, one_run ? rows : count);
      } else {  // an unaligned run: through a buffer
        T buffer[256];
        for (int64_t done = 0; done < (one_run ? rows : count); done += 256) {
          const int64_t n = std::min<int64_t>(256, (one_run ? rows : count) - done);
          std::memcpy(buffer, run + done, static_cast<size_t>(n) * sizeof(T));
          ApplyRun(t, buffer, n);
          std::memcpy(run + done, buffer, static_cast<size_t>(n) * sizeof(T));
        }
      }
    }
    return;
  }
  // One value per row, `stride` apart (a feature column, a BPF member).
  for (int64_t r = 0; r < rows; ++r) {
    T v;
    std::memcpy(&v, first + static_cast<size_t>(r) * stride, sizeof(T));
    ApplyRun(t, &v, 1);
    std::memcpy(first + static_cast<size_t>(r) * stride, &v, sizeof(T));
  }
}

}  // namespace

bool IsIdentity(const ColumnTransform& t) {
  return !t.fill_nan && !t.log && t.scaling == ColumnTransform::Scaling::kNone && !t.clip;
}

void ApplyTransform(const ColumnTransform& transform, DataType type, uint8_t* first, int64_t rows, int64_t count,
                    size_t stride) {
  if (IsIdentity(transform) || rows <= 0 || count <= 0) return;
  if (type == DataType::kFloat32) ApplyTyped<float>(transform, first, rows, count, stride);
  if (type == DataType::kFloat64) ApplyTyped<double>(transform, first, rows, count, stride);
}

void MomentAccumulator::Add(double value) {
  if (!std::isfinite(value)) return;
  ++count_;
  const double delta = value - mean_;
  mean_ += delta / static_cast<double>(count_);
  m2_ += delta * (value - mean_);
}

void MomentAccumulator::AddAll(std::span<const double> values) {
  double sum = 0.0;
  int64_t n = 0;
  for (double v : values) {
    const bool finite = std::isfinite(v);
    sum += finite ? v : 0.0;
    n += finite ? 1 : 0;
  }
  if (n == 0) return;
  const double mean = sum / static_cast<double>(n);
  double m2 = 0.0;
  for (double v : values) {
    const double d = std::isfinite(v) ? v - mean : 0.0;
    m2 += d * d;
  }
  const double delta = mean - mean_;
  const auto total = static_cast<double>(count_ + n);
  mean_ += delta * static_cast<double>(n) / total;
  m2_ += m2 + delta * delta * static_cast<double>(count_) * static_cast<double>(n) / total;
  count_ += n;
}

double MomentAccumulator::StdDev() const {
  return count_ < 2 ? 0.0 : std::sqrt(m2_ / static_cast<double>(count_));
}

double BeforeScaling(const ColumnTransform& transform, double value) {
  if (transform.fill_nan && std::isnan(value)) value = *transform.fill_nan;
  if (transform.log) value = std::log(value);
  return value;
}

Status CheckTransforms(const std::vector<ColumnTransform>& transforms) {
  std::set<std::string> seen;
  for (const auto& t : transforms) {
    if (t.column.empty()) return InvalidArgument("preprocessing: a transform has no column name");
    if (!seen.insert(t.column).second) {
      return InvalidArgument("preprocessing: column " + Quote(t.column) + " is listed twice");
    }
    if (t.scaling == ColumnTransform::Scaling::kGiven && !(std::isfinite(t.scale) && t.scale > 0)) {
      return InvalidArgument("preprocessing of " + Quote(t.column) + ": standardize needs a positive, finite scale, got " +
                             std::to_string(t.scale));
    }
    if (t.scaling == ColumnTransform::Scaling::kGiven && !std::isfinite(t.center)) {
      return InvalidArgument("preprocessing of " + Quote(t.column) + ": standardize needs a finite center");
    }
    if (t.clip && !(t.clip->first <= t.clip->second)) {
      return InvalidArgument("preprocessing of " + Quote(t.column) + ": clip needs lo <= hi, got (" +
                             std::to_string(t.clip->first) + ", " + std::to_string(t.clip->second) + ")");
    }
  }
  return Status::Ok();
}

}  // namespace rootbatch::loader
