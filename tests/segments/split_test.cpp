#include "segments/split.hpp"

#include <doctest/doctest.h>

#include "hex.hpp"
#include "segments/decode.hpp"
#include "segments/error.hpp"
#include "segments/gsm7.hpp"

using namespace loa::segments;
using loa::test::repeat;
using loa::test::to_hex;

namespace {

message split_ok(std::string_view text, split_options options = {}) {
  message m;
  const auto status = split(text, options, m);
  INFO(describe(status, m));
  REQUIRE(status);
  return m;
}

// What a phone shows: each part decoded and the parts joined in order.
std::string reassemble(const message& m) {
  if (m.uses_payload()) return decode_text(m.message_payload(), m.data_coding);
  std::string text;
  for (std::size_t i = 0; i < m.parts.size(); ++i) {
    if (m.parts.size() > 1 && (m.concat == concat_method::udh8 || m.concat == concat_method::udh16)) {
      std::size_t udh_length = 0;
      const auto concat = parse_concat_udh(m.short_message(i), udh_length);
      REQUIRE(concat);
      CHECK(concat->total == m.parts.size());
      CHECK(concat->sequence == i + 1);
      CHECK(udh_length == m.parts[i].udh_length);
    }
    if (m.packed) {
      const auto septets =
          gsm7::unpack(m.body(i), gsm7::fill_bits_after_udh(m.parts[i].udh_length), m.parts[i].units);
      text += decode_text(septets, m.data_coding);
    } else {
      text += decode_text(m.body(i), m.data_coding);
    }
  }
  return text;
}

std::vector<std::size_t> units_per_part(const message& m) {
  std::vector<std::size_t> units;
  for (const auto& p : m.parts) units.push_back(p.units);
  return units;
}

}  // namespace

TEST_CASE("split: a short GSM text is one part of unpacked septets, data_coding 0") {
  const auto m = split_ok("Hop to dan pho 5 luc 19h @ nha van hoa");
  CHECK(m.coding == encoding::gsm7);
  CHECK(m.data_coding == 0x00);
  CHECK(m.esm_class == 0x00);
  REQUIRE(m.parts.size() == 1);
  CHECK(to_hex(m.short_message(0)) ==
        "486f7020746f2064616e2070686f2035206c7563203139682000206e68612076616e20686f61");
  CHECK(m.udh(0).empty());
  CHECK(m.free_units == 160 - 38);
}

TEST_CASE("split: Vietnamese with diacritics is UCS-2 and says which character forced it") {
  const auto m = split_ok("Lịch tiêm");
  CHECK(m.coding == encoding::ucs2);
  CHECK(m.data_coding == 0x08);
  CHECK(m.first_non_gsm == 1u);
  CHECK(to_hex(m.short_message(0)) == "004c1ecb0063006800200074006900ea006d");
  CHECK(m.chars == 9);
  CHECK(m.units == 9);
}

TEST_CASE("split: GSM boundaries 160/161 and 153 per part with an 8-bit reference") {
  CHECK(split_ok(repeat("a", 160)).segments == 1);
  auto m = split_ok(repeat("a", 161), {.reference = 0x2A});
  CHECK(units_per_part(m) == std::vector<std::size_t>{153, 8});
  CHECK(m.esm_class == 0x40);
  CHECK(to_hex(m.udh(0)) == "0500032a0201");
  CHECK(to_hex(m.udh(1)) == "0500032a0202");
  CHECK(m.short_message(0).size() == 6 + 153);
  CHECK(split_ok(repeat("a", 306)).segments == 2);
  CHECK(split_ok(repeat("a", 307)).segments == 3);
  CHECK(split_ok(repeat("a", 153 * 5)).segments == 5);
  CHECK(split_ok(repeat("a", 153 * 5 + 1)).segments == 6);
}

TEST_CASE("split: 152 per part with a 16-bit reference") {
  split_options o{.concat = concat_method::udh16, .reference = 0x1234};
  CHECK(split_ok(repeat("a", 160), o).segments == 1);
  auto m = split_ok(repeat("a", 304), o);
  CHECK(units_per_part(m) == std::vector<std::size_t>{152, 152});
  CHECK(to_hex(m.udh(1)) == "06080412340202");
  CHECK(split_ok(repeat("a", 305), o).segments == 3);
}

