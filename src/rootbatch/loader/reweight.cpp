#include "rootbatch/loader/reweight.hpp"

#include <algorithm>
#include <cmath>

#include "rootbatch/loader/convert.hpp"

namespace rootbatch::loader {
namespace {

std::string Quote(const std::string& name) { return "'" + name + "'"; }

double ValueAt(const Column& column, int64_t index) {
  double value = 0.0;
  ConvertRows(column.type,
              column.values.data() + static_cast<size_t>(index) * static_cast<size_t>(ByteWidth(column.type)), 1, 1,
              DataType::kFloat64, &value, 0);
  return value;
}

}  // namespace

int64_t ReweightTable::BinOf(std::span<const double> values) const {
  int64_t bin = 0;
  for (size_t v = 0; v < edges.size(); ++v) {
    const std::vector<double>& e = edges[v];
    const auto bins = static_cast<int64_t>(e.size()) - 1;
    // upper_bound - 1: the bin whose low edge is the last <= value. NaN
    // goes to the first bin (upper_bound would put it past the last edge).
    int64_t b = std::isnan(values[v])
                    ? 0
                    : static_cast<int64_t>(std::upper_bound(e.begin(), e.end(), values[v]) - e.begin()) - 1;
    b = std::clamp<int64_t>(b, 0, bins - 1);
    bin = bin * bins + b;
  }
  return bin;
}

void ReweightTable::ComputeWeights(int64_t reference) {
  weights.assign(counts.size(), 0.0);
  int64_t events = 0;
  for (int64_t n : counts) events += n;
  const double per_class = static_cast<double>(events) / static_cast<double>(num_classes);
  for (int64_t c = 0; c < num_classes; ++c) {
    double total = 0.0;  // the class's weighted events before normalising
    for (int64_t b = 0; b < num_bins; ++b) {
      const int64_t n = counts[static_cast<size_t>(c * num_bins + b)];
      if (n == 0) continue;
      // Flat: every filled bin of the class weighs the same in total;
      // reference: the bin weighs what the reference class has there.
      const double target = reference < 0 ? 1.0 : static_cast<double>(counts[static_cast<size_t>(reference * num_bins + b)]);
      weights[static_cast<size_t>(c * num_bins + b)] = target / static_cast<double>(n);
      total += target;
    }
    if (total <= 0.0) continue;  // a class with no events (or none where the reference has any)
    for (int64_t b = 0; b < num_bins; ++b) weights[static_cast<size_t>(c * num_bins + b)] *= per_class / total;
  }
  max_weight = weights.empty() ? 0.0 : *std::max_element(weights.begin(), weights.end());
}

Status OneHotClass(const RowLayout& layout, std::span<const size_t> routes, std::span<const Column> columns,
                   int64_t row, int64_t first_entry, int64_t* index) {
  int set = 0;
  for (size_t c = 0; c < routes.size(); ++c) {
    if (ValueAt(columns[routes[c]], row) != 0.0) {
      *index = static_cast<int64_t>(c);
      ++set;
    }
  }
  if (set == 1) return Status::Ok();
  std::string names;
  for (size_t c : routes) names += (names.empty() ? "" : ", ") + Quote(layout.routes[c].name);
  return InvalidArgument("entry " + std::to_string(first_entry + row) + " has " + std::to_string(set) +
                         " of the one-hot class columns " + names + " set; exactly one must be");
}

Status ClassesAndBins(const RowLayout& layout, const ReweightTable& table, std::span<const Column> columns,
                      int64_t begin, int64_t end, int64_t first_entry, std::vector<int64_t>* classes,
                      std::vector<int64_t>* bins) {
  const ReweightRoutes& routes = layout.reweight;
  classes->resize(static_cast<size_t>(end - begin));
  bins->resize(static_cast<size_t>(end - begin));
  std::vector<double> values(routes.variables.size());
  for (int64_t row = begin; row < end; ++row) {
    int64_t found = -1;
    RB_RETURN_IF_ERROR(OneHotClass(layout, routes.classes, columns, row, first_entry, &found)
                           .WithContext("reweighting"));
    for (size_t v = 0; v < routes.variables.size(); ++v) values[v] = ValueAt(columns[routes.variables[v]], row);
    (*classes)[static_cast<size_t>(row - begin)] = found;
    (*bins)[static_cast<size_t>(row - begin)] = table.BinOf(values);
  }
  return Status::Ok();
}

Status CheckReweighting(const Reweighting& r) {
  if (r.variables.empty() || r.variables.size() > 2) {
    return InvalidArgument("reweight takes one or two variables, got " + std::to_string(r.variables.size()));
  }
  if (r.edges.size() != r.variables.size()) {
    return InvalidArgument("reweight needs one list of bin edges per variable (" + std::to_string(r.variables.size()) +
                           "), got " + std::to_string(r.edges.size()));
  }
  for (size_t v = 0; v < r.edges.size(); ++v) {
    const auto& e = r.edges[v];
    if (e.size() < 2) return InvalidArgument("reweight: the edges of " + Quote(r.variables[v]) + " need at least 2 values");
    for (size_t i = 1; i < e.size(); ++i) {
      if (!(e[i] > e[i - 1])) {
        return InvalidArgument("reweight: the edges of " + Quote(r.variables[v]) + " must increase (" +
                               std::to_string(e[i - 1]) + " then " + std::to_string(e[i]) + ")");
      }
    }
  }
  if (r.classes.size() < 2) return InvalidArgument("reweight needs at least two class columns (one-hot labels)");
  if (!r.reference.empty() && std::find(r.classes.begin(), r.classes.end(), r.reference) == r.classes.end()) {
    return InvalidArgument("reweight: the reference " + Quote(r.reference) + " is not one of the class columns");
  }
  return Status::Ok();
}

}  // namespace rootbatch::loader
