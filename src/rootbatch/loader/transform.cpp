#include "rootbatch/loader/transform.hpp"

#include <cmath>
#include <cstring>
#include <set>

namespace rootbatch::loader {
namespace {

std::string Quote(const std::string& name) { return "'" + name + "'"; }

template <typename T>
void ApplyTyped(const ColumnTransform& t, uint8_t* first, int64_t rows, int64_t count, size_t stride) {
  const bool fill = t.fill_nan.has_value();
  const T fill_value = fill ? static_cast<T>(*t.fill_nan) : T{0};
  const bool scale = t.scaling != ColumnTransform::Scaling::kNone;
  const T center = static_cast<T>(t.center);
  const T inverse = static_cast<T>(1.0 / t.scale);
  const bool clip = t.clip.has_value();
  const T lo = clip ? static_cast<T>(t.clip->first) : T{0};
  const T hi = clip ? static_cast<T>(t.clip->second) : T{0};
  for (int64_t r = 0; r < rows; ++r) {
    uint8_t* row = first + static_cast<size_t>(r) * stride;
    for (int64_t j = 0; j < count; ++j) {
      T v;
      std::memcpy(&v, row + static_cast<size_t>(j) * sizeof(T), sizeof(T));
      if (fill && std::isnan(v)) v = fill_value;
      if (t.log) v = std::log(v);
      if (scale) v = (v - center) * inverse;
      // NaN stays NaN through the clip (fill_nan is the way to replace it).
      if (clip) v = v < lo ? lo : (v > hi ? hi : v);
      std::memcpy(row + static_cast<size_t>(j) * sizeof(T), &v, sizeof(T));
    }
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
