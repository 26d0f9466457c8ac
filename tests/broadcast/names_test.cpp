// Ward and group names: one check for every way a name comes in (names.hpp).
#include <doctest/doctest.h>

#include "gateway/broadcast/names.hpp"

using loa::broadcast::check_name;
using loa::broadcast::name_error;
using loa::broadcast::name_kind;

TEST_CASE("names: a plain or Vietnamese name is accepted as it is") {
  for (const char* name : {"ho-gia-dinh", "to-5", "trưởng khu", "Phụ huynh lớp 1A"}) {
    const auto n = check_name(name_kind::group, name);
    INFO(name);
    CHECK(n);
    CHECK(n.value == name);
  }
  CHECK(check_name(name_kind::ward, "long-thuy").value == "long-thuy");
}

TEST_CASE("names: NFD and NFC spellings are one name (composed to NFC)") {
  const std::string nfc = "tr\xc6\xb0\xe1\xbb\x9fng-khu";          // trưởng-khu, precomposed ở
  const std::string nfd = "tru\xcc\x9bo\xcc\x9b\xcc\x89ng-khu";    // u + horn, o + horn + hook above
  const std::string mixed = "tr\xc6\xb0o\xcc\x9b\xcc\x89ng-khu";  // ư precomposed, ở decomposed
  CHECK(check_name(name_kind::group, nfc).value == nfc);
  CHECK(check_name(name_kind::group, nfd).value == nfc);
  CHECK(check_name(name_kind::group, mixed).value == nfc);
}

TEST_CASE("names: a control character is refused, naming the name and the code point") {
  const auto n = check_name(name_kind::group, "ho-gia-dinh\x1f");
  CHECK_FALSE(n);
  CHECK(n.error == name_error::control_character);
  CHECK(n.problem == "group \"ho-gia-dinh\\u001f\": control character U+001F");
  CHECK(check_name(name_kind::ward, std::string("long-thuy\0", 10)).problem ==
        "ward \"long-thuy\\u0000\": control character U+0000");
  CHECK(check_name(name_kind::group, "a\tb").error == name_error::control_character);
  CHECK(check_name(name_kind::group, "a\xc2\x85").error == name_error::control_character);  // U+0085 (C1)
}

TEST_CASE("names: invisible characters, separators, spaces and braces are refused") {
  CHECK(check_name(name_kind::group, "to\xe2\x80\x8b-5").error == name_error::invisible_character);  // ZWSP
  CHECK(check_name(name_kind::group, "to-5\xe2\x80\xae").problem ==
        "group \"to-5\\u202e\": invisible character U+202E");  // right-to-left override
  CHECK(check_name(name_kind::group, "\xef\xbb\xbfto-5").error == name_error::invisible_character);  // BOM
  CHECK(check_name(name_kind::group, "ho-gia-dinh;to-5").error == name_error::group_separator);
  CHECK(check_name(name_kind::ward, "a;b"));  // ';' only separates groups
  CHECK(check_name(name_kind::ward, "long}thuy").error == name_error::hash_tag_brace);
  CHECK(check_name(name_kind::group, "{to-5}"));
  CHECK(check_name(name_kind::group, " to-5").error == name_error::surrounding_space);
  CHECK(check_name(name_kind::group, "to-5\xc2\xa0").error == name_error::surrounding_space);  // no-break space
  CHECK(check_name(name_kind::group, "").error == name_error::empty);
  CHECK(check_name(name_kind::group, "   ").error == name_error::empty);
  CHECK(check_name(name_kind::group, std::string(201, 'a')).error == name_error::too_long);
  CHECK(check_name(name_kind::group, std::string(200, 'a')));
}

TEST_CASE("names: bytes that are not UTF-8 are refused and shown in hex") {
  const auto n = check_name(name_kind::group, "to-\xe9");
  CHECK(n.error == name_error::not_utf8);
  CHECK(n.problem == "group \"to-\\xe9\": not UTF-8");
}
