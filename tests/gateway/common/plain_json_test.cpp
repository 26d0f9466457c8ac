#include "gateway/common/plain_json.hpp"

#include <doctest/doctest.h>
#include <boost/json.hpp>

#include <limits>

namespace json = boost::json;

TEST_CASE("plain_decimal writes whole and fractional numbers without exponent") {
  CHECK(loa::plain_decimal(74250.0) == "74250");
  CHECK(loa::plain_decimal(2.5) == "2.5");
  CHECK(loa::plain_decimal(-0.125) == "-0.125");
  CHECK(loa::plain_decimal(0.0) == "0");
  CHECK(loa::plain_decimal(1e20) == "100000000000000000000");
  CHECK(loa::plain_decimal(0.00001) == "0.00001");
  CHECK(loa::plain_decimal(std::numeric_limits<double>::quiet_NaN()) == "null");
}

TEST_CASE("plain_number stores whole values as int64 and keeps fractions") {
  CHECK(loa::plain_number(74250.0).is_int64());
  CHECK(loa::plain_number(74250.0).as_int64() == 74250);
  CHECK(loa::plain_number(2.5).is_double());
  CHECK(loa::plain_number(std::numeric_limits<double>::infinity()).is_null());
}

TEST_CASE("serialize_plain writes a document as Boost.JSON does, doubles plain") {
  const json::value doc = {{"cost", 74250.0},
                           {"p50", 2.5},
                           {"list", json::array{1.5, 3, "x\"y\n"}},
                           {"nested", {{"ok", true}, {"none", nullptr}, {"big", std::uint64_t{18446744073709551615ull}}}}};
  const auto text = loa::serialize_plain(doc);
  CHECK(text.find('E') == std::string::npos);
  CHECK(text == R"({"cost":74250,"p50":2.5,"list":[1.5,3,"x\"y\n"],)"
                R"("nested":{"ok":true,"none":null,"big":18446744073709551615}})");
  // What it writes reads back to the same values.
  const auto back = json::parse(text);
  CHECK(back.at("p50").to_number<double>() == 2.5);
  CHECK(back.at("list").at(2).as_string() == "x\"y\n");
}
