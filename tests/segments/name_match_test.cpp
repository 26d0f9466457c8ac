#include <doctest/doctest.h>

#include "segments/name_match.hpp"

using namespace loa::segments;

TEST_CASE("name_match: names fold without diacritics, case, spaces or dashes") {
  CHECK(fold_name("Tổ 3") == "to3");
  CHECK(fold_name("to-3") == "to3");
  CHECK(fold_name("TO_3") == "to3");
  CHECK(fold_name("Phụ huynh") == "phuhuynh");
  CHECK(fold_name("Đường Láng") == "duonglang");
  CHECK(fold_name("phu-huynh") == "phuhuynh");
  CHECK(fold_name("to-3") != fold_name("to-13"));
}

TEST_CASE("name_match: the nearest existing names, folded alike first") {
  const std::vector<std::string> groups = {"ho-gia-dinh", "phu-huynh", "to-3", "to-13", "nguoi-cao-tuoi"};
  CHECK(nearest_names("phu-huyng", groups) == std::vector<std::string>{"phu-huynh"});
  CHECK(nearest_names("Tổ 3", groups) == std::vector<std::string>{"to-3", "to-13"});
  CHECK(nearest_names("Phụ Huynh", groups).front() == "phu-huynh");
  CHECK(nearest_names("xyz", groups).empty());
  CHECK(nearest_names("long-thuyy", {"long-thuy", "an-phu"}) == std::vector<std::string>{"long-thuy"});
  CHECK(nearest_names("to-3", groups, 1).size() == 1);
  CHECK(did_you_mean({"a", "b", "c"}) == "did you mean 'a', 'b' or 'c'?");
  CHECK(did_you_mean({"to-3"}) == "did you mean 'to-3'?");
  CHECK(did_you_mean({}).empty());
}

TEST_CASE("name_match: edit distance") {
  CHECK(edit_distance("window", "windw") == 1);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
}
