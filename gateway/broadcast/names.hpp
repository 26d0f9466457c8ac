// Ward and group names as they come in (API bodies, query strings and paths, a CSV's groups column, an
// import's --group): checked and put in NFC by one function, so that what the approval rule counts and what
// the fan-out reads are the same group. A name is refused, never silently changed, except for NFC: an NFD
// "trưởng-khu" and an NFC one are the same group.
#pragma once

#include <string>
#include <string_view>
#include <system_error>

namespace loa::broadcast {

/// What a name is the name of (the words of the error message).
enum class name_kind { ward, group };

/// Why a name is refused.
enum class name_error {
  empty = 1,            ///< nothing, or only spaces
  not_utf8,             ///< not valid UTF-8
  control_character,    ///< a C0 or C1 control (U+0000-U+001F, U+007F-U+009F): 0x1F separates stored lists
  invisible_character,  ///< a format character (zero-width, bidi override, BOM) or a line/paragraph separator
  group_separator,      ///< ';' separates a subscriber's groups
  hash_tag_brace,       ///< '{' or '}' in a ward: its keys carry the hash tag {w:WARD}
  surrounding_space,    ///< spaces before or after: "to-5 " and "to-5" would be two groups
  too_long,             ///< more than max_name_bytes
  normalization_failed  ///< ICU could not compose it
};

/// The most bytes a name may have (in NFC).
inline constexpr std::size_t max_name_bytes = 200;

const std::error_category& name_category() noexcept;
std::error_code make_error_code(name_error e) noexcept;

/// A name checked by check_name: its NFC form, or why it was refused.
struct checked_name {
  std::string value;     ///< the name in NFC (when accepted)
  std::error_code error;  ///< empty when accepted
  std::string problem;   ///< for people: `group "ho-gia-dinh\u001f": control character U+001F`
  explicit operator bool() const noexcept { return !error; }
};

/// Checks `raw` as a `kind` name and composes it to NFC.
checked_name check_name(name_kind kind, std::string_view raw);

}  // namespace loa::broadcast

template <>
struct std::is_error_code_enum<loa::broadcast::name_error> : std::true_type {};
