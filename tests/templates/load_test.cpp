// config/notice_templates.hpp: a bad template file is refused with FILE:LINE and what is wrong.
#include "config/notice_templates.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

using namespace loa::templates;
namespace fs = std::filesystem;

namespace {

// The what() of the config_error that parsing text as "t.yaml" throws, or "no error".
std::string error_of(std::string_view text) {
  try {
    loa::config::parse_template(text, "t.yaml");
  } catch (const loa::config::config_error& e) {
    return e.what();
  }
  return "no error";
}

// Lines 1-4 of the documents below.
constexpr std::string_view head =
    "name: t\n"                // 1
    "title: Thử\n"             // 2
    "max_parts: 2\n"           // 3
    "text: \"Họp {ngay}\"\n";  // 4

// A directory of its own under the system's temporary directory, removed afterwards.
struct temp_dir {
  fs::path path = fs::temp_directory_path() / ("loa-templates-test-" + std::to_string(::getpid()));
  temp_dir() { fs::create_directories(path); }
  ~temp_dir() { fs::remove_all(path); }
  void write(const std::string& name, std::string_view text) const { std::ofstream(path / name) << text; }
};

}  // namespace

TEST_CASE("a good template loads with its fields") {
  const auto t = loa::config::parse_template(std::string(head) +
                                    "placeholders:\n"
                                    "  ngay:\n"
                                    "    kind: date\n"
                                    "    description: ngày họp\n"
                                    "    example: 23/11\n",
                                "t.yaml");
  CHECK(t.name == "t");
  CHECK(t.title == "Thử");
  CHECK(t.max_parts == 2);
  CHECK(t.accent_policy == loa::segments::accents::keep);
  REQUIRE(t.placeholders.size() == 1);
  CHECK(t.placeholders[0].kind == placeholder_kind::date);
  CHECK(t.placeholders[0].required);
  CHECK(t.placeholders[0].line == 6);
  CHECK(t.placeholders[0].example == "23/11");
}

TEST_CASE("broken YAML gives FILE:LINE") {
  CHECK(error_of("name: t\ntitle: [Thử\ntext: x\n") ==
        "t.yaml:3: YAML syntax error: end of sequence flow not found");
  CHECK(error_of("name: t\ntitle: a\n- b\n") == "t.yaml:3: YAML syntax error: end of map not found");
  CHECK(error_of("name: t\nname: u\ntitle: a\ntext: b\n") ==
        "t.yaml:2: top level: key 'name' given twice (first on line 1)");
  const std::string e = error_of("name: t\ntitle: a\n  text: b: c\n");
  CHECK(e.starts_with("t.yaml:3: YAML syntax error"));
}

