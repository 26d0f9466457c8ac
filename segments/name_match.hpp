// Names an official mistyped: a ward or group compared as people read it (no diacritics, case, spaces or
// dashes), and the nearest existing names to suggest ("did you mean"). Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace loa::segments {

/// `name` as people compare it: diacritics stripped (đ to d), ASCII letters lower-cased, and spaces, '-',
/// '_' and '.' dropped: "Tổ 3", "to-3" and "TO_3" all fold to "to3".
std::string fold_name(std::string_view name);

/// Levenshtein distance between `a` and `b`, byte by byte (for folded names, which are ASCII).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// Of `candidates`, those nearest to `wanted` compared folded: the ones that fold alike first, then the
/// ones within a few edits (2, or a quarter of the folded length when longer), nearest first, ties in the
/// order given; at most `limit`. Empty when none is near.
std::vector<std::string> nearest_names(std::string_view wanted, const std::vector<std::string>& candidates,
                                       std::size_t limit = 3);

/// "did you mean 'a' or 'b'?" for people; empty when `names` is.
std::string did_you_mean(const std::vector<std::string>& names);

}  // namespace loa::segments
