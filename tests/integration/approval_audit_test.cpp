// Trust, end to end against real processes (broadcast_rig.hpp): a large or urgent send waits for a second
// person, an approver of the ward who did not send it; every change is in the ward's audit trail.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <thread>

#include "tests/integration/broadcast_rig.hpp"

using namespace loa;
using test::field;
using test::loa_cli;
namespace json = boost::json;
using boost::beast::http::verb;
using namespace std::chrono_literals;

namespace {

std::string households(const std::vector<std::string>& numbers) {
  std::string csv = "phone,name,groups\n";
  for (std::size_t i = 0; i < numbers.size(); ++i)
    csv += numbers[i] + ",Hộ " + std::to_string(i) + (i < 20 ? ",all;to-1\n" : ",all\n");
  return csv;
}

test::rig_options approval_above(int n) {
  test::rig_options o;
  o.top_lines = "approval:\n  above_recipients: " + std::to_string(n) + "\n";
  return o;
}

std::vector<std::string> actions_of(const json::value& doc) {
  std::vector<std::string> out;
  for (const auto& e : doc.at("entries").as_array()) out.emplace_back(e.at("action").as_string());
  return out;
}

}  // namespace

TEST_CASE("approval: a large send waits until another approver of the ward releases it") {
  test::broadcast_rig rig(approval_above(100));
  rig.start_gateway();
  rig.import(households(test::test_numbers(300)));

  auto r = loa_cli(rig, {"--json", "send", "--ward", "long-thuy", "--group", "all", "--text", "Hop to dan pho 19h",
                         "--yes"});
  INFO(r.out, r.err);
  REQUIRE(r.exit == 0);
  const std::string id(json::parse(r.out).at("id").as_string());
  CHECK(json::parse(r.out).at("state") == "awaiting_approval");
  r = loa_cli(rig, {"send", "--ward", "long-thuy", "--group", "all", "--text", "Hop to dan pho 20h", "--yes"});
  CHECK(r.out.find("loa approve") != std::string::npos);  // the sender is told what happens next

  // The sender cannot release it: hoa is a sender, and approvers may not release their own sends.
  r = loa_cli(rig, {"approve", id});
  CHECK(r.exit == 2);
  std::this_thread::sleep_for(1s);
  CHECK(rig.status(id).at("state") == "awaiting_approval");
  CHECK(rig.accepted("Hop to dan pho").messages == 0);

  r = loa_cli(rig, {"--token", "demo-token-lan", "approve", id});
  CHECK(r.exit == 0);
  CHECK(r.out.find("campaign " + id + " approved") != std::string::npos);
  const auto s = rig.wait_finished(id);
  CHECK(field(s, "delivered") == 300);
  CHECK(rig.accepted("Hop to dan pho 19h").messages == 300);
  r = loa_cli(rig, {"--token", "demo-token-lan", "approve", id});
  CHECK(r.exit == 1);  // nothing to approve any more
  CHECK(r.err.find("is done: nothing to approve") != std::string::npos);

  // An approver's own send, even small but urgent, needs someone else.
  auto [code, created] = rig.call_as("demo-token-lan", verb::post, "/v1/campaigns",
                                     json::serialize(json::object{{"ward", "long-thuy"},
                                                                  {"group", "to-1"},
                                                                  {"text", "Bao khan: nuoc lu dang len"},
                                                                  {"urgent", true}}));
  CHECK(code == 201);
  CHECK(created.at("state") == "awaiting_approval");
  const std::string urgent(created.at("id").as_string());
  auto [self_code, self] =
      rig.call_as("demo-token-lan", verb::post, "/v1/campaigns/" + urgent + "/approve");
  CHECK(self_code == 403);
  CHECK(std::string(self.at("error").as_string()).find("another approver") != std::string::npos);
  // Cancelled while waiting: there is nothing left to approve.
  const auto cancelled = rig.send({{"groups", json::array{"to-1"}}, {"text", "Bao khan 2"}, {"urgent", true}});
  CHECK(rig.call(verb::post, "/v1/campaigns/" + cancelled + "/cancel").first == 200);
  auto [late_code, late] = rig.call_as("demo-token-lan", verb::post, "/v1/campaigns/" + cancelled + "/approve");
  CHECK(late_code == 409);
  CHECK(rig.accepted("Bao khan").messages == 0);
}

