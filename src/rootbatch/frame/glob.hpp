// Expanding the file arguments of a dataset: "data/*.root" style patterns.
#pragma once

#include <string>
#include <vector>

#include "rootbatch/base/status.hpp"

namespace rootbatch {

// Expands each pattern that contains a wildcard (*, ?, [) into the matching
// paths, sorted, keeping the order of the patterns themselves; a pattern
// without wildcards is kept as is (opening it reports a missing file). A
// pattern that matches nothing is NotFound, naming the pattern: a silent empty
// match would train on less data than asked for. In root:// URLs the file
// name may hold wildcards (root://host//dir/*.root): the server's listing of
// the directory is matched, where the server allows listings.
Result<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& patterns);

bool HasWildcard(const std::string& pattern);

}  // namespace rootbatch
