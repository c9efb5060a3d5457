#include "rootbatch/base/byte_size.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace rootbatch {
namespace {

struct Unit {
  std::string_view names[3];
  int64_t scale;
};

constexpr std::array<Unit, 5> kUnits = {{
    {{"B", "", ""}, 1},
    {{"K", "KB", "KIB"}, int64_t{1} << 10},
    {{"M", "MB", "MIB"}, int64_t{1} << 20},
    {{"G", "GB", "GIB"}, int64_t{1} << 30},
    {{"T", "TB", "TIB"}, int64_t{1} << 40},
}};

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

}  // namespace

Result<int64_t> ParseByteSize(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  std::string_view rest = Trim(text);
  size_t digits = 0;
  bool dot = false;
  while (digits < rest.size() && (std::isdigit(static_cast<unsigned char>(rest[digits])) || (rest[digits] == '.' && !dot))) {
    dot = dot || rest[digits] == '.';
    ++digits;
  }
  const std::string number(rest.substr(0, digits));
  if (number.empty() || number == ".") {
    return InvalidArgument("expected a memory size like 256MB, 1.5GB or 64MiB, got " + quoted);
  }
  std::string unit(Trim(rest.substr(digits)));
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  int64_t scale = 0;
  for (const Unit& u : kUnits) {
    for (std::string_view name : u.names) {
      if (unit == name && (!name.empty() || u.scale == 1)) scale = u.scale;
    }
  }
  if (scale == 0) {
    return InvalidArgument("unknown unit in memory size " + quoted + " (use B, KB, MB, GB or TB; KiB, MiB, ... too)");
  }
  const double value = std::strtod(number.c_str(), nullptr) * static_cast<double>(scale);
  if (!(value >= 1.0) || value > 9.0e18) {
    return InvalidArgument("memory size " + quoted + " must be at least one byte and below 8 EiB");
  }
  return static_cast<int64_t>(value);
}

std::string FormatByteSize(int64_t bytes) {
  char text[64];
  for (size_t u = kUnits.size(); u-- > 1;) {
    const int64_t scale = kUnits[u].scale;
    if (bytes >= scale && bytes % scale == 0) {
      std::snprintf(text, sizeof(text), "%lld %.*siB", static_cast<long long>(bytes / scale), 1,
                    kUnits[u].names[0].data());
      return text;
    }
  }
  if (bytes < 1024) {
    std::snprintf(text, sizeof(text), "%lld B", static_cast<long long>(bytes));
  } else {
    std::snprintf(text, sizeof(text), "%lld B (%.2f MiB)", static_cast<long long>(bytes),
                  static_cast<double>(bytes) / static_cast<double>(int64_t{1} << 20));
  }
  return text;
}

}  // namespace rootbatch
