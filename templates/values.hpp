// One value an official gives for a placeholder -> the text the notice shows, checked against its kind.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "templates/template.hpp"

namespace loa::templates {

/// The value as the notice shows it: a date as "thứ Hai, 23/11/2026", a time as "7h30", free text trimmed
/// and composed to NFC. nullopt with `problem` set ("{ngay}: '31/02' ...") when the value does not fit
/// the kind or is longer than max_chars characters (code points, not bytes).
std::optional<std::string> show_value(const placeholder& p, std::string_view raw,
                                      std::chrono::year_month_day today, std::string& problem);

/// For a date placeholder whose value is a date before `today`: "{ngay}: thứ Sáu, 20/11/2026 is already past
/// (today is thứ Hai, 23/11/2026)". nullopt for other kinds, later dates and values that are not dates.
std::optional<std::string> past_date_warning(const placeholder& p, std::string_view raw,
                                             std::chrono::year_month_day today);

/// Characters (Unicode code points) of valid UTF-8 text; nullopt when it is not valid UTF-8.
std::optional<std::size_t> count_chars(std::string_view utf8);

}  // namespace loa::templates
