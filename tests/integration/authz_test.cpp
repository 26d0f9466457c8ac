// Who may act on what, end to end against real processes (broadcast_rig.hpp): an operator reaches only the
// numbers their wards hold and the campaigns of wards they all hold; the whole audit trail is for admins of
// every ward; a reused idempotency key with another notice is refused. Each case is an attack the gateway
// once let through (issue 12).
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "gateway/store/subscriber_store.hpp"
#include "tests/integration/broadcast_rig.hpp"

using namespace loa;
using test::field;
using test::loa_cli;
namespace json = boost::json;
using boost::beast::http::verb;

namespace {

// Tokens of the operators beside the rig's hoa (sender, long-thuy) and lan (approver, long-thuy).
const std::string minh = "token-minh";  // sender of an-binh
const std::string khoa = "token-khoa";  // admin of an-binh only
const std::string root = "token-root";  // admin without wards: every ward
const std::string duc = "token-duc";    // sender of long-thuy and an-binh
const std::string hoa = "demo-token-hoa";
const std::string lan = "demo-token-lan";

std::string operator_yaml(const std::string& name, const std::string& token, const std::string& wards,
                          const std::string& role) {
  std::string out = "  - name: " + name + "\n    token_sha256: \"" + broadcast::sha256_hex(token) + "\"\n";
  if (!wards.empty()) out += "    wards: [" + wards + "]\n";
  return out + "    role: " + role + "\n";
}

test::rig_options with_operators() {
  test::rig_options o;
  o.operator_lines =
      operator_yaml("minh", minh, "an-binh", "sender") + operator_yaml("khoa", khoa, "an-binh", "admin") +
      operator_yaml("root", root, "", "admin") + operator_yaml("duc", duc, "long-thuy, an-binh", "sender");
  return o;
}

std::string households(const std::vector<std::string>& numbers) {
  std::string csv = "phone,name,groups\n";
  for (std::size_t i = 0; i < numbers.size(); ++i) csv += numbers[i] + ",Hộ " + std::to_string(i) + ",all\n";
  return csv;
}

// Adds `number` to an-binh's group "all", as its sender.
void add_to_an_binh(test::broadcast_rig& rig, const std::string& number) {
  auto [code, body] =
      rig.call_as(minh, verb::put, "/v1/wards/an-binh/subscribers/" + number, R"({"groups": ["all"]})");
  REQUIRE(code == 200);
}

bool holds(test::broadcast_rig& rig, const std::string& ward, const std::string& number) {
  return rig.redis.command({"HEXISTS", broadcast::keys::bucket(ward, number), number}) == "1";
}

// The trail of `ward` ("" for every ward's), read by the admin of every ward.
json::array trail(test::broadcast_rig& rig, const std::string& ward) {
  auto [code, doc] =
      rig.call_as(root, verb::get, ward.empty() ? "/v1/audit" : "/v1/wards/" + ward + "/audit");
  REQUIRE(code == 200);
  return doc.at("entries").as_array();
}

// The opt-outs, opt-ins and forgets of a trail about `detail` (a number, or the hash of a forgotten one).
std::vector<json::object> about(const json::array& entries, const std::string& detail) {
  std::vector<json::object> out;
  for (const auto& e : entries) {
    const auto& action = e.at("action").as_string();
    if (e.at("detail").as_string() == detail &&
        (action == "optout" || action == "optin" || action == "forget"))
      out.push_back(e.as_object());
  }
  return out;
}

std::vector<std::string> wards_of(const json::object& entry) {
  std::vector<std::string> out;
  for (const auto& w : entry.at("wards").as_array()) out.emplace_back(w.as_string());
  return out;
}

// A string field of an answer, "" when it has none.
std::string text(const json::value& doc, const std::string& name) {
  const auto* v = doc.is_object() ? doc.as_object().if_contains(name) : nullptr;
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

// An answer as text with `from` written `to`: two refusals about different numbers or ids should differ in
// nothing else.
std::string rewritten(const json::value& body, const std::string& from, const std::string& to) {
  std::string out = json::serialize(body);
  for (auto at = out.find(from); at != std::string::npos; at = out.find(from, at + to.size()))
    out.replace(at, from.size(), to);
  return out;
}

}  // namespace

TEST_CASE("authz: another ward's operator cannot opt out, opt in or forget a number: it looks absent") {
  test::broadcast_rig rig(with_operators());
  rig.start_gateway();
  const auto numbers = test::test_numbers(10);
  rig.import(households(numbers));
  const std::string theirs = numbers[3];                     // long-thuy's only
  const std::string nobodys = test::test_numbers(1, 50)[0];  // in no ward
  add_to_an_binh(rig, test::test_numbers(1, 60)[0]);         // an-binh exists and holds someone

  for (const auto& token : {minh, khoa}) {  // a sender and a ward-scoped admin of an-binh
    CAPTURE(token);
    for (const std::string action : {"/optout", "/optin"}) {
      auto [code, foreign] = rig.call_as(token, verb::post, "/v1/subscribers/" + theirs + action);
      auto [absent_code, absent] = rig.call_as(token, verb::post, "/v1/subscribers/" + nobodys + action);
      INFO(json::serialize(foreign));
      CHECK(code == 404);
      CHECK(absent_code == 404);
      // Nothing tells a number of another ward from one of no ward.
      CHECK(json::serialize(foreign) == rewritten(absent, nobodys, theirs));
    }
    auto [code, foreign] = rig.call_as(token, verb::delete_, "/v1/subscribers/" + theirs);
    auto [absent_code, absent] = rig.call_as(token, verb::delete_, "/v1/subscribers/" + nobodys);
    CHECK(code == 404);
    CHECK(absent_code == 404);
    CHECK(json::serialize(foreign) == rewritten(absent, nobodys, theirs));
  }
  CHECK(rig.redis.command({"HEXISTS", "loa:optout", theirs}) == "0");
  CHECK(holds(rig, "long-thuy", theirs));
  // Refused attempts change nothing, so no ward's trail records them (neither kind leaves a trace).
  CHECK(about(trail(rig, ""), theirs).empty());
  CHECK(about(trail(rig, ""), nobodys).empty());
  CHECK(about(trail(rig, ""), "sha256:" + broadcast::sha256_hex(theirs)).empty());

  // The CLI says so and exits 1, as for any unknown number.
  auto r = loa_cli(rig, {"--token", minh, "subscribers", "optout", theirs});
  CHECK(r.exit == 1);
  CHECK(r.err.find(theirs) != std::string::npos);
  r = loa_cli(rig, {"--token", minh, "--json", "subscribers", "forget", theirs});
  CHECK(r.exit == 1);
  CHECK(json::parse(r.out).as_object().contains("error"));
  CHECK(holds(rig, "long-thuy", theirs));

  // The ward's own operator still can, and so can the admin of every ward, on any number.
  r = loa_cli(rig, {"subscribers", "optout", "0" + theirs.substr(2)});
  CHECK(r.exit == 0);
  CHECK(rig.redis.command({"HEXISTS", "loa:optout", theirs}) == "1");
  CHECK(rig.call_as(root, verb::post, "/v1/subscribers/" + nobodys + "/optout").first == 200);
  CHECK(rig.redis.command({"HEXISTS", "loa:optout", nobodys}) == "1");
}

TEST_CASE("authz: an opt-out or opt-in of a number two wards hold is in both wards' trails") {
  test::broadcast_rig rig(with_operators());
  rig.start_gateway();
  const auto numbers = test::test_numbers(10);
  rig.import(households(numbers));
  const std::string shared = numbers[4];
  add_to_an_binh(rig, shared);

  CHECK(rig.call(verb::post, "/v1/subscribers/" + shared + "/optout").first == 200);  // hoa, of long-thuy
  auto r = loa_cli(rig, {"--token", minh, "subscribers", "optin", shared});           // minh, of an-binh
  CHECK(r.exit == 0);
  for (const std::string ward : {"long-thuy", "an-binh"}) {
    CAPTURE(ward);
    const auto entries = about(trail(rig, ward), shared);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].at("action") == "optout");
    CHECK(entries[0].at("who") == "hoa");
    CHECK(entries[1].at("action") == "optin");
    CHECK(entries[1].at("who") == "minh");
    // A ward's trail names that ward alone: which other wards hold a number is theirs to know.
    CHECK(wards_of(entries[0]) == std::vector<std::string>{ward});
  }
  const auto whole = about(trail(rig, ""), shared);
  REQUIRE(whole.size() == 2);
  CHECK(wards_of(whole[0]) == std::vector<std::string>{"an-binh", "long-thuy"});
}

