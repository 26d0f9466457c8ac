// templates/vietnamese_date.hpp: the forms officials type, and the Vietnamese weekday computed from the date.
#include "templates/vietnamese_date.hpp"

#include <doctest/doctest.h>

using namespace loa::templates;
namespace chr = std::chrono;

namespace {

constexpr chr::year_month_day today{chr::year{2026}, chr::November, chr::day{20}};

// The date as a notice shows it, or "error: why".
std::string shown(std::string_view text, chr::year_month_day on = today) {
  std::string why;
  if (auto d = parse_date(text, on, why)) return format_vietnamese_date(*d);
  return "error: " + why;
}

std::string shown_time(std::string_view text) {
  std::string why;
  if (auto t = parse_time(text, why)) return format_time(*t);
  return "error: " + why;
}

}  // namespace

TEST_CASE("the three date forms give the same Vietnamese date") {
  CHECK(shown("2026-11-23") == "thứ Hai, 23/11/2026");
  CHECK(shown("23/11/2026") == "thứ Hai, 23/11/2026");
  CHECK(shown("23/11") == "thứ Hai, 23/11/2026");
  CHECK(shown("3/1/2027") == "Chủ nhật, 03/01/2027");
}

TEST_CASE("every weekday has its Vietnamese name") {
  CHECK(shown("2026-11-22") == "Chủ nhật, 22/11/2026");
  CHECK(shown("2026-11-23") == "thứ Hai, 23/11/2026");
  CHECK(shown("2026-11-24") == "thứ Ba, 24/11/2026");
  CHECK(shown("2026-11-25") == "thứ Tư, 25/11/2026");
  CHECK(shown("2026-11-26") == "thứ Năm, 26/11/2026");
  CHECK(shown("2026-11-27") == "thứ Sáu, 27/11/2026");
  CHECK(shown("2026-11-28") == "thứ Bảy, 28/11/2026");
  CHECK(shown("1975-04-30") == "thứ Tư, 30/04/1975");
}

TEST_CASE("a leap day exists only in leap years") {
  CHECK(shown("29/02/2028") == "thứ Ba, 29/02/2028");
  CHECK(shown("2024-02-29") == "thứ Năm, 29/02/2024");
  CHECK(shown("29/02/2027").starts_with("error: '29/02/2027': 29/02/2027 does not exist"));
  CHECK(shown("29/02", {chr::year{2028}, chr::January, chr::day{10}}) == "thứ Ba, 29/02/2028");
  CHECK(shown("29/02", {chr::year{2026}, chr::June, chr::day{1}}).starts_with("error:"));
}

TEST_CASE("a date without a year takes the nearest year") {
  const chr::year_month_day late_december{chr::year{2026}, chr::December, chr::day{28}};
  CHECK(shown("05/01", late_december) == "thứ Ba, 05/01/2027");
  CHECK(shown("20/12", late_december) == "Chủ nhật, 20/12/2026");
  const chr::year_month_day early_january{chr::year{2027}, chr::January, chr::day{3}};
  CHECK(shown("30/12", early_january) == "thứ Tư, 30/12/2026");
}

TEST_CASE("what is not a date is refused with the forms to use") {
  for (auto bad : {"", "hôm nay", "23-", "2026/11/23", "23/11/26", "31/04/2026", "23/13/2026", "23//2026",
                   "23/11/", "2026-11-23 7:30", "0/11/2026"}) {
    CAPTURE(bad);
    CHECK(shown(bad).starts_with("error:"));
  }
  CHECK(shown("hôm nay") == "error: 'hôm nay' is not a date (write 2026-11-23, 23/11/2026 or 23/11)");
}

TEST_CASE("times are shown as 7h30") {
  CHECK(shown_time("7:30") == "7h30");
  CHECK(shown_time("07:30") == "7h30");
  CHECK(shown_time("7h30") == "7h30");
  CHECK(shown_time("7H30") == "7h30");
  CHECK(shown_time("19:05") == "19h05");
  CHECK(shown_time("7h") == "7h00");
  CHECK(shown_time("0:00") == "0h00");
  for (auto bad : {"", "24:00", "7:60", "7:3", "7.30", "730", "h30", "7:30h", "sáng"}) {
    CAPTURE(bad);
    CHECK(shown_time(bad).starts_with("error:"));
  }
}

TEST_CASE("today in Vietnam is seven hours ahead of UTC") {
  // 2026-11-22 18:00 UTC is already Monday 01:00 in Hà Nội.
  const auto t = chr::sys_days{chr::year{2026} / chr::November / chr::day{22}} + chr::hours(18);
  CHECK(local_today(t) == chr::year_month_day{chr::year{2026}, chr::November, chr::day{23}});
}
