#include "cli/args.hpp"

#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace rootbatch::cli {

Result<Args> Args::Parse(const std::vector<std::string>& argv, const std::set<std::string>& options,
                         const std::set<std::string>& flags) {
  Args args;
  bool only_positional = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (only_positional || arg.size() < 3 || arg.rfind("--", 0) != 0) {
      if (arg == "--") {
        only_positional = true;
        continue;
      }
      args.positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (flags.count(name)) {
      if (value) return InvalidArgument("--" + name + " takes no value");
      args.flags_.insert(name);
    } else if (options.count(name)) {
      if (!value) {
        if (i + 1 >= argv.size()) return InvalidArgument("--" + name + " needs a value");
        value = argv[++i];
      }
      args.values_[name] = *value;
      args.ordered_.emplace_back(name, *value);
    } else {
      std::string known;
      for (const auto& o : options) known += " --" + o;
      for (const auto& f : flags) known += " --" + f;
      return InvalidArgument("unknown option '" + arg + "'; known:" + known);
    }
  }
  return args;
}

std::optional<std::string> Args::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<std::string, std::string>> Args::InOrder(const std::set<std::string>& names) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& option : ordered_) {
    if (names.count(option.first)) out.push_back(option);
  }
  return out;
}

std::string Args::GetOr(const std::string& name, const std::string& fallback) const {
  return Get(name).value_or(fallback);
}

Result<int64_t> Args::GetInt(const std::string& name, int64_t fallback) const {
  auto text = Get(name);
  if (!text) return fallback;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || ptr != text->data() + text->size()) {
    return InvalidArgument("--" + name + " expects an integer, got '" + *text + "'");
  }
  return value;
}

Result<double> Args::GetDouble(const std::string& name, double fallback) const {
  auto text = Get(name);
  if (!text) return fallback;
  char* end = nullptr;
  double value = std::strtod(text->c_str(), &end);
  if (text->empty() || *end != '\0') {
    return InvalidArgument("--" + name + " expects a number, got '" + *text + "'");
  }
  return value;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) parts.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

int ReportError(const std::string& command, const Status& status) {
  std::fprintf(stderr, "rootbatch %s: %s\n", command.c_str(), status.ToString().c_str());
  return status.Code() == StatusCode::kInvalidArgument ? 2 : 1;
}

}  // namespace rootbatch::cli
