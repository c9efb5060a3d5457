// Suggestions for a misspelled name ("did you mean 'MET_pt'?"), for every
// "no such column / tree / key" error. On a tree with hundreds of columns a
// list of the first few is useless; the closest names are what a user needs.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rootbatch {

// Up to `max_suggestions` of `candidates` closest to `name`: the names
// equal to it ignoring case if there are any, else those at the smallest
// edit distance (insertions, deletions, substitutions and swaps of
// neighbours, case ignored), if that is at most 1 for names of up to 4
// characters, 2 up to 8, else 3. Only the best tier is returned, in the
// candidates' order. Empty when nothing is close.
std::vector<std::string> ClosestNames(std::string_view name, std::span<const std::string> candidates,
                                      size_t max_suggestions = 3);

// "did you mean 'a'?", "did you mean 'a' or 'b'?", "did you mean 'a', 'b'
// or 'c'?"; empty for no suggestions.
std::string DidYouMean(std::span<const std::string> suggestions);

// The end of a "no such name" message, saying how many names exist:
//   "did you mean 'MET_pt'? (947 columns)"
//   "did you mean 'Jet_px' or 'Jet_py'? (20 columns)"
//   "it has: a, b, c (3 columns)"     (nothing close: the first `list_max`)
//   "it has no columns"
// `noun` is the plural ("columns", "trees", "keys").
std::string NameHint(std::string_view name, std::span<const std::string> candidates, std::string_view noun,
                     size_t list_max = 20);

// Case-insensitive edit distance (optimal string alignment: a swap of two
// neighbours counts 1), or `bound` + 1 when it exceeds `bound`.
size_t BoundedEditDistance(std::string_view a, std::string_view b, size_t bound);

}  // namespace rootbatch
