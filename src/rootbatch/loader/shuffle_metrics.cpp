#include "rootbatch/loader/shuffle_metrics.hpp"

#include <algorithm>
#include <cmath>

namespace rootbatch::loader {
namespace {

double Correlation(double n, double sx, double sxx, double sy, double syy, double sxy) {
  const double cov = sxy / n - (sx / n) * (sy / n);
  const double vx = sxx / n - (sx / n) * (sx / n);
  const double vy = syy / n - (sy / n) * (sy / n);
  return vx > 0 && vy > 0 ? cov / std::sqrt(vx * vy) : 0.0;
}

}  // namespace

ShuffleMetrics::ShuffleMetrics(int64_t num_entries, int64_t batch_size)
    : n_(std::max<int64_t>(num_entries, 1)), batch_size_(batch_size), seen_bins_(100) {}

void ShuffleMetrics::AddBatch(std::span<const int64_t> entries) {
  double mean = 0;
  std::fill(seen_bins_.begin(), seen_bins_.end(), 0);
  int bins = 0;
  for (int64_t entry : entries) {
    const double x = static_cast<double>(entry) / static_cast<double>(n_);
    const double y = static_cast<double>(position_++);
    x_sum_ += x;
    x_sq_sum_ += x * x;
    xy_sum_ += x * y;
    y_sum_ += y;
    y_sq_sum_ += y * y;
    mean += x;
    const auto bin = static_cast<size_t>(std::clamp<int64_t>(entry * 100 / n_, 0, 99));
    bins += seen_bins_[bin] == 0;
    seen_bins_[bin] = 1;
  }
  if (static_cast<int64_t>(entries.size()) != batch_size_) return;  // partial batches do not count
  mean /= static_cast<double>(entries.size());
  ++full_batches_;
  bins_sum_ += bins;
  mean_sum_ += mean;
  mean_sq_sum_ += mean * mean;
}

ShuffleFigures ShuffleMetrics::Finish() const {
  ShuffleFigures f;
  f.events = position_;
  f.full_batches = full_batches_;
  if (full_batches_ == 0 || position_ == 0) return f;
  const double batches = static_cast<double>(full_batches_);
  const double count = static_cast<double>(position_);
  f.bins_per_batch = bins_sum_ / batches;
  const double means_var = mean_sq_sum_ / batches - (mean_sum_ / batches) * (mean_sum_ / batches);
  const double x_var = x_sq_sum_ / count - (x_sum_ / count) * (x_sum_ / count);
  f.var_ratio = x_var > 0 ? means_var / (x_var / static_cast<double>(batch_size_)) : 0.0;
  f.spearman = Correlation(count, x_sum_, x_sq_sum_, y_sum_, y_sq_sum_, xy_sum_);
  return f;
}

double PositionCorrelation(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  double n = 0, sx = 0, sxx = 0, sy = 0, syy = 0, sxy = 0;
  for (size_t e = 0; e < std::min(a.size(), b.size()); ++e) {
    if (a[e] < 0 || b[e] < 0) continue;
    const double x = a[e], y = b[e];
    n += 1;
    sx += x;
    sxx += x * x;
    sy += y;
    syy += y * y;
    sxy += x * y;
  }
  return n > 1 ? Correlation(n, sx, sxx, sy, syy, sxy) : 0.0;
}

}  // namespace rootbatch::loader