TEST_CASE("authz: forget by an operator of one of two wards leaves the other ward's subscriber") {
  test::broadcast_rig rig(with_operators());
  rig.start_gateway();
  const auto numbers = test::test_numbers(10);
  rig.import(households(numbers));
  const std::string shared = numbers[5];
  const std::string hash = "sha256:" + broadcast::sha256_hex(shared);
  add_to_an_binh(rig, shared);
  CHECK(rig.call(verb::post, "/v1/subscribers/" + shared + "/optout").first == 200);

  auto [code, gone] = rig.call_as(minh, verb::delete_, "/v1/subscribers/" + shared);
  INFO(json::serialize(gone));
  CHECK(code == 200);
  CHECK(field(gone.as_object(), "wards") == 1);
  CHECK_FALSE(holds(rig, "an-binh", shared));
  CHECK(holds(rig, "long-thuy", shared));
  // long-thuy still holds the number, so the citizen's opt-out stays as it was.
  CHECK(rig.redis.command({"HEXISTS", "loa:optout", shared}) == "1");
  CHECK(about(trail(rig, "an-binh"), hash).size() == 1);
  CHECK(about(trail(rig, "long-thuy"), hash).empty());
  // Forgotten in an-binh, the number is foreign there now.
  CHECK(rig.call_as(minh, verb::post, "/v1/subscribers/" + shared + "/optin").first == 404);

  // The admin of every ward forgets it everywhere: the opt-out survives only as a hash.
  auto [all_code, all] = rig.call_as(root, verb::delete_, "/v1/subscribers/" + shared);
  CHECK(all_code == 200);
  CHECK(field(all.as_object(), "wards") == 1);
  CHECK_FALSE(holds(rig, "long-thuy", shared));
  CHECK(rig.redis.command({"HEXISTS", "loa:optout", shared}) == "0");
  CHECK(rig.redis.command({"SISMEMBER", "loa:optout:forgotten", broadcast::sha256_hex(shared)}) == "1");
  CHECK(about(trail(rig, "long-thuy"), hash).size() == 1);
  // Nothing is left to forget: absent, even for the admin of every ward.
  CHECK(rig.call_as(root, verb::delete_, "/v1/subscribers/" + shared).first == 404);
  CHECK(rig.call(verb::delete_, "/v1/subscribers/" + shared).first == 404);

  // A ward-scoped admin forgets it from that ward only, like any operator of it.
  const std::string other = numbers[6];
  add_to_an_binh(rig, other);
  CHECK(rig.call_as(khoa, verb::delete_, "/v1/subscribers/" + other).first == 200);
  CHECK_FALSE(holds(rig, "an-binh", other));
  CHECK(holds(rig, "long-thuy", other));
}

