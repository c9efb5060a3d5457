// Opening a TTree as a ColumnSource: the one entry point that the frame and
// the loader need from the TTree reader.
#pragma once

#include <memory>
#include <string>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"

namespace rootbatch {

// Opens `tree_path` ("events", "dir/sub/tree", "tree;2") in the ROOT file at
// `path` and exposes every readable branch as a column. Branches it cannot
// read are left out of Columns(); ReadColumn is thread-safe.
Result<std::unique_ptr<ColumnSource>> OpenTreeSource(const std::string& path,
                                                     const std::string& tree_path);

}  // namespace rootbatch
