#include "segments/gsm7.hpp"

#include <doctest/doctest.h>

#include "hex.hpp"

using namespace loa::segments;
using loa::test::from_hex;
using loa::test::to_hex;

TEST_CASE("gsm7: the traps of the basic table (TS 23.038 6.2.1)") {
  CHECK(gsm7::encode(U'@').septets == 1);
  CHECK(gsm7::encode(U'@').code == 0x00);
  CHECK(gsm7::encode(U'$').code == 0x02);
  CHECK(gsm7::encode(U'_').code == 0x11);
  CHECK(gsm7::encode(U'Δ').code == 0x10);
  CHECK(gsm7::encode(U'¡').code == 0x40);
  CHECK(gsm7::encode(U'¿').code == 0x60);
  CHECK(gsm7::encode(U'à').code == 0x7F);
  CHECK(gsm7::encode(U'\n').code == 0x0A);
  CHECK(gsm7::encode(U'\r').code == 0x0D);
  CHECK(gsm7::encode(U'`').septets == 0);
  CHECK(gsm7::encode(U'\t').septets == 0);
  CHECK(gsm7::encode(U'ệ').septets == 0);
  CHECK(gsm7::encode(U'ç').septets == 0);  // only capital Ç is in the table
  CHECK(gsm7::encode(0x1B).septets == 0);  // ESC itself is never text
}

TEST_CASE("gsm7: the extension table costs two septets") {
  const std::pair<char32_t, std::uint8_t> ext[] = {{U'\f', 0x0A}, {U'^', 0x14}, {U'{', 0x28}, {U'}', 0x29},
                                                   {U'\\', 0x2F}, {U'[', 0x3C}, {U'~', 0x3D}, {U']', 0x3E},
                                                   {U'|', 0x40},  {U'€', 0x65}};
  for (const auto& [cp, code] : ext) {
    CAPTURE(static_cast<unsigned>(cp));
    CHECK(gsm7::encode(cp).septets == 2);
    CHECK(gsm7::encode(cp).code == code);
    CHECK(gsm7::decode_extension(code) == cp);
  }
}

TEST_CASE("gsm7: every basic septet decodes and encodes back") {
  for (std::uint8_t s = 0; s < 0x80; ++s) {
    if (s == gsm7::escape) continue;
    CAPTURE(s);
    CHECK(gsm7::encode(gsm7::decode_basic(s)).code == s);
  }
}

TEST_CASE("gsm7: packing 'hellohello' gives the classic vector") {
  const auto septets = from_hex("68 65 6c 6c 6f 68 65 6c 6c 6f");
  std::vector<std::uint8_t> packed;
  gsm7::pack(septets, 0, packed);
  CHECK(to_hex(packed) == "e8329bfd4697d9ec37");
  CHECK(gsm7::unpack(packed, 0, 10) == septets);
}

TEST_CASE("gsm7: packing after a UDH starts on a septet boundary") {
  CHECK(gsm7::fill_bits_after_udh(6) == 1);  // 05 00 03 ..: 48 bits, one fill bit to 49
  CHECK(gsm7::fill_bits_after_udh(7) == 0);  // 06 08 04 ..: 56 bits, already 8 septets
  std::vector<std::uint8_t> packed;
  gsm7::pack(from_hex("41 42"), 1, packed);
  CHECK(to_hex(packed) == "8242");
  CHECK(gsm7::unpack(packed, 1, 2) == from_hex("41 42"));
}

TEST_CASE("gsm7: decoding unpacked septets, ESC pairs included") {
  CHECK(gsm7::decode_unpacked(from_hex("00 02 11 1b 65 1b 28")) == "@$_€{");
  CHECK(gsm7::decode_unpacked(from_hex("41 1b")) == "A ");  // a lone ESC at the end
  CHECK(gsm7::decode_unpacked(from_hex("1b 41")) == "A");   // an undefined extension: the basic character
  CHECK(gsm7::decode_unpacked(from_hex("41 c1")) == "A\uFFFD");  // not a septet
}
