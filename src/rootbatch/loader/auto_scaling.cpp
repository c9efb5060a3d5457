#include "rootbatch/loader/auto_scaling.hpp"

#include <algorithm>

#include "rootbatch/loader/block_reader.hpp"
#include "rootbatch/loader/convert.hpp"
#include "rootbatch/loader/plan.hpp"
#include "rootbatch/loader/rng.hpp"
#include "rootbatch/loader/transform.hpp"

namespace rootbatch::loader {

Status ComputeAutoScaling(const std::vector<LoaderInput>& inputs,
                          const std::vector<std::vector<std::vector<size_t>>>& indices, const LoaderOptions& options,
                          RowLayout* layout, int64_t* sampled_entries) {
  *sampled_entries = 0;
  std::vector<size_t> routes;  // routes whose transform is kAuto
  for (size_t r = 0; r < layout->routes.size(); ++r) {
    const int t = layout->routes[r].transform;
    if (t >= 0 && layout->transforms[static_cast<size_t>(t)].scaling == ColumnTransform::Scaling::kAuto) {
      routes.push_back(r);
    }
  }
  if (routes.empty()) return Status::Ok();

  // The training split, whatever split this loader serves, unsharded.
  LoaderOptions train = options;
  train.split = options.validation_fraction > 0.0 ? Split::kTrain : Split::kAll;
  train.rank = 0;
  train.world_size = 1;
  train.worker_id = 0;
  train.num_workers = 1;
  RB_ASSIGN_OR_RETURN(Plan plan, BuildPlan(inputs, indices, train));
  std::vector<Segment> windows;
  for (const Block& block : plan.blocks) {
    for (int64_t begin = block.entries.begin; begin < block.entries.end; begin += kScalingWindow) {
      const int64_t end = std::min(block.entries.end, begin + kScalingWindow);
      windows.push_back({block.input, block.file, {begin, end}, block.global_begin + (begin - block.entries.begin)});
    }
  }
  Rng rng(DeriveSeed(options.seed, Stream::kPreprocess, {}));
  for (size_t i = windows.size(); i > 1; --i) std::swap(windows[i - 1], windows[rng.Below(i)]);

  const BlockReader reader(inputs, *layout, indices);
  std::vector<MomentAccumulator> moments(routes.size());
  std::vector<double> values;
  for (const Segment& window : windows) {
    if (*sampled_entries >= options.preprocessing_sample) break;
    for (size_t k = 0; k < routes.size(); ++k) {
      const ColumnRoute& route = layout->routes[routes[k]];
      const ColumnTransform& transform = layout->transforms[static_cast<size_t>(route.transform)];
      RB_ASSIGN_OR_RETURN(Column column, reader.ReadColumn(window, routes[k], nullptr));
      values.resize(static_cast<size_t>(column.NumValues()));
      ConvertRows(column.type, column.values.data(), 1, column.NumValues(), DataType::kFloat64, values.data(), 0);
      if (transform.fill_nan || transform.log) {
        for (double& v : values) v = BeforeScaling(transform, v);
      }
      moments[k].AddAll(values);
    }
    *sampled_entries += window.entries.Size();
  }
  for (size_t k = 0; k < routes.size(); ++k) {
    ColumnTransform& transform = layout->transforms[static_cast<size_t>(layout->routes[routes[k]].transform)];
    transform.center = moments[k].Count() > 0 ? moments[k].Mean() : 0.0;
    const double spread = moments[k].StdDev();
    transform.scale = spread > 0.0 ? spread : 1.0;
  }
  return Status::Ok();
}

}  // namespace rootbatch::loader
