// --define NAME=EXPR and --filter EXPR, shared by dump and bench: applied to
// a frame over the files in command-line order, as an RDataFrame chain.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "rootbatch/frame/frame.hpp"

namespace rootbatch::cli {

// The options' names, to add to a command's value options.
inline const std::set<std::string> kFrameOptions = {"define", "filter"};

// A frame over `tree` in `paths` with the --define and --filter options
// applied, or nullopt when there are none. A bad expression fails with its
// caret message.
Result<std::optional<Frame>> FrameFromArgs(const Args& args, const std::vector<std::string>& paths,
                                           const std::string& tree);

}  // namespace rootbatch::cli
