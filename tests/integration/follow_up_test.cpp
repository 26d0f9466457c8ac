// Issue 14's follow-up through the real `loa` CLI, gateway, redis-server and simulators (broadcast_rig.hpp):
// display names beside the ids, resending to those whose message failed, why a campaign waits, what a cancel
// stopped, and counts that agree from the dry run to the audit.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
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

TEST_CASE("follow-up: --resend-failed sends again to those whose message failed or expired, not to opt-outs since") {
  // Viettel's receipts all fail: its half of the ward did not get the first notice.
  test::broadcast_rig rig(named_ward({"--fail-rate", "1"}));
  rig.start_gateway();
  const auto numbers = test::test_numbers(20);
  rig.import(residents(numbers));
  auto r = loa_cli(rig, {"--json", "send", "--ward", "long-thuy", "--group", "to-3", "--text", "Cat nuoc thu Ba",
                         "--yes", "--wait"});
  INFO(r.out, r.err);
  REQUIRE(r.exit == 4);  // some failed
  const auto first = parsed(r);
  const auto failed = field(first, "failed") + field(first, "expired");
  REQUIRE(failed == 10);
  // One of those who missed it opts out since: the resend leaves that number out.
  std::vector<std::string> missed;
  for (std::size_t i = 0; i < numbers.size(); i += 2) missed.push_back(numbers[i]);  // 8496...: viettel
  REQUIRE(rig.call(verb::post, "/v1/subscribers/" + missed[0] + "/optout").first == 200);

  // The dry run: the campaign's own text, to the 9 left.
  r = loa_cli(rig, {"--json", "send", "--resend-failed", "1", "--dry-run"});
  auto p = parsed(r);
  CHECK(field(p, "recipients") == 9);
  CHECK(field(p, "skipped_optout") == 1);
  CHECK(p.at("text") == "Cat nuoc thu Ba");
  CHECK(p.at("resend_failed") == "1");
  CHECK(p.at("wards") == json::array{"long-thuy"});
  r = loa_cli(rig, {"send", "--resend-failed", "1", "--dry-run"});
  CHECK(has(r.out, "A resend of campaign 1"));
  // A correction and a resend at once is refused; so is a campaign the caller cannot see.
  r = loa_cli(rig, {"send", "--resend-failed", "99", "--dry-run"});
  CHECK(r.exit == 1);
  CHECK(has(r.err, "resend_failed: no campaign 99"));

  // The same confirmation as any large send (above 5 here), then a new campaign to exactly those 9.
  r = loa_cli_at_terminal(rig, {"send", "--resend-failed", "1", "--text", "Nhac lai: cat nuoc thu Ba", "--wait"},
                          "Phường Long Thủy\n");
  INFO(r.out, r.err);
  CHECK(r.out.find("campaign 2 created") != std::string::npos);
  const auto again = rig.accepted("Nhac lai: cat nuoc thu Ba");
  CHECK(again.messages == 9);
  for (std::size_t i = 1; i < missed.size(); ++i) CHECK(again.by_number.count(missed[i]) == 1);
  CHECK(again.by_number.count(missed[0]) == 0);
  auto s = rig.status("2");
  CHECK(field(s, "recipients") == 9);
  CHECK(s.at("resend_failed") == "1");

  // The audit says which campaign it follows.
  r = loa_cli(rig, {"audit", "--ward", "long-thuy"});
  CHECK(has(r.out, "resends the failed and expired of campaign 1"));
}

namespace {

// "HH:MM" of the local time (+07:00, the rig's default offset) `minutes` from now.
std::string local_clock(int minutes) {
  const auto t = std::chrono::system_clock::now() + std::chrono::hours(7) + std::chrono::minutes(minutes);
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::minutes>(t - day)};
  char out[6];
  std::snprintf(out, sizeof out, "%02d:%02d", static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()));
  return out;
}

}  // namespace

TEST_CASE("follow-up: loa status says until when a campaign waits in the quiet hours") {
  test::rig_options o = named_ward();
  const auto end = local_clock(120);
  o.gateway_lines = "  quiet_hours: { from: \"" + local_clock(-60) + "\", to: \"" + end + "\" }\n";
  test::broadcast_rig rig(o);
  rig.start_gateway();
  rig.import(residents(test::test_numbers(4)));
  auto r = loa_cli(rig, {"--json", "send", "--ward", "long-thuy", "--group", "to-3", "--text", "Hop to 3", "--yes"});
  INFO(r.out, r.err);
  REQUIRE(r.exit == 0);
  auto s = rig.status("1");
  CHECK(s.at("state") == "waiting");
  CHECK(s.at("waiting_reason") == "quiet_hours");
  REQUIRE(s.at("waiting_until").is_string());
  CHECK(std::string(s.at("waiting_until").as_string()).substr(11, 5) == end);
  CHECK(std::string(s.at("waiting_until").as_string()).ends_with("+07:00"));
  r = loa_cli(rig, {"status", "1"});
  CHECK(has(r.out, "waits until " + end + " (quiet hours)"));
}

