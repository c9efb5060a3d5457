#include "rootbatch/frame/dataset.hpp"
#include "rootbatch/ttree/tree_source.hpp"

namespace rootbatch {

SourceOpener DefaultSourceOpener() {
  return [](const std::string& path, const std::string& tree) { return OpenTreeSource(path, tree); };
}

}  // namespace rootbatch
