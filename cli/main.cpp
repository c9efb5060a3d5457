// rootbatch: the command-line tool. One file per subcommand; this one only
// dispatches. Each subcommand returns a process exit code.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"

namespace {

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(const std::vector<std::string>& args);
};

constexpr Command kCommands[] = {
#define ROOTBATCH_CLI_COMMAND(name, summary, function) {name, summary, &rootbatch::cli::function},
#include "cli/command_list.inc"
#undef ROOTBATCH_CLI_COMMAND
};

void PrintUsage(std::FILE* out) {
  std::fprintf(out, "usage: rootbatch <command> [options]\n\ncommands:\n");
  for (const auto& command : kCommands) {
    std::fprintf(out, "  %-12.*s %.*s\n", static_cast<int>(command.name.size()), command.name.data(),
                 static_cast<int>(command.summary.size()), command.summary.data());
  }
  std::fprintf(out, "\n'rootbatch <command> --help' describes one command.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stderr);
    return 2;
  }
  std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintUsage(stdout);
    return 0;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const auto& command : kCommands) {
    if (command.name == name) return command.run(args);
  }
  std::fprintf(stderr, "rootbatch: unknown command '%s'\n\n", argv[1]);
  PrintUsage(stderr);
  return 2;
}
