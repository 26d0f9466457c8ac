// Issue 14's follow-up through the real `loa` CLI, gateway, redis-server and simulators (broadcast_rig.hpp):
// display names beside the ids, resending to those whose message failed, why a campaign waits, what a cancel
// stopped, and counts that agree from the dry run to the audit.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "tests/integration/broadcast_rig.hpp"

using namespace loa;
using test::field;
using test::loa_cli;
using test::loa_cli_at_terminal;
namespace json = boost::json;
using boost::beast::http::verb;

namespace {

// Numbers alternately viettel and vinaphone, all in "to-3".
std::string residents(const std::vector<std::string>& numbers, const std::string& groups = "to-3") {
  std::string csv = "phone,name,groups\n";
  for (std::size_t i = 0; i < numbers.size(); ++i) csv += numbers[i] + ",Hộ " + std::to_string(i) + "," + groups + "\n";
  return csv;
}

test::rig_options named_ward(std::vector<std::string> viettel_args = {}) {
  test::rig_options o;
  o.viettel_args = std::move(viettel_args);
  o.top_lines = "wards:\n  long-thuy: { display_name: \"Phường Long Thủy\" }\nconfirmation:\n  above_recipients: 5\n";
  o.hoa_lines = "    display_name: \"Nguyễn Thị Hoa\"\n";
  return o;
}

json::object parsed(const test::cli_result& r) {
  INFO(r.out, r.err);
  auto v = json::parse(r.out);
  REQUIRE(v.is_object());
  return v.as_object();
}

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

}  // namespace

TEST_CASE("follow-up: wards, groups and the sender are shown by their names beside the ids") {
  test::broadcast_rig rig(named_ward());
  rig.start_gateway();
  rig.import(residents(test::test_numbers(10)));

  auto r = loa_cli(rig, {"groups", "rename", "long-thuy", "to-3", "Tổ 3"});
  INFO(r.out, r.err);
  REQUIRE(r.exit == 0);
  CHECK(has(r.out, "Tổ 3"));
  r = loa_cli(rig, {"groups", "rename", "long-thuy", "to-33", "Tổ 33"});  // no such group: nearest named
  CHECK(r.exit == 1);
  CHECK(has(r.err, "to-3"));
  r = loa_cli(rig, {"--json", "groups", "list", "--ward", "long-thuy"});
  CHECK(parsed(r).at("groups").as_array().at(0).at("display_name") == "Tổ 3");
  r = loa_cli(rig, {"groups", "list", "--ward", "long-thuy"});
  CHECK(has(r.out, "Tổ 3"));

  // The dry run: JSON fields beside the ids, and the text shows both.
  r = loa_cli(rig, {"--json", "send", "--ward", "long-thuy", "--group", "to-3", "--text", "Hop to 3", "--dry-run"});
  auto p = parsed(r);
  CHECK(p.at("wards") == json::array{"long-thuy"});
  CHECK(p.at("ward_names").at("long-thuy") == "Phường Long Thủy");
  CHECK(p.at("group_names").at("to-3") == "Tổ 3");
  CHECK(p.at("created_by_name") == "Nguyễn Thị Hoa");
  r = loa_cli(rig, {"send", "--ward", "long-thuy", "--group", "to-3", "--text", "Hop to 3", "--dry-run"});
  CHECK(has(r.out, "long-thuy (Phường Long Thủy)"));
  CHECK(has(r.out, "to-3 (Tổ 3)"));

  // The confirmation takes the ward's display name, typed without diacritics or case.
  r = loa_cli_at_terminal(rig, {"send", "--ward", "long-thuy", "--group", "to-3", "--text", "Hop to 3 luc 19h", "--wait"},
                          "phuong long thuy\n");
  INFO(r.out, r.err);
  REQUIRE(r.exit == 0);
  CHECK(rig.accepted("Hop to 3 luc 19h").messages == 10);
  r = loa_cli_at_terminal(rig, {"send", "--ward", "long-thuy", "--group", "to-3", "--text", "Hop to 3 luc 20h"},
                          "Phường Long\n");
  CHECK(r.exit == 1);
  CHECK(rig.redis.command({"GET", "loa:campaign:next"}) == "1");

  // Status, campaigns and report name them too; the sender by name, not login.
  r = loa_cli(rig, {"--json", "status", "1"});
  auto s = parsed(r);
  CHECK(s.at("created_by") == "hoa");
  CHECK(s.at("created_by_name") == "Nguyễn Thị Hoa");
  CHECK(s.at("ward_names").at("long-thuy") == "Phường Long Thủy");
  r = loa_cli(rig, {"status", "1"});
  CHECK(has(r.out, "sent by Nguyễn Thị Hoa"));
  CHECK(has(r.out, "long-thuy (Phường Long Thủy)"));
  r = loa_cli(rig, {"--json", "campaigns"});
  CHECK(parsed(r).at("campaigns").as_array().at(0).at("group_names").at("to-3") == "Tổ 3");
  r = loa_cli(rig, {"campaigns"});
  CHECK(has(r.out, "to-3 (Tổ 3)"));
  r = loa_cli(rig, {"--json", "report", "1"});
  auto rep = parsed(r);
  CHECK(rep.at("ward_names").at("long-thuy") == "Phường Long Thủy");
  CHECK(rep.at("campaign").at("created_by_name") == "Nguyễn Thị Hoa");
}