TEST_CASE("split: UCS-2 boundaries 70/71, 67 and 66 per part") {
  CHECK(split_ok(repeat("ệ", 70)).segments == 1);
  CHECK(units_per_part(split_ok(repeat("ệ", 71))) == std::vector<std::size_t>{67, 4});
  CHECK(split_ok(repeat("ệ", 134)).segments == 2);
  CHECK(split_ok(repeat("ệ", 135)).segments == 3);
  split_options o{.concat = concat_method::udh16};
  CHECK(split_ok(repeat("ệ", 132), o).segments == 2);
  CHECK(split_ok(repeat("ệ", 133), o).segments == 3);
}

TEST_CASE("split: an ESC pair is never split across parts") {
  // 152 letters, then the euro sign (2 septets): 154 septets do not fit 153, so € opens part 2.
  const auto m = split_ok(repeat("a", 152) + "€" + repeat("b", 10));
  CHECK(units_per_part(m) == std::vector<std::size_t>{152, 12});
  CHECK(to_hex(m.body(1).first(3)) == "1b6562");
  CHECK(m.units == 164);
  CHECK(reassemble(m) == m.text);
  // Alone, 158 letters and € fit exactly in 160.
  CHECK(split_ok(repeat("a", 158) + "€").segments == 1);
  CHECK(split_ok(repeat("a", 159) + "€").segments == 2);
}

TEST_CASE("split: a surrogate pair (emoji) is never split across parts") {
  const auto m = split_ok(repeat("ệ", 66) + "😀" + repeat("ệ", 5));
  CHECK(units_per_part(m) == std::vector<std::size_t>{66, 7});
  CHECK(to_hex(m.body(1).first(4)) == "d83dde00");
  CHECK(split_ok(repeat("ệ", 68) + "😀").segments == 1);  // 70 units exactly
  CHECK(split_ok(repeat("ệ", 69) + "😀").segments == 2);
}

TEST_CASE("split: SAR puts the concatenation in TLVs, not in short_message") {
  const auto m = split_ok(repeat("x", 200), {.concat = concat_method::sar, .reference = 0x0102});
  REQUIRE(m.parts.size() == 2);
  CHECK(m.esm_class == 0x00);
  CHECK(m.udh(0).empty());
  CHECK(m.short_message(0).size() == 152);
  CHECK(m.sar(0) == sar_fields{0x0102, 2, 1});
  CHECK(m.sar(1) == sar_fields{0x0102, 2, 2});
  CHECK(reassemble(m) == m.text);
  CHECK_FALSE(split_ok("short", {.concat = concat_method::sar}).sar(0));
}

TEST_CASE("split: payload carries the whole text in message_payload, segments counted for cost") {
  const auto m = split_ok(repeat("ệ", 100), {.concat = concat_method::payload});
  CHECK(m.uses_payload());
  REQUIRE(m.parts.size() == 1);
  CHECK(m.short_message(0).empty());
  CHECK(m.message_payload().size() == 200);
  CHECK(m.segments == 2);
  CHECK(reassemble(m) == m.text);
  const auto one = split_ok("ngắn", {.concat = concat_method::payload});
  CHECK_FALSE(one.uses_payload());  // one segment: plain short_message
  CHECK(one.short_message(0).size() == 8);
}

TEST_CASE("split: packed GSM 7-bit, with fill bits after the UDH") {
  auto m = split_ok("hellohello", {.packed_gsm7 = true});
  CHECK(m.packed);
  CHECK(to_hex(m.short_message(0)) == "e8329bfd4697d9ec37");
  m = split_ok(repeat("Hello world ", 20), {.reference = 7, .packed_gsm7 = true});
  REQUIRE(m.parts.size() == 2);
  CHECK(m.short_message(0).size() == 140);  // 6 octets of UDH + 153 septets with one fill bit
  CHECK(reassemble(m) == m.text);
}

TEST_CASE("split: the GSM data_coding is the carrier's choice") {
  CHECK(split_ok("abc", {.gsm7_data_coding = 0x01}).data_coding == 0x01);
  CHECK(split_ok("ệ", {.gsm7_data_coding = 0x01}).data_coding == 0x08);
}

