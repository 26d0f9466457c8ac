#include "segments/decode.hpp"

#include <doctest/doctest.h>

#include "hex.hpp"

using namespace loa::segments;
using loa::test::from_hex;

TEST_CASE("decode: data_coding chooses the alphabet") {
  CHECK(alphabet_of(0x00) == alphabet::gsm7);
  CHECK(alphabet_of(0x01) == alphabet::ascii);
  CHECK(alphabet_of(0x03) == alphabet::latin1);
  CHECK(alphabet_of(0x08) == alphabet::ucs2);
  CHECK(alphabet_of(0x04) == alphabet::octets);
  CHECK(alphabet_of(0x18) == alphabet::ucs2);  // GSM 03.38 general coding, class bits set
  CHECK(alphabet_of(0xF0) == alphabet::gsm7);
  CHECK(alphabet_of(0xF4) == alphabet::octets);
}

TEST_CASE("decode: text of each alphabet comes back as UTF-8") {
  CHECK(decode_text(from_hex("48 55 59 00"), 0x00) == "HUY@");
  CHECK(decode_text(from_hex("48 55 59 40"), 0x01) == "HUY@");
  CHECK(decode_text(from_hex("43 61 66 e9"), 0x03) == "Café");
  CHECK(decode_text(from_hex("0048 0075 1ef7 0079"), 0x08) == "Huỷy");
  CHECK(decode_text(from_hex("41 e9"), 0x01) == "A\uFFFD");
}
