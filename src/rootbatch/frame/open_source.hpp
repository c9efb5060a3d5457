// Opening a tree-like object of a ROOT file by its key's class: a TTree
// (TTree, TNtuple, TNtupleD) as a TreeSource, an RNTuple (ROOT::RNTuple) as
// an NTupleSource. The one place that knows both formats; everything above
// sees a ColumnSource.
#pragma once

#include <memory>
#include <string>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/tfile/root_file.hpp"

namespace rootbatch {

// Opens `name` ("events", "dir/events", "events;2") in `file`. A missing
// name fails as TreeSource::Open does (NotFound with the trees and RNTuples
// of the file and the closest names).
Result<std::unique_ptr<ColumnSource>> OpenColumnSource(std::shared_ptr<const RootFile> file,
                                                       const std::string& name);

// The same, opening the file at `path` first.
Result<std::unique_ptr<ColumnSource>> OpenColumnSource(const std::string& path, const std::string& name);

}  // namespace rootbatch
