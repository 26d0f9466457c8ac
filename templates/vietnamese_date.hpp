// Dates and times as officials type them, and as a Vietnamese notice shows them: "thứ Hai, 23/11/2026",
// "7h30". The weekday is computed here (std::chrono), never typed by a person, so it cannot disagree with
// the date.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace loa::templates {

/// A time of day as a notice shows it.
struct time_of_day {
  int hour = 0;    ///< 0..23
  int minute = 0;  ///< 0..59
  friend bool operator==(const time_of_day&, const time_of_day&) = default;
};

/// Parses 2026-11-23, 23/11/2026 (or 23-11-2026, 23.11.2026) and 23/11. A date without a year takes the year
/// that puts it nearest to `today` (so 05/01 written on 28/12 is next January). nullopt with `why` set when
/// the text is not a date or the date does not exist (31/02, 29/02/2027).
std::optional<std::chrono::year_month_day> parse_date(std::string_view text,
                                                      std::chrono::year_month_day today, std::string& why);

/// "thứ Hai" ... "thứ Bảy", "Chủ nhật".
std::string_view vietnamese_weekday(std::chrono::weekday day) noexcept;

/// "thứ Hai, 23/11/2026"; "Chủ nhật, 22/11/2026".
std::string format_vietnamese_date(std::chrono::year_month_day date);

/// Parses 7:30, 07:30, 7h30, 7H30 and 7h. nullopt with `why` set otherwise.
std::optional<time_of_day> parse_time(std::string_view text, std::string& why);

/// "7h30", "19h00": the hour without a leading zero, the minutes always two digits.
std::string format_time(time_of_day t);

/// Today's date at a UTC offset (Vietnam: +7 h all year).
std::chrono::year_month_day local_today(std::chrono::system_clock::time_point now,
                                        std::chrono::minutes utc_offset = std::chrono::hours(7));

}  // namespace loa::templates
