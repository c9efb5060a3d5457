#include "rootbatch/loader/reweight_pass.hpp"

#include <algorithm>

#include "rootbatch/frame/subset_source.hpp"
#include "rootbatch/loader/block_reader.hpp"
#include "rootbatch/loader/plan.hpp"
#include "rootbatch/loader/rng.hpp"

namespace rootbatch::loader {
namespace {

// Reads the reweighting's columns of every block of `plan`, in pieces of at
// most kPassEntries, and hands each piece's classes and bins to `use`.
constexpr int64_t kPassEntries = 65536;

template <typename Use>
Status ForEachClassAndBin(const BlockReader& reader, const Plan& plan, const ReweightTable& table, Use use) {
  const RowLayout& layout = reader.Layout();
  std::vector<size_t> routes = layout.reweight.variables;
  routes.insert(routes.end(), layout.reweight.classes.begin(), layout.reweight.classes.end());
  std::vector<Column> columns(layout.routes.size());
  std::vector<int64_t> classes;
  std::vector<int64_t> bins;
  for (const Block& block : plan.blocks) {
    for (int64_t begin = block.entries.begin; begin < block.entries.end; begin += kPassEntries) {
      const int64_t end = std::min(block.entries.end, begin + kPassEntries);
      const Segment segment{block.input, block.file, {begin, end}, block.global_begin + (begin - block.entries.begin)};
      for (size_t r : routes) {
        RB_ASSIGN_OR_RETURN(columns[r], reader.ReadColumn(segment, r, nullptr));
      }
      RB_RETURN_IF_ERROR(ClassesAndBins(layout, table, columns, 0, end - begin, begin, &classes, &bins)
                             .WithContext(reader.Source(segment).Description()));
      use(segment, classes, bins);
    }
  }
  return Status::Ok();
}

ReweightTable EmptyTable(const Reweighting& r) {
  ReweightTable table;
  table.edges = r.edges;
  table.num_bins = 1;
  for (const auto& e : r.edges) table.num_bins *= static_cast<int64_t>(e.size()) - 1;
  table.num_classes = static_cast<int64_t>(r.classes.size());
  table.counts.assign(static_cast<size_t>(table.num_bins * table.num_classes), 0);
  return table;
}

}  // namespace

Result<std::shared_ptr<const ReweightTable>> FillReweightTable(const std::vector<LoaderInput>& inputs,
                                                               const ColumnIndices& indices,
                                                               const LoaderOptions& options, const RowLayout& layout) {
  const Reweighting& r = *options.reweight;
  LoaderOptions train = options;
  train.split = options.validation_fraction > 0.0 ? Split::kTrain : Split::kAll;
  RB_ASSIGN_OR_RETURN(Plan plan, BuildPlan(inputs, indices, train));
  auto table = std::make_shared<ReweightTable>(EmptyTable(r));
  const BlockReader reader(inputs, layout, indices);
  RB_RETURN_IF_ERROR(ForEachClassAndBin(reader, plan, *table, [&](const Segment&, const std::vector<int64_t>& classes,
                                                                  const std::vector<int64_t>& bins) {
    for (size_t k = 0; k < classes.size(); ++k) ++table->counts[static_cast<size_t>(classes[k] * table->num_bins + bins[k])];
  }));
  const auto reference = std::find(r.classes.begin(), r.classes.end(), r.reference);
  table->ComputeWeights(r.reference.empty() ? -1 : static_cast<int64_t>(reference - r.classes.begin()));
  return std::shared_ptr<const ReweightTable>(std::move(table));
}

Result<std::vector<LoaderInput>> KeepByWeight(const std::vector<LoaderInput>& inputs, const ColumnIndices& indices,
                                              const LoaderOptions& options, const RowLayout& layout,
                                              int64_t* considered, int64_t* kept) {
  const ReweightTable& table = *layout.reweight.table;
  RB_ASSIGN_OR_RETURN(Plan plan, BuildPlan(inputs, indices, options));
  // kept_entries[input][file]: local entries kept, increasing (blocks come in global order).
  std::vector<std::vector<std::vector<int64_t>>> kept_entries(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) kept_entries[i].resize(inputs[i].dataset->NumFiles());
  const uint64_t seed = DeriveSeed(options.seed, Stream::kReweight, {});
  *considered = 0;
  *kept = 0;
  const BlockReader reader(inputs, layout, indices);
  RB_RETURN_IF_ERROR(ForEachClassAndBin(reader, plan, table, [&](const Segment& segment,
                                                                 const std::vector<int64_t>& classes,
                                                                 const std::vector<int64_t>& bins) {
    auto& out = kept_entries[static_cast<size_t>(segment.input)][static_cast<size_t>(segment.file)];
    for (size_t k = 0; k < classes.size(); ++k) {
      const double weight = table.weights[static_cast<size_t>(classes[k] * table.num_bins + bins[k])];
      // A uniform draw in [0, 1) from the event's global entry.
      const uint64_t bits = Mix64(seed ^ Mix64(static_cast<uint64_t>(segment.global_begin) + k));
      const double u = static_cast<double>(bits >> 11) * 0x1.0p-53;
      if (u * table.max_weight < weight) out.push_back(segment.entries.begin + static_cast<int64_t>(k));
    }
    *considered += static_cast<int64_t>(classes.size());
  }));
  std::vector<LoaderInput> result;
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::vector<std::unique_ptr<ColumnSource>> files;
    for (size_t f = 0; f < inputs[i].dataset->NumFiles(); ++f) {
      *kept += static_cast<int64_t>(kept_entries[i][f].size());
      files.push_back(std::make_unique<frame::SubsetSource>(inputs[i].dataset, f, std::move(kept_entries[i][f])));
    }
    RB_ASSIGN_OR_RETURN(auto dataset, Dataset::FromSources(std::move(files)));
    LoaderInput input = inputs[i];
    input.dataset = std::move(dataset);
    input.entries.reset();  // the kept events are of the range already
    result.push_back(std::move(input));
  }
  return result;
}

}  // namespace rootbatch::loader
