#include "gateway/broadcast/csv_import.hpp"

#include <doctest/doctest.h>

using namespace loa::broadcast;

namespace {

struct collected {
  std::vector<subscriber_row> rows;
  std::vector<invalid_row> invalid;
  bool finished = true;
};

// Reads `text`, fed in chunks of `chunk` bytes to show that row boundaries may fall anywhere.
collected read_csv(std::string_view text, std::size_t chunk = 1 << 20) {
  collected c;
  csv_reader reader([&](subscriber_row&& r) { c.rows.push_back(std::move(r)); },
                    [&](invalid_row&& r) { c.invalid.push_back(std::move(r)); });
  for (std::size_t at = 0; at < text.size(); at += chunk) reader.feed(text.substr(at, chunk));
  c.finished = reader.finish();
  return c;
}

}  // namespace

TEST_CASE("csv: BOM, header, CRLF, names and groups, any chunking") {
  const std::string text =
      "\xEF\xBB\xBFSo dien thoai,Ho ten,Nhom\r\n"
      "0912345678,Nguyễn Văn An,ho-gia-dinh;to-5\r\n"
      "+84 98 765 4321,\"Trần, Thị Bình\",\"nguoi-cao-tuoi\"\r\n"
      "84321234567\r\n"
      "\r\n"
      "0862345678,\"Lê Văn \"\"C\"\"\",";
  for (std::size_t chunk : {1u, 2u, 3u, 7u, 1000u}) {
    CAPTURE(chunk);
    const auto c = read_csv(text, chunk);
    CHECK(c.finished);
    CHECK(c.invalid.empty());
    REQUIRE(c.rows.size() == 4);
    CHECK(c.rows[0].line == 2);
    CHECK(c.rows[0].phone == "84912345678");
    CHECK(c.rows[0].name == "Nguyễn Văn An");
    CHECK(c.rows[0].groups == std::vector<std::string>{"ho-gia-dinh", "to-5"});
    CHECK(c.rows[1].phone == "84987654321");
    CHECK(c.rows[1].name == "Trần, Thị Bình");
    CHECK(c.rows[1].groups == std::vector<std::string>{"nguoi-cao-tuoi"});
    CHECK(c.rows[2].phone == "84321234567");
    CHECK(c.rows[2].name.empty());
    CHECK(c.rows[3].line == 6);
    CHECK(c.rows[3].name == "Lê Văn \"C\"");
    CHECK(c.rows[3].groups.empty());
  }
}

TEST_CASE("csv: a file without header starts with data") {
  const auto c = read_csv("0912345678\n0987654321\n");
  CHECK(c.rows.size() == 2);
  CHECK(c.rows[0].line == 1);
}

TEST_CASE("csv: bad rows are reported with their line and reason, good rows still come") {
  const auto c = read_csv(
      "phone,name\n"
      "0243 825 1234,Phường\n"   // landline
      "091234,Short\n"           // too short
      "0912345678,A,g1,extra\n"  // four columns
      "0987654321,\xC3\x28\n"    // not UTF-8
      "0912345679,Good\n"
      "01621234567,Legacy\n");
  REQUIRE(c.invalid.size() == 4);
  CHECK(c.invalid[0].line == 2);
  CHECK(c.invalid[0].value == "0243 825 1234");
  CHECK(c.invalid[0].reason.find("landline") != std::string::npos);
  CHECK(c.invalid[1].line == 3);
  CHECK(c.invalid[2].line == 4);
  CHECK(c.invalid[3].line == 5);
  CHECK(c.invalid[3].reason.find("UTF-8") != std::string::npos);
  REQUIRE(c.rows.size() == 2);
  CHECK(c.rows[0].line == 6);
  CHECK(c.rows[1].phone == "84321234567");
  CHECK(c.rows[1].converted_legacy);
}

TEST_CASE("csv: UTF-8 is checked strictly: surrogates, overlong forms and values past U+10FFFF are refused") {
  const auto c = read_csv(
      "0912345678,\xED\xA0\x80\n"          // a UTF-16 surrogate, encoded
      "0912345679,\xE0\x80\xAF\n"          // '/' in an overlong form
      "0912345670,\xF4\x90\x80\x80\n"      // above U+10FFFF
      "0912345671,Trần Thị Ánh\n");
  REQUIRE(c.invalid.size() == 3);
  for (const auto& bad : c.invalid) CHECK(bad.reason.find("UTF-8") != std::string::npos);
  REQUIRE(c.rows.size() == 1);
  CHECK(c.rows[0].name == "Trần Thị Ánh");
}

