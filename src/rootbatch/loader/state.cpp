#include "rootbatch/loader/state.hpp"

#include <charconv>
#include <sstream>
#include <vector>

namespace rootbatch::loader {
namespace {

constexpr std::string_view kMagic = "rootbatch-loader-state/1";

template <typename T>
bool ParseField(std::string_view token, std::string_view key, T* out) {
  if (token.substr(0, key.size()) != key || token.size() <= key.size() || token[key.size()] != '=') return false;
  std::string_view value = token.substr(key.size() + 1);
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), *out);
  return ec == std::errc() && ptr == value.data() + value.size();
}

}  // namespace

std::string LoaderState::Serialize() const {
  std::ostringstream out;
  out << kMagic << " seed=" << seed << " epoch=" << epoch << " position=" << position
      << " fingerprint=" << fingerprint;
  return out.str();
}

Result<LoaderState> LoaderState::Parse(std::string_view text) {
  std::vector<std::string_view> tokens;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find(' ', at);
    if (end == std::string_view::npos) end = text.size();
    if (end > at) tokens.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  LoaderState state;
  if (tokens.size() != 5 || tokens[0] != kMagic || !ParseField(tokens[1], "seed", &state.seed) ||
      !ParseField(tokens[2], "epoch", &state.epoch) || !ParseField(tokens[3], "position", &state.position) ||
      !ParseField(tokens[4], "fingerprint", &state.fingerprint) || state.epoch < 0 || state.position < 0) {
    return InvalidArgument("not a loader state: '" + std::string(text.substr(0, 120)) + "'");
  }
  return state;
}

}  // namespace rootbatch::loader
