// A small command-line parser shared by the subcommands: positional
// arguments, `--name value` / `--name=value` options and `--flag` switches.
// Unknown options are errors, so typos never pass silently.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rootbatch/base/status.hpp"

namespace rootbatch::cli {

class Args {
 public:
  // `options` take a value; `flags` do not.
  static Result<Args> Parse(const std::vector<std::string>& argv, const std::set<std::string>& options,
                            const std::set<std::string>& flags);

  const std::vector<std::string>& Positional() const { return positional_; }
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  bool Flag(const std::string& name) const { return flags_.count(name) > 0; }
  // The last value given for `name`.
  std::optional<std::string> Get(const std::string& name) const;
  // Every value of the options in `names`, in command-line order (repeatable
  // options such as --define and --filter, whose order matters).
  std::vector<std::pair<std::string, std::string>> InOrder(const std::set<std::string>& names) const;
  std::string GetOr(const std::string& name, const std::string& fallback) const;
  Result<int64_t> GetInt(const std::string& name, int64_t fallback) const;
  Result<double> GetDouble(const std::string& name, double fallback) const;

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::string> values_;
  std::set<std::string> flags_;
  std::vector<std::pair<std::string, std::string>> ordered_;
};

// Splits "a,b,c" into {"a", "b", "c"} (empty parts dropped).
std::vector<std::string> SplitList(const std::string& text);

// Prints "rootbatch <command>: <status>" to stderr and returns the exit code
// for that status (2 for bad arguments, 1 otherwise).
int ReportError(const std::string& command, const Status& status);

}  // namespace rootbatch::cli
