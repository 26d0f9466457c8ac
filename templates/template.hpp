// A notice template: the text an official fills in, what each {placeholder} accepts, and the limits
// (accents, parts) the notice must respect. Plain data; load.hpp reads it from YAML, render.hpp fills it in.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "segments/accents.hpp"
#include "templates/pattern.hpp"

namespace loa::templates {

/// What a placeholder accepts and how its value is shown.
/// date: 2026-11-23, 23/11/2026 or 23/11, shown "thứ Hai, 23/11/2026". time: 7:30, 07:30 or 7h30, shown
/// "7h30". place and text: free text up to max_chars characters (a place is one line).
enum class placeholder_kind { date, time, place, text };

/// "date" | "time" | "place" | "text".
std::string_view to_string(placeholder_kind k) noexcept;
/// Parses the names to_string gives.
std::optional<placeholder_kind> parse_kind(std::string_view name) noexcept;

/// One {name} of a template.
struct placeholder {
  std::string name;  ///< as written between the braces: lower-case letters, digits, '_'
  placeholder_kind kind = placeholder_kind::text;
  bool required = true;
  std::size_t max_chars = 0;            ///< place and text: the longest value in characters (code points)
  std::string description;              ///< what to write, for `loa templates show`
  std::optional<std::string> fallback;  ///< `default:` in the file: shown when an optional value is not given
  std::optional<std::string> example;   ///< a sample value; the shipped templates are checked with them
  int line = 0;                         ///< where it is declared, for messages
};

/// One notice template, as loaded from templates/notices/NAME.yaml.
struct notice_template {
  std::string name;   ///< equals the file's stem; what `--template NAME` names
  std::string title;  ///< a human title ("Lịch tiêm chủng")
  std::string text;   ///< with {placeholders}, in correct Vietnamese
  pattern text_pattern;
  std::optional<std::string> text_unaccented;  ///< the same notice written by a person without diacritics
  std::optional<pattern> unaccented_pattern;
  segments::accents accent_policy = segments::accents::keep;
  std::size_t max_parts = 3;              ///< refuse a rendering that needs more SMS parts
  std::vector<placeholder> placeholders;  ///< in the order of the file
  std::filesystem::path file;             ///< where it was loaded from (empty when parsed from memory)

  /// The placeholder called name, or nullptr.
  const placeholder* find(std::string_view name) const noexcept;
};

}  // namespace loa::templates
