#include "segments/ucs2.hpp"

#include <doctest/doctest.h>

#include <string_view>

#include "hex.hpp"

using namespace loa::segments;
using loa::test::from_hex;
using loa::test::to_hex;

TEST_CASE("ucs2: big-endian UTF-16 without a byte order mark") {
  std::vector<std::uint8_t> out;
  for (char32_t cp : std::u32string_view(U"Tiêm ệ")) ucs2::append(out, cp);
  CHECK(to_hex(out) == "0054006900ea006d00201ec7");
}

TEST_CASE("ucs2: characters above U+FFFF are a surrogate pair, two units") {
  std::vector<std::uint8_t> out;
  ucs2::append(out, U'\U0001F600');
  CHECK(to_hex(out) == "d83dde00");
  CHECK(ucs2::units(U'\U0001F600') == 2);
  CHECK(ucs2::units(U'ệ') == 1);
}

TEST_CASE("ucs2: decoding, with lone surrogates and odd lengths made visible") {
  CHECK(ucs2::decode(from_hex("0054 1ec7 d83d de00")) == "Tệ😀");
  CHECK(ucs2::decode(from_hex("d83d 0041")) == "\uFFFDA");
  CHECK(ucs2::decode(from_hex("0041 00")) == "A\uFFFD");
}