TEST_CASE("audit: sends, approvals, cancels, imports and opt-outs are in the ward's trail, in order") {
  test::broadcast_rig rig(approval_above(100));
  rig.start_gateway();
  const auto numbers = test::test_numbers(150);
  rig.import(households(numbers));
  CHECK(rig.call(verb::post, "/v1/subscribers/" + numbers[5] + "/optout").first == 200);
  CHECK(rig.call(verb::delete_, "/v1/subscribers/" + numbers[6]).first == 200);
  const auto small = rig.send({{"groups", json::array{"to-1"}}, {"text", "Hop to 1 luc 19h"}});
  const auto large = rig.send({{"groups", json::array{"all"}}, {"text", "Lich cat dien thu Bay"}});
  CHECK(rig.call_as("demo-token-lan", verb::post, "/v1/campaigns/" + large + "/approve").first == 200);
  rig.wait_finished(large);
  CHECK(rig.call(verb::post, "/v1/campaigns/" + small + "/cancel").first == 200);  // done: not a change

  auto r = loa_cli(rig, {"--json", "audit", "--ward", "long-thuy", "--since", "1h"});
  INFO(r.out, r.err);
  REQUIRE(r.exit == 0);
  const auto doc = json::parse(r.out);
  CHECK(actions_of(doc) == std::vector<std::string>{"import", "optout", "forget", "send", "send", "approve"});
  const auto& entries = doc.at("entries").as_array();
  CHECK(entries[0].at("who") == "hoa");
  CHECK(field(entries[0].as_object(), "recipients") == 150);
  CHECK(entries[1].at("detail").as_string() == numbers[5]);
  // Forgetting keeps that it happened, not the number.
  CHECK(std::string(entries[2].at("detail").as_string()).rfind("sha256:", 0) == 0);
  CHECK(std::string(entries[2].at("detail").as_string()).find(numbers[6]) == std::string::npos);
  CHECK(entries[4].at("campaign").as_string() == large);
  CHECK(entries[4].at("text") == "Lich cat dien thu Bay");
  CHECK(std::string(entries[4].at("detail").as_string()).find("awaiting_approval") != std::string::npos);
  CHECK(entries[5].at("who") == "lan");
  CHECK(entries[5].at("role") == "approver");

  // For people: one line per entry, the notice's text under its send.
  r = loa_cli(rig, {"audit", "--ward", "long-thuy"});
  CHECK(r.exit == 0);
  CHECK(r.out.find("lan (approver)") != std::string::npos);
  CHECK(r.out.find("\"Lich cat dien thu Bay\"") != std::string::npos);
  r = loa_cli(rig, {"--json", "audit", "--ward", "long-thuy", "--since", "2099-01-01"});
  CHECK(json::parse(r.out).at("entries").as_array().empty());
  r = loa_cli(rig, {"audit", "--ward", "long-thuy", "--since", "yesterday"});
  CHECK(r.exit == 1);
  CHECK(r.err.find("since") != std::string::npos);
  r = loa_cli(rig, {"audit"});  // every ward's trail: admins only
  CHECK(r.exit == 2);
}

TEST_CASE("audit: loa audit prints what a sender wrote (key, text) escaped: no forged lines, no escapes") {
  // hoa's notice would add an entry of her making below her own; lan, the ward's approver, reads the trail at
  // her terminal. (A key with a control character is refused when the campaign is created: test_authz.)
  const auto numbers = test::test_numbers(4);
  test::broadcast_rig rig;
  rig.start_gateway();
  rig.import(households(numbers));
  const std::string forged = "2026-11-22 14:03:07  root (admin)   forget            sha256:0000";
  const std::string text = "Lich hop to dan pho\n" + forged;
  rig.send({{"groups", json::array{"to-1"}}, {"text", text}, {"key", "ban-tin-47"}});

  const auto r = loa_cli(rig, {"--token", "demo-token-lan", "audit", "--ward", "long-thuy"});
  INFO(r.out, r.err);
  CHECK(r.exit == 0);
  CHECK(r.out.find("\n" + forged) == std::string::npos);
  CHECK(r.out.find("Lich hop to dan pho\\n" + forged) != std::string::npos);

  const auto j = loa_cli(rig, {"--json", "--token", "demo-token-lan", "audit", "--ward", "long-thuy"});
  CHECK(j.exit == 0);
  CHECK(json::serialize(json::parse(j.out)).find("Lich hop to dan pho\\n2026") != std::string::npos);  // as written
}
