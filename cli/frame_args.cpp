#include "cli/frame_args.hpp"

namespace rootbatch::cli {

Result<std::optional<Frame>> FrameFromArgs(const Args& args, const std::vector<std::string>& paths,
                                           const std::string& tree) {
  const auto ops = args.InOrder(kFrameOptions);
  if (ops.empty()) return std::optional<Frame>();
  RB_ASSIGN_OR_RETURN(Frame frame, Frame::Open(paths, tree));
  for (const auto& [option, value] : ops) {
    if (option == "filter") {
      RB_ASSIGN_OR_RETURN(frame, frame.Filter(value));
      continue;
    }
    const size_t eq = value.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgument("--define needs NAME=EXPR, got '" + value + "'");
    }
    RB_ASSIGN_OR_RETURN(frame, frame.Define(value.substr(0, eq), value.substr(eq + 1)));
  }
  return std::optional<Frame>(std::move(frame));
}

}  // namespace rootbatch::cli
