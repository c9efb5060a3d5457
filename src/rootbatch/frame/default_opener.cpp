#include "rootbatch/frame/dataset.hpp"
#include "rootbatch/frame/open_source.hpp"
#include "rootbatch/rntuple/ntuple_source.hpp"
#include "rootbatch/tfile/directory.hpp"
#include "rootbatch/ttree/tree_source.hpp"

namespace rootbatch {

Result<std::unique_ptr<ColumnSource>> OpenColumnSource(std::shared_ptr<const RootFile> file,
                                                       const std::string& name) {
  auto key = file->FindKey(name);
  if (key.IsOk() && IsRNTupleClass((*key)->class_name)) {
    RB_ASSIGN_OR_RETURN(auto source, NTupleSource::Open(std::move(file), name));
    return std::unique_ptr<ColumnSource>(std::move(source));
  }
  RB_ASSIGN_OR_RETURN(auto source, TreeSource::Open(std::move(file), name));
  return std::unique_ptr<ColumnSource>(std::move(source));
}

Result<std::unique_ptr<ColumnSource>> OpenColumnSource(const std::string& path, const std::string& name) {
  RB_ASSIGN_OR_RETURN(auto file, RootFile::Open(path));
  return OpenColumnSource(std::move(file), name);
}

SourceOpener DefaultSourceOpener() {
  return [](const std::string& path, const std::string& tree) { return OpenColumnSource(path, tree); };
}

}  // namespace rootbatch
