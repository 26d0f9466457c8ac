// templates/pattern.hpp: {placeholders} cut out of a text and filled in again.
#include "templates/pattern.hpp"

#include <doctest/doctest.h>

using namespace loa::templates;

TEST_CASE("placeholders are cut out and filled in") {
  pattern_error e;
  const auto p = parse_pattern("Họp {to} lúc {gio}, {to} nhé {{ok}}", e);
  REQUIRE(p);
  CHECK(placeholder_names(*p) == std::vector<std::string>{"to", "gio"});
  CHECK(substitute(*p, {{"to", "tổ 5"}, {"gio", "7h30"}}) == "Họp tổ 5 lúc 7h30, tổ 5 nhé {ok}");
}

TEST_CASE("unbalanced braces and bad names are refused") {
  for (auto bad : {"a {b", "a } b", "{}", "{Ngay}", "{ngày}", "{a b}"}) {
    CAPTURE(bad);
    pattern_error e;
    CHECK_FALSE(parse_pattern(bad, e));
    CHECK_FALSE(e.reason.empty());
  }
}