TEST_CASE("split: accent policies") {
  const std::string notice = "Lịch tiêm chủng sởi: thứ Hai 23/11, Trạm Y tế phường Long Thủy.";
  const auto kept = split_ok(notice);
  CHECK(kept.coding == encoding::ucs2);
  CHECK(kept.applied == accents::keep);
  CHECK(kept.text == notice);

  const auto stripped = split_ok(notice, {.accent_policy = accents::strip});
  CHECK(stripped.coding == encoding::gsm7);
  CHECK(stripped.applied == accents::strip);
  CHECK(stripped.text == "Lich tiem chung soi: thu Hai 23/11, Tram Y te phuong Long Thuy.");

  SUBCASE("auto keeps accents when they cost nothing more") {
    const auto m = split_ok(notice, {.accent_policy = accents::automatic});
    CHECK(m.applied == accents::keep);  // 63 characters: one part either way
  }
  SUBCASE("auto strips when that saves parts") {
    const auto m = split_ok(notice + " " + notice, {.accent_policy = accents::automatic});
    CHECK(m.applied == accents::strip);
    CHECK(m.segments == 1);
  }
  SUBCASE("auto does not strip a GSM text") {
    const auto m = split_ok("Café à 8h", {.accent_policy = accents::automatic});
    CHECK(m.applied == accents::keep);
    CHECK(m.text == "Café à 8h");
  }
}

TEST_CASE("split: keep composes decomposed input to NFC: fewer units, better on basic phones") {
  const auto m = split_ok("Nguye\u0302\u0303n");
  CHECK(m.text == "Nguyễn");
  CHECK(m.units == 6);
}

TEST_CASE("split: the part cap is enforced with the counts, never by truncation") {
  message m;
  auto status = split(repeat("ệ", 67 * 10 + 1), {.max_parts = 10}, m);
  CHECK(status.code == make_error_code(error::too_many_parts));
  CHECK(status.parts_needed == 11);
  CHECK(status.max_parts == 10);
  CHECK(status.parts_if_stripped == 5u);
  CHECK(m.parts.empty());
  CHECK(describe(status, m) ==
        "the text needs 11 parts (UCS-2, 671 units, 67 per part), more than the limit of 10; "
        "without accents it would need 5");
  CHECK(split(repeat("ệ", 67 * 10), {.max_parts = 10}, m));

  status = split("x", {.max_parts = 0}, m);
  CHECK(status.code == make_error_code(error::invalid_options));
  status = split("x", {.max_parts = 256}, m);
  CHECK(status.code == make_error_code(error::invalid_options));
  CHECK(split(repeat("a", 153 * 255), {.max_parts = 255}, m));
}

TEST_CASE("split: invalid input is refused with where it is") {
  message m;
  auto status = split("Lịch\xE1\xBB", {}, m);
  CHECK(status.code == make_error_code(error::utf8_truncated));
  CHECK(status.byte_offset == 6);  // L, ị (3 octets), c, h
  CHECK(describe(status, m) == "invalid UTF-8: truncated sequence at byte 6");

  status = split("ệ\x07x", {}, m);
  CHECK(status.code == make_error_code(error::control_character));
  CHECK(status.byte_offset == 3);
  CHECK(describe(status, m) == "control character U+0007 at byte 3 is not allowed in an SMS");
  CHECK(split("tab\tand\r\nnew line\f", {}, m));
}

TEST_CASE("split: the empty text is one empty part") {
  const auto m = split_ok("");
  CHECK(m.segments == 1);
  CHECK(m.short_message(0).empty());
}

TEST_CASE("split: round trip for every method, alphabet and boundary") {
  const std::string texts[] = {
      repeat("a", 160), repeat("a", 161),          repeat("{x}", 70),
      repeat("ệ", 71),  repeat("😀ệ", 50),          "Đường Nguyễn Huệ: tiêm chủng " + repeat("đợt 2 ", 30),
      repeat("€", 200), "@$_ " + repeat("Δ", 200),
  };
  for (auto method :
       {concat_method::udh8, concat_method::udh16, concat_method::sar, concat_method::payload}) {
    for (const auto& text : texts) {
      for (bool packed : {false, true}) {
        CAPTURE(to_string(method));
        CAPTURE(text);
        const auto m =
            split_ok(text, {.concat = method, .reference = 0xBEEF, .max_parts = 20, .packed_gsm7 = packed});
        CHECK(reassemble(m) == text);
        std::size_t units = 0;
        for (const auto& p : m.parts) units += p.units;
        CHECK(units == m.units);
      }
    }
  }
}

TEST_CASE("split: a splitter reuses its buffers across texts") {
  splitter s({.accent_policy = accents::automatic});
  message m;
  REQUIRE(s.split(repeat("ệ", 200), m));
  CHECK(m.applied == accents::strip);
  REQUIRE(s.split("ngắn", m));
  CHECK(m.applied == accents::keep);
  CHECK(m.parts.size() == 1);
  CHECK(reassemble(m) == "ngắn");
}
