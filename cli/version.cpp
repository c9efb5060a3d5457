#include <cstdio>

#include "cli/commands.hpp"

namespace rootbatch::cli {

int RunVersion(const std::vector<std::string>&) {
  std::printf("rootbatch 0.1.0\n");
  return 0;
}

}  // namespace rootbatch::cli
