// A template text cut into literal runs and {placeholder} names, and filled in again.
// `{{` and `}}` stand for literal braces (rare in notices: GSM-7 charges two septets for each).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loa::templates {

/// A literal run of text, or the name of a placeholder.
struct piece {
  bool is_placeholder = false;
  std::string text;  ///< the literal text, or the placeholder's name
};

/// A parsed template text.
using pattern = std::vector<piece>;

/// Where and why a text is not a valid pattern.
struct pattern_error {
  std::size_t byte_offset = 0;
  std::string reason;
};

/// Cuts `text` into pieces; nullopt and `error` set when a brace is unbalanced or a name is not
/// lower-case letters, digits and '_'.
std::optional<pattern> parse_pattern(std::string_view text, pattern_error& error);

/// The names used in `p`, each once, in order of first use.
std::vector<std::string> placeholder_names(const pattern& p);

/// The text with every placeholder replaced by its value in `values` (a name without a value becomes empty).
std::string substitute(const pattern& p, const std::map<std::string, std::string, std::less<>>& values);

}  // namespace loa::templates
