// templates/render.hpp: values checked by kind, every missing or unknown name reported at once, and a
// value that breaks the part limit named with the parts it needs and the cap.
#include "templates/render.hpp"

#include <doctest/doctest.h>

#include "config/notice_templates.hpp"

using namespace loa::templates;
namespace chr = std::chrono;

namespace {

constexpr std::string_view meeting_yaml = R"(name: hop
title: Mời họp
accents: keep
max_parts: 2
text: "Mời họp {to} lúc {gio} {ngay} tại {dia_diem}. {ghi_chu}"
text_unaccented: "Moi hop {to} luc {gio} {ngay} tai {dia_diem}. {ghi_chu}"
placeholders:
  to: { kind: text, max_chars: 20 }
  gio: { kind: time }
  ngay: { kind: date }
  dia_diem: { kind: place, max_chars: 30 }
  ghi_chu: { kind: text, max_chars: 200, required: false, default: "Xin cảm ơn." }
)";

const notice_template& meeting() {
  static const notice_template t = loa::config::parse_template(meeting_yaml, "hop.yaml");
  return t;
}

render_options on_20_november() {
  render_options options;
  options.today = chr::year_month_day{chr::year{2026}, chr::November, chr::day{20}};
  return options;
}

variables good_vars() {
  return {{"to", "tổ 5"}, {"gio", "19:30"}, {"ngay", "23/11"}, {"dia_diem", "Nhà văn hóa"}};
}

}  // namespace

TEST_CASE("a template is rendered with its values shown the Vietnamese way") {
  const auto r = render(meeting(), good_vars(), on_20_november());
  REQUIRE_MESSAGE(r.ok(), r.describe());
  CHECK(r.message.text == "Mời họp tổ 5 lúc 19h30 thứ Hai, 23/11/2026 tại Nhà văn hóa. Xin cảm ơn.");
  CHECK(r.message.coding == loa::segments::encoding::ucs2);
  CHECK(r.message.segments == 2);
  CHECK_FALSE(r.unaccented_variant);
  CHECK(r.shown.at("ngay") == "thứ Hai, 23/11/2026");
}

TEST_CASE("a date already past renders but is warned about, today and later dates are not") {
  auto vars = good_vars();
  vars["ngay"] = "19/11/2026";
  auto r = render(meeting(), vars, on_20_november());
  REQUIRE_MESSAGE(r.ok(), r.describe());
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0] == "{ngay}: thứ Năm, 19/11/2026 is already past (today is thứ Sáu, 20/11/2026)");
  for (const auto* later : {"20/11/2026", "23/11", "2027-01-05"}) {
    vars["ngay"] = later;
    r = render(meeting(), vars, on_20_november());
    CHECK_MESSAGE(r.warnings.empty(), later);
  }
}

TEST_CASE("an optional value replaces its default") {
  auto vars = good_vars();
  vars["ghi_chu"] = "Mang ghế.";
  const auto r = render(meeting(), vars, on_20_november());
  REQUIRE_MESSAGE(r.ok(), r.describe());
  CHECK(r.message.text.ends_with("tại Nhà văn hóa. Mang ghế."));
}

TEST_CASE("every missing and every unknown placeholder is named in one error") {
  const auto r =
      render(meeting(), {{"to", "tổ 5"}, {"ngya", "23/11"}, {"gio_hop", "7:30"}}, on_20_november());
  REQUIRE_FALSE(r.ok());
  CHECK(r.describe() ==
        "missing required placeholders: {gio}, {ngay}, {dia_diem}; "
        "unknown placeholders: {gio_hop}, {ngya} (template hop has {to}, {gio}, {ngay}, {dia_diem}, "
        "{ghi_chu})");
}

TEST_CASE("an empty value counts as missing") {
  auto vars = good_vars();
  vars["dia_diem"] = "  ";
  CHECK(render(meeting(), vars, on_20_november()).describe() == "missing required placeholders: {dia_diem}");
}

TEST_CASE("values are checked against their kinds, all at once") {
  auto vars = good_vars();
  vars["ngay"] = "31/11/2026";
  vars["gio"] = "25h";
  vars["to"] = std::string(21, 'x');
  const auto r = render(meeting(), vars, on_20_november());
  REQUIRE(r.problems.size() == 3);
  CHECK(r.problems[0] == "{to}: 21 characters, at most 20");
  CHECK(r.problems[1] == "{gio}: '25h' is not a time of day (hours 0-23, minutes 0-59)");
  CHECK(r.problems[2] == "{ngay}: '31/11/2026': 31/11/2026 does not exist");
}

TEST_CASE("free text is measured in characters, not bytes") {
  auto vars = good_vars();
  vars["to"] = "tổ dân phố Đông Hưng 1";  // 22 characters, 30 bytes
  CHECK(render(meeting(), vars, on_20_november()).describe() == "{to}: 22 characters, at most 20");
  vars["to"] = "tổ dân phố Đông Hưng";  // 20 characters, 28 bytes
  CHECK(render(meeting(), vars, on_20_november()).ok());
  // Decomposed (NFD) input has more code points than the phone shows; it is counted composed.
  vars["to"] = "to\xCC\x82\xCC\x89 5";  // "tổ 5" with combining circumflex and hook above
  const auto r = render(meeting(), vars, on_20_november());
  REQUIRE(r.ok());
  CHECK(r.shown.at("to") == "tổ 5");
}

TEST_CASE("a value that breaks the part limit is named with the parts needed and the cap") {
  auto vars = good_vars();
  vars["ghi_chu"] =
      "Đề nghị mỗi hộ cử một người đại diện đến đúng giờ, mang theo ý kiến đóng góp bằng văn bản.";
  const auto r = render(meeting(), vars, on_20_november());
  REQUIRE_FALSE(r.ok());
  CAPTURE(r.describe());
  CHECK(r.describe().starts_with(
      "{ghi_chu} (90 characters) makes the notice too long: the text needs 3 parts "));
  CHECK(r.describe().find("more than the limit of 2") != std::string::npos);
  CHECK(r.describe().ends_with("; shorten it"));
}

TEST_CASE("the accent policy can send the person-written unaccented text") {
  render_options options = on_20_november();
  options.accent_policy = loa::segments::accents::strip;
  const auto r = render(meeting(), good_vars(), options);
  REQUIRE_MESSAGE(r.ok(), r.describe());
  CHECK(r.unaccented_variant);
  CHECK(r.message.text == "Moi hop to 5 luc 19h30 thu Hai, 23/11/2026 tai Nha van hoa. Xin cam on.");
  CHECK(r.message.coding == loa::segments::encoding::gsm7);
  CHECK(r.message.segments == 1);

  options.accent_policy = loa::segments::accents::automatic;  // 1 GSM part beats 2 UCS-2 parts
  CHECK(render(meeting(), good_vars(), options).unaccented_variant);
}

TEST_CASE("auto keeps accents when stripping saves nothing") {
  const auto t = loa::config::parse_template(R"(name: ngan
title: Ngắn
accents: auto
max_parts: 1
text: "Họp {ngay}."
text_unaccented: "Hop {ngay}."
placeholders:
  ngay: { kind: date }
)",
                                "ngan.yaml");
  const auto r = render(t, {{"ngay", "2026-11-23"}}, on_20_november());
  REQUIRE(r.ok());
  CHECK(r.message.text == "Họp thứ Hai, 23/11/2026.");
  CHECK_FALSE(r.unaccented_variant);
}