TEST_CASE("authz: only an admin of every ward reads the whole audit trail") {
  test::broadcast_rig rig(with_operators());
  rig.start_gateway();
  rig.import(households(test::test_numbers(5)));
  auto [code, body] = rig.call_as(khoa, verb::get, "/v1/audit");
  INFO(json::serialize(body));
  CHECK(code == 403);
  CHECK_FALSE(body.as_object().contains("entries"));
  CHECK(rig.call(verb::get, "/v1/audit").first == 403);  // a sender
  CHECK(rig.call_as(root, verb::get, "/v1/audit").first == 200);
  CHECK(rig.call_as(khoa, verb::get, "/v1/wards/an-binh/audit").first == 200);  // its own ward's: yes
  CHECK(rig.call_as(khoa, verb::get, "/v1/wards/long-thuy/audit").first == 403);
  auto r = loa_cli(rig, {"--token", khoa, "audit"});
  CHECK(r.exit == 2);
  r = loa_cli(rig, {"--token", root, "--json", "audit"});
  CHECK(r.exit == 0);
}

TEST_CASE("authz: a campaign of two wards is out of reach of an operator of one of them") {
  test::broadcast_rig rig(with_operators());
  rig.start_gateway();
  const auto numbers = test::test_numbers(6);
  rig.import(households(numbers));
  for (const auto& n : test::test_numbers(4, 100)) add_to_an_binh(rig, n);
  // Urgent and far ahead: it waits for approval, so every route below still has something to act on.
  auto [created_code, created] =
      rig.call_as(duc, verb::post, "/v1/campaigns",
                  json::serialize(json::object{{"wards", json::array{"long-thuy", "an-binh"}},
                                               {"group", "all"},
                                               {"text", "Tiem chung chung hai phuong"},
                                               {"urgent", true},
                                               {"at", "2099-01-01T07:30"}}));
  REQUIRE(created_code == 201);
  const std::string id(created.at("id").as_string());
  CHECK(created.at("state") == "awaiting_approval");

  const std::vector<std::pair<verb, std::string>> routes{{verb::get, "/v1/campaigns/" + id},
                                                         {verb::get, "/v1/campaigns/" + id + "/report"},
                                                         {verb::get, "/v1/campaigns/" + id + "/recipients"},
                                                         {verb::post, "/v1/campaigns/" + id + "/cancel"},
                                                         {verb::post, "/v1/campaigns/" + id + "/approve"}};
  for (const auto& token : {hoa, lan, minh, khoa}) {  // each holds one of its two wards
    for (const auto& [method, target] : routes) {
      CAPTURE(token);
      CAPTURE(target);
      auto [code, body] = rig.call_as(token, method, target);
      std::string missing_target = target;
      missing_target.replace(missing_target.find("/campaigns/" + id), 11 + id.size(), "/campaigns/999");
      auto [missing_code, missing] = rig.call_as(token, method, missing_target);
      INFO(json::serialize(body));
      // Answered like a campaign that does not exist: 404 (a sender asking to approve: 403 for the role).
      CHECK(code == missing_code);
      CHECK(json::serialize(body) == rewritten(missing, "999", id));
      const bool approving_sender = target.ends_with("/approve") && (token == hoa || token == minh);
      CHECK(code == (approving_sender ? 403 : 404));
    }
  }
  // Nor can it be corrected through them.
  auto [fix_code, fix] = rig.call(verb::post, "/v1/campaigns",
                                  json::serialize(json::object{{"corrects", id}, {"text", "Dinh chinh"}}));
  CHECK(fix_code == 400);
  CHECK(fix.at("field") == "corrects");
  auto r = loa_cli(rig, {"status", id});
  CHECK(r.exit == 1);
  r = loa_cli(rig, {"--json", "report", id});
  CHECK(r.exit == 1);
  CHECK(rig.redis.command({"HGET", "loa:{c:" + id + "}:meta", "state"}) == "awaiting_approval");

  // Operators of both wards (or of every ward) see it and may act on it.
  CHECK(rig.call_as(duc, verb::get, "/v1/campaigns/" + id).first == 200);
  CHECK(rig.call_as(root, verb::get, "/v1/campaigns/" + id + "/recipients").first == 200);
  auto [cancel_code, cancelled] = rig.call_as(duc, verb::post, "/v1/campaigns/" + id + "/cancel");
  CHECK(cancel_code == 200);
  CHECK(cancelled.at("cancelled") == true);
}

