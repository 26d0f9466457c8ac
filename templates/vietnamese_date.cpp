#include "templates/vietnamese_date.hpp"

#include <array>
#include <cstdlib>
#include <vector>

#include <fmt/format.h>

namespace loa::templates {

namespace chr = std::chrono;

namespace {

// The runs of digits in text and the single separator between them; false when anything else appears.
bool split_numbers(std::string_view text, std::string_view separators, std::vector<std::string_view>& numbers,
                   std::string& seps) {
  numbers.clear();
  seps.clear();
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = i;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
    if (j == i) return false;  // a separator where a number should be
    numbers.push_back(text.substr(i, j - i));
    if (j == text.size()) break;
    if (separators.find(text[j]) == std::string_view::npos) return false;
    seps += text[j];
    i = j + 1;
    if (i == text.size()) return false;  // a trailing separator ("23/11/")
  }
  return !numbers.empty();
}

int to_int(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

constexpr std::string_view date_forms = "write 2026-11-23, 23/11/2026 or 23/11";

}  // namespace

std::optional<chr::year_month_day> parse_date(std::string_view text, chr::year_month_day today,
                                              std::string& why) {
  std::vector<std::string_view> n;
  std::string seps;
  const bool numeric = split_numbers(text, "-/.", n, seps);
  const bool iso =
      numeric && n.size() == 3 && seps == "--" && n[0].size() == 4 && n[1].size() <= 2 && n[2].size() <= 2;
  const bool day_first = numeric && (n.size() == 2 || n.size() == 3) && n[0].size() <= 2 &&
                         n[1].size() <= 2 && seps.find_first_not_of(seps[0]) == std::string::npos &&
                         (n.size() == 2 || n[2].size() == 4);
  if (!iso && !day_first) {
    why = fmt::format("'{}' is not a date ({})", text, date_forms);
    return std::nullopt;
  }
  const unsigned day = static_cast<unsigned>(to_int(iso ? n[2] : n[0]));
  const unsigned month = static_cast<unsigned>(to_int(n[1]));
  if (month < 1 || month > 12) {
    why = fmt::format("'{}': there is no month {} ({})", text, month, date_forms);
    return std::nullopt;
  }
  if (iso || n.size() == 3) {
    const chr::year_month_day d{chr::year{to_int(iso ? n[0] : n[2])}, chr::month{month}, chr::day{day}};
    if (!d.ok()) {
      why = fmt::format("'{}': {:02}/{:02}/{} does not exist", text, day, month, static_cast<int>(d.year()));
      return std::nullopt;
    }
    return d;
  }
  // No year: of last, this and next year, the one nearest today (a notice may name a date just past, as a
  // correction does, or early next year).
  const int this_year = static_cast<int>(today.year());
  std::optional<chr::year_month_day> best;
  long best_distance = 0;
  for (int y : {this_year, this_year + 1, this_year - 1}) {
    const chr::year_month_day d{chr::year{y}, chr::month{month}, chr::day{day}};
    if (!d.ok()) continue;
    const long distance = std::labs((chr::sys_days{d} - chr::sys_days{today}).count());
    if (!best || distance < best_distance) {
      best = d;
      best_distance = distance;
    }
  }
  if (!best) {
    why =
        fmt::format("'{}': {:02}/{:02} does not exist near {} (write the year)", text, day, month, this_year);
    return std::nullopt;
  }
  return best;
}

std::string_view vietnamese_weekday(chr::weekday day) noexcept {
  // c_encoding(): 0 is Sunday. Sunday is "Chủ nhật"; the other days are numbered from Monday, "thứ Hai" (2).
  static constexpr std::array<std::string_view, 7> names = {"Chủ nhật", "thứ Hai", "thứ Ba", "thứ Tư",
                                                            "thứ Năm",  "thứ Sáu", "thứ Bảy"};
  return names[day.c_encoding() % 7];
}

std::string format_vietnamese_date(chr::year_month_day date) {
  const chr::weekday wd{chr::sys_days{date}};
  return fmt::format("{}, {:02}/{:02}/{}", vietnamese_weekday(wd), static_cast<unsigned>(date.day()),
                     static_cast<unsigned>(date.month()), static_cast<int>(date.year()));
}

std::optional<time_of_day> parse_time(std::string_view text, std::string& why) {
  std::vector<std::string_view> n;
  std::string seps;
  // "7h" alone: a bare hour with the Vietnamese 'h'.
  std::string_view body = text;
  const bool bare_h = body.size() >= 2 && (body.back() == 'h' || body.back() == 'H');
  if (bare_h) body.remove_suffix(1);
  const bool ok = split_numbers(body, ":hH", n, seps) && n[0].size() <= 2 &&
                  ((bare_h && n.size() == 1) || (!bare_h && n.size() == 2 && n[1].size() == 2));
  if (!ok) {
    why = fmt::format("'{}' is not a time (write 7:30, 07:30 or 7h30)", text);
    return std::nullopt;
  }
  const time_of_day t{to_int(n[0]), n.size() == 2 ? to_int(n[1]) : 0};
  if (t.hour > 23 || t.minute > 59) {
    why = fmt::format("'{}' is not a time of day (hours 0-23, minutes 0-59)", text);
    return std::nullopt;
  }
  return t;
}

std::string format_time(time_of_day t) {
  return fmt::format("{}h{:02}", t.hour, t.minute);
}

chr::year_month_day local_today(chr::system_clock::time_point now, chr::minutes utc_offset) {
  return chr::year_month_day{chr::floor<chr::days>(now + utc_offset)};
}

}  // namespace loa::templates
