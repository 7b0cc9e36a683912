// "Did you mean …?" for configuration and rule errors: the closest known word to a typo.
// Stateless; used only while loading.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace faultline {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring characters each cost one ("hodl" → "hold" is one edit).
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a typo of it (at most two edits,
// or a third of a long word, and fewer than half the word's length), else "".
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);

// The suffix of an "unknown ..." message: ` (did you mean "hold"?)` when closest_match() finds a
// candidate, else "". Every "did you mean" faultline prints comes from here.
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace faultline