TEST_CASE("authz: a key used again with another text or audience is refused, naming the earlier campaign") {
  test::broadcast_rig rig(with_operators());
  rig.start_gateway();
  const auto numbers = test::test_numbers(10);
  std::string csv = "phone,name,groups\n";
  for (std::size_t i = 0; i < numbers.size(); ++i)
    csv += numbers[i] + ",Hộ," + (i < 4 ? "all;to-1\n" : "all\n");
  rig.import(csv);
  const json::object bulletin{
      {"ward", "long-thuy"}, {"group", "all"}, {"text", "Ban tin tuan 47"}, {"key", "weekly-47"}};
  auto [first_code, first] = rig.call(verb::post, "/v1/campaigns", json::serialize(bulletin));
  REQUIRE(first_code == 201);
  const std::string id(first.at("id").as_string());
  // The same request again (cron's second run): the earlier campaign, nothing new.
  auto [again_code, again] = rig.call(verb::post, "/v1/campaigns", json::serialize(bulletin));
  CHECK(again_code == 200);
  CHECK(again.at("existing") == true);
  CHECK(text(again, "id") == id);

  // A key with a line break (it would forge a line in the audit) is refused, naming the field.
  auto forged = bulletin;
  forged["key"] = "weekly-47\r\n2026-11-22 14:03:07  root (admin)   forget";
  auto [forged_code, forged_body] = rig.call(verb::post, "/v1/campaigns", json::serialize(forged));
  CHECK(forged_code == 400);
  CHECK(forged_body.at("field") == "key");
  CHECK(std::string(forged_body.at("error").as_string()).find("U+000D") != std::string::npos);

  auto refused = [&](json::object changed) {
    auto [code, body] = rig.call(verb::post, "/v1/campaigns", json::serialize(changed));
    INFO(json::serialize(body));
    CHECK(code == 409);
    CHECK(text(body, "campaign") == id);
    CHECK(body.at("field") == "key");
    CHECK(std::string(body.at("error").as_string()).find("campaign " + id) != std::string::npos);
  };
  auto corrected = bulletin;
  corrected["text"] = "Ban tin tuan 47 (dinh chinh)";
  refused(corrected);
  auto fewer = bulletin;
  fewer["group"] = "to-1";
  refused(fewer);
  auto more = bulletin;
  more.erase("group");
  more["groups"] = json::array{"all", "to-1"};
  refused(more);

  // Cron's corrected bulletin fails loudly instead of vanishing: exit 1, naming the earlier campaign.
  auto r = loa_cli(rig, {"send", "--ward", "long-thuy", "--group", "all", "--text",
                         "Ban tin tuan 47 (dinh chinh)", "--key", "weekly-47", "--yes"});
  CHECK(r.exit == 1);
  CHECK(r.err.find("campaign " + id) != std::string::npos);
  r = loa_cli(rig, {"--json", "send", "--ward", "long-thuy", "--group", "all", "--text",
                    "Ban tin tuan 47 (dinh chinh)", "--key", "weekly-47", "--yes"});
  CHECK(r.exit == 1);
  const auto doc = json::parse(r.out);
  CHECK(text(doc, "campaign") == id);
  CHECK(doc.as_object().contains("error"));
  r = loa_cli(rig, {"--json", "send", "--ward", "long-thuy", "--group", "all", "--text", "Ban tin tuan 47",
                    "--key", "weekly-47", "--yes"});
  CHECK(r.exit == 0);
  CHECK(text(json::parse(r.out), "id") == id);
  CHECK(rig.redis.command({"GET", "loa:campaign:next"}) == id);  // no second campaign was made
  rig.wait_finished(id);
  CHECK(rig.accepted("dinh chinh").messages == 0);

  // A key remembered in an-binh by a campaign of two wards: an-binh's own sender is refused it too, without
  // being shown a campaign it may not see.
  add_to_an_binh(rig, test::test_numbers(1, 100)[0]);
  auto [both_code, both] =
      rig.call_as(duc, verb::post, "/v1/campaigns",
                  json::serialize(json::object{{"wards", json::array{"long-thuy", "an-binh"}},
                                               {"group", "all"},
                                               {"text", "Hai phuong"},
                                               {"key", "chung-1"},
                                               {"at", "2099-01-01T07:30"}}));
  REQUIRE(both_code == 201);
  const std::string joint = text(both, "id");
  auto [other_code, other] = rig.call_as(minh, verb::post, "/v1/campaigns",
                                         json::serialize(json::object{{"ward", "an-binh"},
                                                                      {"group", "all"},
                                                                      {"text", "Hai phuong"},
                                                                      {"key", "chung-1"},
                                                                      {"at", "2099-01-01T07:30"}}));
  INFO(json::serialize(other));
  CHECK(other_code == 409);
  CHECK(other.at("campaign").is_null());
  CHECK(text(other, "error").find("campaign " + joint) == std::string::npos);
  CHECK(text(other, "error").find("other wards") != std::string::npos);
  CHECK(rig.accepted("Ban tin tuan 47").messages == 10);
}
