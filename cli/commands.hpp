// Entry points of the subcommands, one per file in cli/.
#pragma once

#include <string>
#include <vector>

namespace rootbatch::cli {

#define ROOTBATCH_CLI_COMMAND(name, summary, function) int function(const std::vector<std::string>& args);
#include "cli/command_list.inc"
#undef ROOTBATCH_CLI_COMMAND

}  // namespace rootbatch::cli
