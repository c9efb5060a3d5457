#include "rootbatch/base/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace rootbatch {
namespace {

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool EqualIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// Short names get a tighter bound: "x" is one edit from every 1-letter name.
size_t DistanceBound(std::string_view name) {
  if (name.size() <= 4) return 1;
  if (name.size() <= 8) return 2;
  return 3;
}

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

size_t BoundedEditDistance(std::string_view a, std::string_view b, size_t bound) {
  const size_t longer = std::max(a.size(), b.size());
  const size_t shorter = std::min(a.size(), b.size());
  if (longer - shorter > bound) return bound + 1;
  // Three rows of the dynamic programme: the one before last (for swaps),
  // the last and the current.
  std::vector<size_t> before(b.size() + 1), last(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) last[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    size_t row_min = current[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      const bool same = Lower(a[i - 1]) == Lower(b[j - 1]);
      size_t cost = std::min({last[j] + 1, current[j - 1] + 1, last[j - 1] + (same ? 0 : 1)});
      if (i > 1 && j > 1 && Lower(a[i - 1]) == Lower(b[j - 2]) && Lower(a[i - 2]) == Lower(b[j - 1])) {
        cost = std::min(cost, before[j - 2] + 1);
      }
      current[j] = cost;
      row_min = std::min(row_min, cost);
    }
    // Every later row is at least this row's minimum: stop once past the bound.
    if (row_min > bound) return bound + 1;
    std::swap(before, last);
    std::swap(last, current);
  }
  return std::min(last[b.size()], bound + 1);
}

std::vector<std::string> ClosestNames(std::string_view name, std::span<const std::string> candidates,
                                      size_t max_suggestions) {
  const size_t bound = DistanceBound(name);
  // (rank, position): rank 0 for a match ignoring case, else 1 + distance.
  std::vector<std::pair<size_t, size_t>> ranked;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const std::string& candidate = candidates[i];
    if (candidate == name) continue;  // the name itself is no suggestion
    if (EqualIgnoringCase(candidate, name)) {
      ranked.emplace_back(0, i);
      continue;
    }
    const size_t distance = BoundedEditDistance(name, candidate, bound);
    if (distance <= bound) ranked.emplace_back(1 + distance, i);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (const auto& [rank, index] : ranked) {
    // Only the best rank: after 'MET_pt' for "MET_pT", 'MET_phi' is noise.
    if (out.size() == max_suggestions || rank != ranked.front().first) break;
    if (std::find(out.begin(), out.end(), candidates[index]) != out.end()) continue;  // cycles of one key
    out.push_back(candidates[index]);
  }
  return out;
}

std::string DidYouMean(std::span<const std::string> suggestions) {
  if (suggestions.empty()) return "";
  std::string text = "did you mean ";
  for (size_t i = 0; i < suggestions.size(); ++i) {
    if (i > 0) text += i + 1 == suggestions.size() ? " or " : ", ";
    text += Quoted(suggestions[i]);
  }
  return text + "?";
}

std::string NameHint(std::string_view name, std::span<const std::string> candidates, std::string_view noun,
                     size_t list_max) {
  if (candidates.empty()) return "it has no " + std::string(noun);
  const std::string count = "(" + std::to_string(candidates.size()) + " " + std::string(noun) + ")";
  const std::vector<std::string> close = ClosestNames(name, candidates);
  if (!close.empty()) return DidYouMean(close) + " " + count;
  std::string text = "it has: ";
  for (size_t i = 0; i < candidates.size() && i < list_max; ++i) text += (i ? ", " : "") + candidates[i];
  if (candidates.size() > list_max) text += ", ...";
  return text + " " + count;
}

}  // namespace rootbatch