TEST_CASE("follow-up: loa status names who must approve, and the carrier that is down and since when") {
  // VinaPhone refuses every bind: its numbers wait.
  test::rig_options o = named_ward();
  o.vinaphone_args = {"--refuse-binds", "100000"};
  test::broadcast_rig down_rig(o);
  down_rig.start_gateway_unbound();
  down_rig.import(residents(test::test_numbers(6)));
  auto r = loa_cli(down_rig, {"--json", "send", "--ward", "long-thuy", "--group", "to-3", "--text", "Hop to 3", "--yes"});
  INFO(r.out, r.err);
  REQUIRE(r.exit == 0);
  auto s = down_rig.wait_for("1", "delivered", 3);  // viettel's half goes out
  CHECK(s.at("state") == "running");
  CHECK(s.at("waiting_reason") == "carrier_down");
  CHECK(s.at("waiting_carriers") == json::array{"vinaphone"});
  REQUIRE(s.at("waiting_since").is_string());
  r = loa_cli(down_rig, {"status", "1"});
  CHECK(has(r.out, "carrier vinaphone not bound since "));

  // An urgent send waits for an approver of the ward other than its sender: lan.
  r = loa_cli(down_rig, {"--json", "send", "--ward", "long-thuy", "--group", "to-3", "--text", "Khan: cat dien",
                         "--urgent", "--yes"});
  REQUIRE(r.exit == 0);
  s = down_rig.status("2");
  CHECK(s.at("waiting_reason") == "approval");
  REQUIRE(s.at("approvers").as_array().size() == 1);
  CHECK(s.at("approvers").as_array().at(0).at("name") == "lan");
  r = loa_cli(down_rig, {"status", "2"});
  CHECK(has(r.out, "waits for approval by lan"));
}

TEST_CASE("follow-up: loa cancel reports the recipients it really stopped, and the report calls them not sent") {
  test::rig_options o = named_ward();
  o.carrier_lines = "    tps: 10\n";  // slow carriers: most of the 300 have not gone out when it is cancelled
  test::broadcast_rig rig(o);
  rig.start_gateway();
  rig.import(residents(test::test_numbers(300)));
  auto r = loa_cli(rig, {"--json", "send", "--ward", "long-thuy", "--group", "to-3", "--text", "Hop to 3 toi nay", "--yes"});
  INFO(r.out, r.err);
  REQUIRE(r.exit == 0);
  rig.wait_for("1", "submitted", 5);
  r = loa_cli(rig, {"cancel", "1"});
  INFO(r.out, r.err);
  REQUIRE(r.exit == 0);
  // What the binds held at the cancel still goes out (queued), then nothing more.
  auto s = rig.status("1");
  for (int i = 0; i < 300 && (field(s, "queued") > 0 || field(s, "pending") > 0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    s = rig.status("1");
  }
  const auto not_sent = field(s, "not_sent");
  CHECK(field(s, "recipients") == 300);  // the whole audience, not the part the fan-out had read
  CHECK(s.at("fanout_done") == true);
  CHECK(field(s, "queued") == 0);
  // What never left plus what went out is the audience: the simulators saw exactly the rest.
  const auto went = rig.accepted("Hop to 3 toi nay").messages;
  CHECK(not_sent > 200);
  CHECK(static_cast<std::size_t>(not_sent) + went == 300);
  CHECK(has(r.out, "campaign 1 cancelled: " + std::to_string(not_sent) + " of 300 recipients never sent"));
  // The fan-out of a cancelled campaign writes nothing more.
  const auto counted = rig.redis.command({"HGET", "loa:{c:1}:counts", "recipients"});
  std::this_thread::sleep_for(std::chrono::seconds(2));
  CHECK(rig.redis.command({"HGET", "loa:{c:1}:counts", "recipients"}) == counted);
  r = loa_cli(rig, {"report", "1"});
  CHECK(has(r.out, std::to_string(not_sent) + " not sent (cancelled)"));
  CHECK_FALSE(has(r.out, " queued;"));
  r = loa_cli(rig, {"status", "1", "--watch"});
  CHECK(has(r.out, "cancelled with " + std::to_string(not_sent) + " not sent"));
}
