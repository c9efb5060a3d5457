#include "rootbatch/write/sample_writing.hpp"

#include <algorithm>
#include <span>

#include "rootbatch/write/rntuple_writer.hpp"
#include "rootbatch/write/tree_writer.hpp"

namespace rootbatch::write {
namespace {

using Append = std::function<Status(std::span<const ColumnView>, int64_t)>;

Status AppendGenerated(int64_t entries, int64_t batch_entries, const GenerateRange& generate, const Append& append,
                       const std::function<void(int64_t)>& progress) {
  for (int64_t begin = 0; begin < entries; begin += batch_entries) {
    const int64_t end = std::min(entries, begin + batch_entries);
    const std::vector<ColumnView> views = generate(begin, end);
    RB_RETURN_IF_ERROR(append(views, end - begin));
    if (progress) progress(end);
  }
  return Status::Ok();
}

}  // namespace

std::vector<RNTupleFieldSpec> FieldsOfBranches(const std::vector<BranchSpec>& branches) {
  std::vector<RNTupleFieldSpec> fields;
  for (const auto& spec : branches) {
    fields.push_back({spec.name, spec.type, IsJagged(spec.kind) ? RNTupleFieldKind::kVector : RNTupleFieldKind::kScalar});
  }
  return fields;
}

Status WriteGenerated(TreeWriter& tree, std::vector<BranchSpec> branches, int64_t entries, int64_t batch_entries,
                      const GenerateRange& generate, const std::function<void(int64_t)>& progress) {
  for (auto& spec : branches) {
    RB_ASSIGN_OR_RETURN(size_t index, tree.AddBranch(std::move(spec)));
    (void)index;
  }
  return AppendGenerated(
      entries, batch_entries, generate, [&](std::span<const ColumnView> views, int64_t n) { return tree.Append(views, n); },
      progress);
}

Status WriteGenerated(RNTupleWriter& ntuple, const std::vector<BranchSpec>& branches, int64_t entries,
                      int64_t batch_entries, const GenerateRange& generate,
                      const std::function<void(int64_t)>& progress) {
  for (auto& field : FieldsOfBranches(branches)) {
    RB_ASSIGN_OR_RETURN(size_t index, ntuple.AddField(std::move(field)));
    (void)index;
  }
  return AppendGenerated(
      entries, batch_entries, generate,
      [&](std::span<const ColumnView> views, int64_t n) { return ntuple.Append(views, n); }, progress);
}

}  // namespace rootbatch::write
