#include "gateway/broadcast/numbers.hpp"

#include <doctest/doctest.h>

using namespace loa::broadcast;

TEST_CASE("numbers: the three accepted forms, with separators, give one stored form") {
  for (const char* input : {"0912345678", "+84912345678", "84912345678", "091 234 5678", "091.234.5678",
                            "+84 91-234-5678", " 0912345678 "}) {
    CAPTURE(input);
    const auto n = normalise_number(input);
    CHECK(n);
    CHECK(n.number == "84912345678");
    CHECK_FALSE(n.converted_legacy);
  }
}

TEST_CASE("numbers: every mobile prefix family of DOMAIN.md is accepted") {
  for (const char* input :
       {"0861234567", "0321234567", "0881234567", "0811234567", "0891234567", "0701234567", "0921234567",
        "0561234567", "0991234567", "0591234567", "0871234567", "0551234567"}) {
    CAPTURE(input);
    CHECK(normalise_number(input));
  }
}

TEST_CASE("numbers: pre-2018 11-digit numbers map to their new prefix") {
  const std::pair<const char*, const char*> vectors[] = {
      {"01621234567", "84321234567"}, {"01691234567", "84391234567"}, {"01231234567", "84831234567"},
      {"01271234567", "84811234567"}, {"01201234567", "84701234567"}, {"01281234567", "84781234567"},
      {"01861234567", "84561234567"}, {"01991234567", "84591234567"}, {"+841661234567", "84361234567"},
  };
  for (const auto& [input, stored] : vectors) {
    CAPTURE(input);
    const auto n = normalise_number(input);
    REQUIRE(n);
    CHECK(n.number == stored);
    CHECK(n.converted_legacy);
  }
}

TEST_CASE("numbers: anything else is refused with the reason, never guessed") {
  const std::pair<const char*, number_problem> vectors[] = {
      {"", number_problem::empty},
      {" - . ", number_problem::empty},
      {"+", number_problem::bad_character},
      {"0912a45678", number_problem::bad_character},
      {"(091) 2345678", number_problem::bad_character},
      {"09123+45678", number_problem::bad_character},
      {"0243 825 1234", number_problem::landline},
      {"+84 24 3825 1234", number_problem::landline},
      {"+1 202 555 0100", number_problem::not_vietnam},
      {"0084912345678", number_problem::not_vietnam},
      {"0412345678", number_problem::not_mobile},
      {"0112345678", number_problem::not_mobile},
      {"091234567", number_problem::wrong_length},
      {"09123456789", number_problem::wrong_length},
      {"912345678", number_problem::wrong_length},
      {"849123456789", number_problem::wrong_length},
      {"01311234567", number_problem::not_mobile},  // 11 digits, but 0131 was never a mobile prefix
  };
  for (const auto& [input, problem] : vectors) {
    CAPTURE(input);
    const auto n = normalise_number(input);
    CHECK_FALSE(n);
    CHECK(n.problem == problem);
    CHECK(n.number.empty());
    CHECK_FALSE(describe(n.problem).empty());
  }
}

TEST_CASE("numbers: national form for carriers that want TON 2") {
  CHECK(national_form("84912345678") == "0912345678");
}
