#include "templates/values.hpp"

#include <fmt/format.h>

#include "segments/accents.hpp"
#include "segments/utf8.hpp"
#include "templates/vietnamese_date.hpp"

namespace loa::templates {

namespace {

std::string_view trim(std::string_view s) {
  constexpr std::string_view space = " \t\r\n";
  const auto b = s.find_first_not_of(space);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(space) - b + 1);
}

}  // namespace

std::optional<std::string> past_date_warning(const placeholder& p, std::string_view raw,
                                             std::chrono::year_month_day today) {
  if (p.kind != placeholder_kind::date) return std::nullopt;
  std::string why;
  const auto date = parse_date(trim(raw), today, why);
  if (!date || std::chrono::sys_days(*date) >= std::chrono::sys_days(today)) return std::nullopt;
  return fmt::format("{{{}}}: {} is already past (today is {})", p.name, format_vietnamese_date(*date),
                     format_vietnamese_date(today));
}

std::optional<std::size_t> count_chars(std::string_view utf8) {
  std::u32string cps;
  if (!segments::decode_utf8(utf8, cps)) return std::nullopt;
  return cps.size();
}

std::optional<std::string> show_value(const placeholder& p, std::string_view raw,
                                      std::chrono::year_month_day today, std::string& problem) {
  const std::string_view value = trim(raw);
  std::string why;
  switch (p.kind) {
    case placeholder_kind::date:
      if (auto d = parse_date(value, today, why)) return format_vietnamese_date(*d);
      break;
    case placeholder_kind::time:
      if (auto t = parse_time(value, why)) return format_time(*t);
      break;
    case placeholder_kind::place:
    case placeholder_kind::text: {
      // Officials' text arrives NFC, NFD or mixed: count what the phone will show, the composed form.
      std::string nfc;
      const auto chars = count_chars(value);
      if (!chars || segments::to_nfc(value, nfc)) {
        why = "is not valid UTF-8";
        break;
      }
      const std::size_t n = count_chars(nfc).value_or(*chars);
      if (p.kind == placeholder_kind::place && nfc.find('\n') != std::string::npos) {
        why = "a place is one line";
      } else if (p.max_chars != 0 && n > p.max_chars) {
        why = fmt::format("{} characters, at most {}", n, p.max_chars);
      } else {
        return nfc;
      }
      break;
    }
  }
  problem = fmt::format("{{{}}}: {}", p.name, why);
  return std::nullopt;
}

}  // namespace loa::templates
