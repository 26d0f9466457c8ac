#include "segments/udh.hpp"

#include <doctest/doctest.h>

#include "hex.hpp"

using namespace loa::segments;
using loa::test::from_hex;
using loa::test::to_hex;

TEST_CASE("udh: 8-bit and 16-bit reference concatenation headers (TS 23.040 9.2.3.24.1, .8)") {
  std::vector<std::uint8_t> out;
  append_concat_udh8(out, {0x122A, 3, 1});
  CHECK(to_hex(out) == "0500032a0301");
  out.clear();
  append_concat_udh16(out, {0x122A, 3, 2});
  CHECK(to_hex(out) == "060804122a0302");
}

TEST_CASE("udh: parsing finds the concatenation element among others") {
  std::size_t length = 0;
  auto c = parse_concat_udh(from_hex("05 00 03 2a 02 01 41 42"), length);
  REQUIRE(c);
  CHECK(*c == udh_concat{0x2A, 2, 1});
  CHECK(length == 6);

  // a port-addressing element (0x05) before a 16-bit concatenation element
  c = parse_concat_udh(from_hex("0c 05 04 0b 84 23 f0 08 04 12 34 03 03 00"), length);
  REQUIRE(c);
  CHECK(*c == udh_concat{0x1234, 3, 3});
  CHECK(length == 13);
}

TEST_CASE("udh: malformed headers are not trusted") {
  std::size_t length = 99;
  CHECK_FALSE(parse_concat_udh({}, length));  // UDHI with an empty short_message
  CHECK(length == 0);
  CHECK_FALSE(parse_concat_udh(from_hex("09 00 03 2a 02 01"), length));  // UDH length beyond the message
  CHECK(length == 0);
  CHECK_FALSE(parse_concat_udh(from_hex("05 00 07 2a 02 01"), length));  // an element overrunning the UDH
  CHECK(length == 0);
  CHECK_FALSE(parse_concat_udh(from_hex("05 00 03 2a 02 03 41"), length));  // sequence above total
  CHECK(length == 6);
  CHECK_FALSE(parse_concat_udh(from_hex("05 00 03 2a 00 00 41"), length));  // total 0
  CHECK_FALSE(parse_concat_udh(from_hex("04 05 02 00 00 41"), length));     // no concatenation element
  CHECK(length == 5);
}
