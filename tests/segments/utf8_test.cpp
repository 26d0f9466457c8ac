#include "segments/utf8.hpp"

#include <doctest/doctest.h>

#include "segments/error.hpp"

using namespace loa::segments;

TEST_CASE("utf8: decodes ASCII, Vietnamese and emoji") {
  std::u32string cps;
  REQUIRE(decode_utf8("Tiêm ệ 😀", cps));
  CHECK(cps == U"Tiêm ệ 😀");
}

TEST_CASE("utf8: every invalid form is refused with the offset of the bad sequence") {
  struct vector {
    std::string_view bytes;
    error expected;
    std::size_t offset;
  };
  const vector vectors[] = {
      {"ab\xC3", error::utf8_truncated, 2},
      {"ab\xE1\xBB", error::utf8_truncated, 2},
      {"\xE1\x41\x41", error::utf8_truncated, 0},
      {"x\x80", error::utf8_unexpected_continuation, 1},
      {"\xC0\xAF", error::utf8_invalid_byte, 0},
      {"\xC1\xBF", error::utf8_invalid_byte, 0},
      {"ok\xF5\x80\x80\x80", error::utf8_invalid_byte, 2},
      {"\xFF", error::utf8_invalid_byte, 0},
      {"\xE0\x80\xAF", error::utf8_overlong, 0},
      {"\xF0\x80\x80\xAF", error::utf8_overlong, 0},
      {"a\xED\xA0\x80", error::utf8_surrogate, 1},
      {"\xED\xBF\xBF", error::utf8_surrogate, 0},
      {"\xF4\x90\x80\x80", error::utf8_too_large, 0},
  };
  for (const auto& v : vectors) {
    std::u32string cps;
    const auto status = decode_utf8(v.bytes, cps);
    CAPTURE(v.offset);
    CHECK_FALSE(status);
    CHECK(status.code == make_error_code(v.expected));
    CHECK(status.byte_offset == v.offset);
  }
}

TEST_CASE("utf8: the boundaries of each sequence length are accepted") {
  std::u32string cps;
  REQUIRE(decode_utf8("\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF", cps));
  CHECK(cps == std::u32string{0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF});
}

TEST_CASE("utf8: append_utf8 writes what decode_utf8 reads") {
  std::string s;
  for (char32_t cp : {U'A', U'\u00E9', U'\u1EC7', U'\U0001F600'}) append_utf8(s, cp);
  std::u32string cps;
  REQUIRE(decode_utf8(s, cps));
  CHECK(cps == U"Aéệ😀");
}
