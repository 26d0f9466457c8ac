// The dry-run preview as people read it, and the typed confirmation before a large send.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "tools/loa/preview.hpp"

using namespace loa::cli::preview;
namespace json = boost::json;

TEST_CASE("preview: the ward's name confirms, in any case and order, nothing else does") {
  CHECK(names_the_wards("long-thuy\n", {"long-thuy"}));
  CHECK(names_the_wards("  Long-Thuy \r\n", {"long-thuy"}));
  CHECK(names_the_wards("phu-hoa, long-thuy", {"long-thuy", "phu-hoa"}));
  CHECK_FALSE(names_the_wards("long-thuy", {"long-thuy", "phu-hoa"}));  // one ward of two
  CHECK_FALSE(names_the_wards("long-thuy long-thuy", {"long-thuy"}));
  CHECK_FALSE(names_the_wards("long thuy", {"long-thuy"}));
  CHECK_FALSE(names_the_wards("y", {"long-thuy"}));
  CHECK_FALSE(names_the_wards("", {"long-thuy"}));
  CHECK_FALSE(names_the_wards("", {}));
  CHECK(question({"long-thuy"}, 12345) ==
        "This sends to 12,345 phones. Type the ward's name (long-thuy) to send it, anything else to stop: ");
}

TEST_CASE("preview: the ward's display name confirms too, without diacritics or case") {
  const std::vector<std::string> names{"Phường Long Thủy"};
  CHECK(names_the_wards("Phường Long Thủy\n", {"long-thuy"}, names));
  CHECK(names_the_wards("phuong long thuy", {"long-thuy"}, names));
  CHECK(names_the_wards("PHƯỜNG LONG THỦY", {"long-thuy"}, names));
  CHECK(names_the_wards("long-thuy", {"long-thuy"}, names));
  CHECK_FALSE(names_the_wards("Phường Long", {"long-thuy"}, names));
  CHECK_FALSE(names_the_wards("long thuy", {"long-thuy"}, names));  // an id is typed as it is
  CHECK(names_the_wards("Phú Hòa, phuong long thuy", {"long-thuy", "phu-hoa"}, {"Phường Long Thủy", "Phú Hòa"}));
  CHECK_FALSE(names_the_wards("phuong long thuy", {"long-thuy", "phu-hoa"}, {"Phường Long Thủy", "Phú Hòa"}));
  CHECK(question({"long-thuy"}, 2000, names) ==
        "This sends to 2,000 phones. Type the ward's name (long-thuy or Phường Long Thủy) to send it, anything "
        "else to stop: ");
}

TEST_CASE("preview: money is whole units with separators, or two decimals when there are cents") {
  CHECK(money(0) == "0");
  CHECK(money(4200000) == "4,200,000");
  CHECK(money(12.5) == "12.50");
  CHECK(money(0.049) == "0.05");
}

TEST_CASE("preview: the dry-run document reads as text with every figure") {
  const auto doc = json::parse(R"({
    "dry_run": true, "wards": ["long-thuy"], "groups": ["ho-gia-dinh", "to-5"],
    "text": "Lịch tiêm chủng", "chars": 15, "encoding": "ucs2", "parts_per_message": 1,
    "recipients": 1500, "skipped_optout": 12, "parts": 1500,
    "by_carrier": {"viettel": {"recipients": 1000, "parts": 1000, "price_per_part": 300, "cost": 300000},
                   "mobifone": {"recipients": 500, "parts": 500, "price_per_part": 0, "cost": 0}},
    "by_group": {"ho-gia-dinh": 1500, "to-5": 80},
    "cost": 300000, "currency": "VND", "cost_complete": false,
    "confirm_above": 1000, "needs_confirmation": true, "state": "scheduled", "due_at": "2026-11-23T07:30:00+07:00",
    "corrects": null})");
  CHECK(describe(doc) ==
        "Dry run: nothing was sent.\n"
        "What the phone shows (ucs2, 15 characters, 1 part per message):\n"
        "  Lịch tiêm chủng\n"
        "Recipients: 1,500 in long-thuy (groups: ho-gia-dinh, to-5); 12 opted out, not sent\n"
        "By carrier:\n"
        "  viettel   1,000 recipients  1,000 parts  x 300 = 300,000 VND\n"
        "  mobifone    500 recipients    500 parts  no price configured\n"
        "By group (a number in two groups counts in both):\n"
        "  ho-gia-dinh  1,500\n"
        "  to-5         80\n"
        "Cost: at least 300,000 VND for 1,500 SMS parts\n"
        "It would start at 2026-11-23T07:30:00+07:00.\n"
        "More than 1,000 recipients: without --yes, loa send asks you to type the ward's name first.\n");
}
