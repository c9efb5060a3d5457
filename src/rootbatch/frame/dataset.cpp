#include "rootbatch/frame/dataset.hpp"

#include <algorithm>

#include "rootbatch/frame/glob.hpp"

namespace rootbatch {

Dataset::Dataset(std::vector<std::unique_ptr<ColumnSource>> files) : files_(std::move(files)) {
  starts_.reserve(files_.size() + 1);
  starts_.push_back(0);
  for (const auto& file : files_) starts_.push_back(starts_.back() + file->NumEntries());
}

Result<std::shared_ptr<const Dataset>> Dataset::Open(const std::vector<std::string>& paths,
                                                     const std::string& tree, const SourceOpener& opener) {
  if (!opener) return InvalidArgument("no source opener given");
  RB_ASSIGN_OR_RETURN(std::vector<std::string> expanded, ExpandPaths(paths));
  std::vector<std::unique_ptr<ColumnSource>> sources;
  sources.reserve(expanded.size());
  for (const auto& path : expanded) {
    RB_ASSIGN_OR_RETURN_CTX(std::unique_ptr<ColumnSource> source, opener(path, tree),
                            (ErrorContext{"opening tree '" + tree + "' in '" + path + "'", path, tree, {}}));
    sources.push_back(std::move(source));
  }
  return FromSources(std::move(sources));
}

Result<std::shared_ptr<const Dataset>> Dataset::FromSources(std::vector<std::unique_ptr<ColumnSource>> sources) {
  if (sources.empty()) return InvalidArgument("a dataset needs at least one file");
  for (size_t i = 0; i < sources.size(); ++i) {
    if (sources[i] == nullptr) return InvalidArgument("source " + std::to_string(i) + " is null");
  }
  return std::shared_ptr<const Dataset>(new Dataset(std::move(sources)));
}

std::pair<size_t, int64_t> Dataset::Locate(int64_t global_entry) const {
  // The last file whose start is <= the entry; empty files are skipped
  // because upper_bound lands past runs of equal starts.
  auto it = std::upper_bound(starts_.begin(), starts_.end(), global_entry);
  size_t file = static_cast<size_t>(it - starts_.begin()) - 1;
  return {file, global_entry - starts_[file]};
}

Result<std::vector<std::vector<size_t>>> Dataset::ResolveColumns(std::span<const std::string> names) const {
  std::vector<std::vector<size_t>> indices(files_.size());
  for (size_t f = 0; f < files_.size(); ++f) {
    const ColumnSource& file = *files_[f];
    for (const auto& name : names) {
      RB_ASSIGN_OR_RETURN(size_t index, file.FindColumn(name));
      if (f > 0) {
        const ColumnSpec& first = files_[0]->Columns()[indices[0][indices[f].size()]];
        const ColumnSpec& here = file.Columns()[index];
        if (here.type != first.type || here.kind != first.kind || here.inner_shape != first.inner_shape) {
          return InvalidArgument("column '" + name + "' is " + here.source_type + " in " +
                                 file.Description() + " but " + first.source_type + " in " +
                                 files_[0]->Description() + "; all files of a dataset must agree");
        }
      }
      indices[f].push_back(index);
    }
  }
  return indices;
}

std::string Dataset::Description() const {
  if (files_.size() == 1) return files_[0]->Description();
  return files_[0]->Description() + " and " + std::to_string(files_.size() - 1) + " more file" +
         (files_.size() > 2 ? "s" : "");
}

}  // namespace rootbatch