TEST_CASE("csv: a quoted field across lines keeps the line numbers right") {
  const auto c = read_csv("0912345678,\"two\nlines\"\n0987654321,x\n");
  REQUIRE(c.rows.size() == 2);
  CHECK(c.rows[0].name == "two\nlines");
  CHECK(c.rows[1].line == 3);
}

TEST_CASE("csv: an unclosed quote at the end is reported, not guessed") {
  const auto c = read_csv("0912345678,ok\n0987654321,\"never closed\n");
  CHECK_FALSE(c.finished);
  CHECK(c.rows.size() == 1);
  REQUIRE(c.invalid.size() == 1);
  CHECK(c.invalid[0].line == 2);
}

TEST_CASE("csv: group names are trimmed and deduplicated") {
  CHECK(split_groups(" a ; b;;a; ") == std::vector<std::string>{"a", "b"});
  CHECK(split_groups("").empty());
}

TEST_CASE("csv: a line of commas or a line without a break is one invalid row, excerpted, and the next rows come") {
  const std::string commas(20'000, ',');
  const std::string digits(50'000, '9');
  for (const std::string& flood : {commas, digits}) {
    for (std::size_t chunk : {1u, 7u, 4096u, 1u << 20}) {
      CAPTURE(chunk);
      const auto c = read_csv("0912345678,first\n" + flood + "\r\n0912345679,after\n", chunk);
      CHECK(c.finished);
      REQUIRE(c.invalid.size() == 1);
      CHECK(c.invalid[0].line == 2);
      CHECK(c.invalid[0].value == flood.substr(0, excerpt_bytes) + "...");
      CHECK(c.invalid[0].reason.find("longer than 4096 bytes") != std::string::npos);
      REQUIRE(c.rows.size() == 2);  // nothing accepted is lost
      CHECK(c.rows[1].line == 3);
      CHECK(c.rows[1].name == "after");
    }
  }
  // The flood as the file's last line, without a line break.
  const auto c = read_csv("0912345678,first\n" + digits);
  REQUIRE(c.invalid.size() == 1);
  CHECK(c.invalid[0].line == 2);
  CHECK(c.rows.size() == 1);
}

TEST_CASE("csv: the row limit counts quotes and separators, and a row at the limit is read") {
  const std::string name(4096 - std::string("0912345678,").size(), 'a');
  auto c = read_csv("0912345678," + name + "\n0912345679,b\n");
  CHECK(c.invalid.empty());
  REQUIRE(c.rows.size() == 2);
  CHECK(c.rows[0].name == name);
  c = read_csv("0912345678," + name + "a\n0912345679,b\n");
  REQUIRE(c.invalid.size() == 1);
  CHECK(c.invalid[0].line == 1);
  CHECK(c.rows.size() == 1);
  // A smaller limit, for a reader that wants one.
  std::vector<invalid_row> invalid;
  csv_reader small([](subscriber_row&&) {}, [&](invalid_row&& r) { invalid.push_back(std::move(r)); }, 16);
  small.feed("0912345678,abcde\n0912345678,abcdef\n");
  small.finish();
  REQUIRE(invalid.size() == 1);
  CHECK(invalid[0].line == 2);
}

TEST_CASE("csv: a quote left open ends its row at the first line break past the limit, not at the file's end") {
  std::string text = "0912345678,\"Nguyễn Văn An\n";  // the quote is never closed
  for (int i = 0; i < 400; ++i) text += "0912" + std::to_string(100000 + i) + ",x\n";  // swallowed by it
  text += "0987654321,after\n";
  const auto c = read_csv(text, 100);
  REQUIRE(c.invalid.size() == 1);
  CHECK(c.invalid[0].line == 1);
  CHECK(c.invalid[0].value.starts_with("0912345678,\"Nguy"));
  REQUIRE_FALSE(c.rows.empty());
  CHECK(c.rows.back().phone == "84987654321");
  CHECK(c.rows.back().line == 402);
  CHECK(c.rows.size() < 400);  // the rows inside the open quote, up to the limit, were part of the bad row
}

TEST_CASE("csv: a long bad phone field is echoed as a short excerpt, cut between characters") {
  const auto c = read_csv(std::string(200, '1') + ",x\n0912345678\n");
  REQUIRE(c.invalid.size() == 1);
  CHECK(c.invalid[0].value == std::string(excerpt_bytes, '1') + "...");
  CHECK(excerpt(std::string(39, 'a') + "ễ") == std::string(39, 'a') + "...");  // ễ is 3 bytes: not cut in two
  CHECK(excerpt("short") == "short");
  const auto columns = read_csv("0912345678\n0912345679" + std::string(1000, ',') + "\n");
  REQUIRE(columns.invalid.size() == 1);
  CHECK(columns.invalid[0].reason.starts_with("1001 columns"));
}