TEST_CASE("a bad template names the line and the key") {
  const std::string ngay = "placeholders:\n  ngay: { kind: date }\n";  // lines 5-6
  CHECK(error_of(std::string(head) + ngay) == "no error");
  CHECK(error_of(std::string(head)) == "t.yaml:4: text: placeholders not declared under placeholders: ngay");
  CHECK(error_of(std::string(head) + ngay + "colour: red\n") ==
        "t.yaml:7: top level: unknown key 'colour'; allowed: name, title, text, text_unaccented, accents, "
        "max_parts, placeholders");
  CHECK(error_of("name: t\ntitle: a\n") == "t.yaml:1: top level: missing required key 'text'");
  CHECK(error_of(std::string(head) + "placeholders:\n  ngay: { kind: day }\n") ==
        "t.yaml:6: placeholders.ngay.kind: unknown kind 'day'; expected date | time | place | text");
  CHECK(error_of(std::string(head) + "placeholders:\n  ngay: { kind: text }\n") ==
        "t.yaml:6: placeholders.ngay: free text needs max_chars (its longest value, in characters)");
  CHECK(error_of(std::string(head) + "placeholders:\n  ngay: { kind: date, max_chars: 3 }\n") ==
        "t.yaml:6: placeholders.ngay.max_chars: a date has a fixed form; max_chars is for place and text");
  CHECK(error_of(std::string(head) + ngay + "  gio: { kind: time }\n") ==
        "t.yaml:4: text: declared placeholders not used: gio");
  CHECK(error_of(std::string(head) + "placeholders:\n  ngay: { kind: date, example: 31/02/2026 }\n") ==
        "t.yaml:6: placeholders.ngay.example: {ngay}: '31/02/2026': 31/02/2026 does not exist");
  CHECK(error_of(std::string(head) + ngay + "accents: maybe\n") ==
        "t.yaml:7: accents: unknown policy 'maybe'; expected keep | strip | auto");
  CHECK(error_of("name: t\ntitle: a\nmax_parts: 0\ntext: x\n") ==
        "t.yaml:3: max_parts: 0 is out of range 1..255");
  CHECK(error_of("name: t\ntitle: a\ntext: \"x {ngay\"\n") ==
        "t.yaml:3: text: '{' is never closed (write '{{' for a literal brace), near 'x {ngay'");
  CHECK(error_of(std::string(head) + ngay + "text_unaccented: \"Họp {ngay}\"\n") ==
        "t.yaml:7: text_unaccented: has a letter with diacritics near '\xE1\xBB\x8Dp '");
  // What an error quotes is cut at whole letters, never inside one (fuzz/crashes/template-*-cuts-utf8.bin).
  CHECK(error_of("name: t\ntitle: a\ntext: \"Thông báo ngày {ngay\"\n") ==
        "t.yaml:3: text: '{' is never closed (write '{{' for a literal brace), near 'áo ngày {ngay'");
  CHECK(error_of(std::string(head) + ngay + "text_unaccented: \"Hop {ngay} ở ờ ở ờ ở\"\n") ==
        "t.yaml:7: text_unaccented: has a letter with diacritics near 'ở ờ ở '");
}

TEST_CASE("examples that break the part limit are refused at load") {
  const std::string text =
      "name: t\ntitle: a\nmax_parts: 1\ntext: \"Họp: {noi_dung}\"\n"
      "placeholders:\n  noi_dung: { kind: text, max_chars: 200, example: \"" +
      std::string(80, 'x') + "\" }\n";
  const std::string e = error_of(text);
  CHECK(e.starts_with("t.yaml:3: with the examples: {noi_dung} (80 characters) makes the notice too long"));
}

TEST_CASE("a directory loads sorted by name and a file must be named after its template") {
  temp_dir dir;
  dir.write("b.yaml", "name: b\ntitle: B\ntext: Bê\n");
  dir.write("a.yml", "name: a\ntitle: A\ntext: A\n");
  dir.write("notes.txt", "not a template");
  const auto all = loa::config::load_directory(dir.path);
  REQUIRE(all.size() == 2);
  CHECK(all[0].name == "a");
  CHECK(all[1].name == "b");
  CHECK(all[1].file == dir.path / "b.yaml");
  CHECK(loa::config::template_names(dir.path) == std::vector<std::string>{"a", "b"});
  CHECK(loa::config::template_file(dir.path, "b") == dir.path / "b.yaml");
  CHECK_FALSE(loa::config::template_file(dir.path, "c"));
  CHECK_FALSE(loa::config::template_file(dir.path, "../b"));

  dir.write("c.yaml", "name: d\ntitle: C\ntext: C\n");
  try {
    loa::config::load_directory(dir.path);
    FAIL("a misnamed file loaded");
  } catch (const loa::config::config_error& e) {
    CHECK(std::string(e.what()) ==
          (dir.path / "c.yaml").string() + ": name 'd' differs from the file name; call the file d.yaml");
  }
}

TEST_CASE("a bad file in a directory is reported with its path and line") {
  temp_dir dir;
  dir.write("x.yaml", "name: x\ntitle: X\ntext: \"{a}\"\nplaceholders:\n  a: { kind: tme }\n");
  try {
    loa::config::load_directory(dir.path);
    FAIL("a bad file loaded");
  } catch (const loa::config::config_error& e) {
    CHECK(e.file() == (dir.path / "x.yaml").string());
    CHECK(e.line() == 5);
  }
}

TEST_CASE("a missing directory is reported") {
  CHECK_THROWS_AS(loa::config::load_directory("no/such/dir"), loa::config::config_error);
}
