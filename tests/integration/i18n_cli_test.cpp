// The real `loa` in the official's language against the rig (broadcast_rig.hpp): Vietnamese by default and
// with LOA_LANG=vi, English with LOA_LANG=en or a LANG naming English, --json the same in both.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <cstdlib>

#include "tests/integration/broadcast_rig.hpp"

using namespace loa;
using test::loa_cli_in;
namespace json = boost::json;

namespace {

std::string households(const std::vector<std::string>& numbers) {
  std::string csv = "phone,name,groups\n";
  for (std::size_t i = 0; i < numbers.size(); ++i) csv += numbers[i] + ",Hộ " + std::to_string(i) + ",all\n";
  return csv;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const std::string notice =
    "Kính mời đại diện hộ gia đình dự họp tổ dân phố lúc 19h30 thứ Bảy tại nhà văn hóa.";

}  // namespace

TEST_CASE("i18n cli: a send, its status and its report in Vietnamese, the same in English with LOA_LANG=en") {
  test::broadcast_rig rig;
  rig.start_gateway();
  rig.import(households(test::test_numbers(40)));

  auto r =
      loa_cli_in(rig, "vi", {"send", "--ward", "long-thuy", "--group", "all", "--text", notice, "--dry-run"});
  INFO(r.out, r.err);
  REQUIRE(r.exit == 0);
  CHECK(has(r.out, "Chạy thử: chưa gửi tin nào.\n"));
  CHECK(has(r.out,
            "Nội dung hiện trên điện thoại (có dấu: 67 ký tự mỗi tin; 82 ký tự, 2 tin cho mỗi người):\n"));
  CHECK(has(r.out, "Người nhận: 40 ở long-thuy (nhóm: all); 0 người đã từ chối nhận tin, không gửi\n"));

  r = loa_cli_in(rig, "en", {"send", "--ward", "long-thuy", "--group", "all", "--text", notice, "--dry-run"});
  CHECK(has(r.out, "Dry run: nothing was sent.\n"));
  CHECK(has(r.out, "Recipients: 40 in long-thuy (groups: all); 0 opted out, not sent\n"));

  r = loa_cli_in(rig, "vi",
                 {"send", "--ward", "long-thuy", "--group", "all", "--text", notice, "--yes", "--wait"});
  INFO(r.out, r.err);
  REQUIRE(r.exit == 0);
  CHECK(has(r.out, "đã tạo đợt gửi "));
  CHECK(has(r.out, "đang gửi, 40 người nhận, mỗi người 2 tin (có dấu: 67 ký tự mỗi tin)\n"));
  CHECK(has(r.out, "cả 40 người đều đã nhận\n"));
  CHECK(has(r.err, "] đợt gửi "));  // the log lines of a pipe, in Vietnamese too
  const auto id =
      r.out.substr(r.out.find("đã tạo đợt gửi ") + std::string("đã tạo đợt gửi ").size(),
                   r.out.find(':') - r.out.find("đã tạo đợt gửi ") - std::string("đã tạo đợt gửi ").size());

  r = loa_cli_in(rig, "vi", {"status", id});
  CHECK(has(r.out, "đợt gửi " + id + ": đã gửi xong\n"));
  CHECK(has(r.out, "đã nhận"));
  r = loa_cli_in(rig, "en", {"status", id});
  CHECK(has(r.out, "campaign " + id + ": done\n"));

  r = loa_cli_in(rig, "vi", {"report", id});
  CHECK(has(r.out, "Đợt gửi " + id + ", đã gửi xong; báo cáo lập lúc "));
  CHECK(has(r.out, "Lý do thất bại\n  không có\n"));
  CHECK(has(r.out, "người đã nhận: một nửa trong "));

  // --json is CONTRACT.md's, whatever the language.
  const auto vi_json = loa_cli_in(rig, "vi", {"--json", "campaigns"});
  const auto en_json = loa_cli_in(rig, "en", {"--json", "campaigns"});
  CHECK(vi_json.exit == 0);
  CHECK(json::parse(vi_json.out) == json::parse(en_json.out));
  r = loa_cli_in(rig, "vi", {"campaigns"});
  CHECK(has(r.out, "SỐ  TRẠNG THÁI"));
}

TEST_CASE("i18n cli: a refusal of the gateway reads in Vietnamese, and LANG naming English gives English") {
  test::broadcast_rig rig;
  rig.start_gateway();
  rig.import(households(test::test_numbers(5)));

  auto r =
      loa_cli_in(rig, "vi", {"send", "--ward", "long-thuy", "--group", "to-9", "--text", "x", "--dry-run"});
  INFO(r.out, r.err);
  CHECK(r.exit == 1);
  CHECK(has(r.err, "loa: groups: phường long-thuy không có nhóm 'to-9'; chưa gửi gì"));

  r = loa_cli_in(rig, "vi",
                 {"--json", "send", "--ward", "long-thuy", "--group", "to-9", "--text", "x", "--dry-run"});
  CHECK(has(r.out, "has no group 'to-9'; nothing was sent"));  // --json keeps the gateway's words

  // LOA_LANG unset (empty): the locale decides.
  setenv("LANG", "en_US.UTF-8", 1);
  r = loa_cli_in(rig, "", {"groups", "list", "--ward", "an-phu"});
  unsetenv("LANG");
  CHECK(has(r.err, "no ward an-phu among the wards operator hoa may act on"));
  r = loa_cli_in(rig, "", {"groups", "list", "--ward", "an-phu"});
  CHECK(has(r.err, "không có phường an-phu trong các phường mà cán bộ hoa được phép thao tác"));
}
