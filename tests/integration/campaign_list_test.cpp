// `loa campaigns` and GET /v1/campaigns end to end (broadcast_rig.hpp): an operator lists only the campaigns of
// which she acts on every ward, newest first, filtered by state and creation time (issue 14).
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gateway/store/subscriber_store.hpp"
#include "tests/integration/broadcast_rig.hpp"

using namespace loa;
using namespace std::chrono_literals;
using test::loa_cli;
namespace json = boost::json;
using boost::beast::http::verb;

namespace {

const std::string hoa = "demo-token-hoa";  // sender of long-thuy (the rig's)
const std::string minh = "token-minh";     // sender of an-binh
const std::string duc = "token-duc";       // sender of long-thuy and an-binh
const std::string root = "token-root";     // admin without wards: every ward

std::string operator_yaml(const std::string& name, const std::string& token, const std::string& wards,
                          const std::string& role) {
  std::string out = "  - name: " + name + "\n    token_sha256: \"" + broadcast::sha256_hex(token) + "\"\n";
  if (!wards.empty()) out += "    wards: [" + wards + "]\n";
  return out + "    role: " + role + "\n";
}

test::rig_options with_operators() {
  test::rig_options o;
  o.operator_lines = operator_yaml("minh", minh, "an-binh", "sender") + operator_yaml("root", root, "", "admin") +
                     operator_yaml("duc", duc, "long-thuy, an-binh", "sender");
  return o;
}

// A notice to `wards`' group "all" far in the future (scheduled: nothing is sent while the test reads it).
std::string schedule(test::broadcast_rig& rig, const std::string& token, const json::array& wards,
                     const std::string& text) {
  auto [code, body] = rig.call_as(token, verb::post, "/v1/campaigns",
                                  json::serialize(json::object{
                                      {"wards", wards}, {"group", "all"}, {"text", text}, {"at", "2099-01-01T07:30"}}));
  INFO(json::serialize(body));
  REQUIRE(code == 201);
  // Each campaign its own millisecond, so that "newest first" has one answer.
  std::this_thread::sleep_for(20ms);
  return std::string(body.at("id").as_string());
}

// The ids GET /v1/campaigns answers `token` with, in order (REQUIREs 200).
std::vector<std::string> listed(test::broadcast_rig& rig, const std::string& token, const std::string& query = "") {
  auto [code, body] = rig.call_as(token, verb::get, "/v1/campaigns" + query);
  INFO(json::serialize(body));
  REQUIRE(code == 200);
  std::vector<std::string> ids;
  for (const auto& c : body.at("campaigns").as_array()) ids.emplace_back(c.at("id").as_string());
  return ids;
}

using ids = std::vector<std::string>;

}  // namespace

TEST_CASE("campaigns: an operator lists her ward's campaigns, newest first, never one with another ward") {
  test::broadcast_rig rig(with_operators());
  rig.start_gateway();
  std::string csv = "phone,name,groups\n";
  for (const auto& n : test::test_numbers(4)) csv += n + ",Ho,all\n";
  rig.import(csv);
  for (const auto& n : test::test_numbers(4, 100)) {
    auto [code, body] = rig.call_as(minh, verb::put, "/v1/wards/an-binh/subscribers/" + n, R"({"groups": ["all"]})");
    REQUIRE(code == 200);
  }
  const auto long_thuy = schedule(rig, hoa, {"long-thuy"}, "Hop to dan pho long thuy");
  const auto both = schedule(rig, duc, {"long-thuy", "an-binh"}, "Tiem chung hai phuong");
  const auto old_an_binh = schedule(rig, minh, {"an-binh"}, "Thong bao cu an binh");
  const auto cancelled = schedule(rig, minh, {"an-binh"}, "Lich cat nuoc an binh");
  const auto newest = schedule(rig, minh, {"an-binh"}, "Lich tiem chung an binh");
  REQUIRE(rig.call_as(minh, verb::post, "/v1/campaigns/" + cancelled + "/cancel").first == 200);
  // One campaign of an-binh made three days old, in its ward's index and in its meta alike.
  const auto three_days_ago =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch() -
                                                            72h)
          .count();
  rig.redis.command({"ZADD", "loa:{w:an-binh}:campaigns", std::to_string(three_days_ago), old_an_binh});
  rig.redis.command({"HSET", "loa:{c:" + old_an_binh + "}:meta", "created_at_ms", std::to_string(three_days_ago)});

  // minh (an-binh) sees her ward's single-ward campaigns, newest first: not the two-ward one, not long-thuy's.
  CHECK(listed(rig, minh) == ids{newest, cancelled, old_an_binh});
  CHECK(listed(rig, minh, "?ward=an-binh") == ids{newest, cancelled, old_an_binh});
  CHECK(listed(rig, hoa) == ids{long_thuy});
  // Operators of both wards, and the admin of every ward, see all of them.
  CHECK(listed(rig, duc) == ids{newest, cancelled, both, long_thuy, old_an_binh});
  CHECK(listed(rig, root) == ids{newest, cancelled, both, long_thuy, old_an_binh});
  CHECK(listed(rig, duc, "?ward=long-thuy") == ids{both, long_thuy});
  CHECK(listed(rig, root, "?limit=2") == ids{newest, cancelled});
  // Another ward's list is refused outright.
  CHECK(rig.call_as(minh, verb::get, "/v1/campaigns?ward=long-thuy").first == 403);

  // Filters: state, since (the forms of `loa audit --since`), both.
  CHECK(listed(rig, minh, "?state=cancelled") == ids{cancelled});
  CHECK(listed(rig, minh, "?state=scheduled") == ids{newest, old_an_binh});
  CHECK(listed(rig, minh, "?since=2d") == ids{newest, cancelled});
  CHECK(listed(rig, minh, "?since=7d&state=scheduled") == ids{newest, old_an_binh});
  CHECK(listed(rig, minh, "?state=running").empty());
  auto [bad_code, bad] = rig.call_as(minh, verb::get, "/v1/campaigns?state=finished");
  CHECK(bad_code == 400);
  CHECK(bad.at("field") == "state");
  CHECK(rig.call_as(minh, verb::get, "/v1/campaigns?since=yesterday").first == 400);
  CHECK(rig.call_as("", verb::get, "/v1/campaigns").first == 401);

  // The CLI: --json carries the documents, the table a row per campaign with its counts.
  auto r = loa_cli(rig, {"--token", minh, "--json", "campaigns", "--since", "2d"});
  REQUIRE(r.exit == 0);
  const auto doc = json::parse(r.out).as_object();
  const auto& list = doc.at("campaigns").as_array();
  REQUIRE(list.size() == 2);
  const auto& first = list[0].as_object();
  CHECK(first.at("id").as_string() == newest);
  CHECK(first.at("state") == "scheduled");
  CHECK(first.at("wards") == json::array{"an-binh"});
  CHECK(first.at("groups") == json::array{"all"});
  CHECK(first.at("created_at").as_string().ends_with("+07:00"));
  for (const auto* key : {"recipients", "delivered", "failed"}) CHECK(first.at(key).is_number());
  CHECK(list[1].at("state") == "cancelled");

  r = loa_cli(rig, {"--token", minh, "campaigns", "--state", "cancelled"});
  REQUIRE(r.exit == 0);
  INFO(r.out);
  CHECK(r.out.starts_with("ID"));
  CHECK(r.out.find("STATE") != std::string::npos);
  CHECK(r.out.find("RECIPIENTS  DELIVERED  FAILED") != std::string::npos);
  const auto row = r.out.substr(r.out.find('\n') + 1);
  CHECK(row.starts_with(cancelled + " "));
  CHECK(row.find(" cancelled ") != std::string::npos);
  CHECK(row.find(" an-binh ") != std::string::npos);
  CHECK(test::occurrences(r.out, "\n") == 2);  // the heading and one campaign

  r = loa_cli(rig, {"--token", minh, "campaigns", "--state", "running"});
  CHECK(r.exit == 0);
  CHECK(r.out.find("no campaigns running") != std::string::npos);

  // A state that is none of CONTRACT's: exit 1, naming the valid ones; nothing asked of the gateway.
  r = loa_cli(rig, {"--token", minh, "campaigns", "--state", "finished"});
  CHECK(r.exit == 1);
  CHECK(r.err.find("awaiting_approval, scheduled, waiting, running, done, cancelled") != std::string::npos);
  // A bad token: refused, exit 2.
  r = loa_cli(rig, {"--token", "not-a-token", "campaigns"});
  CHECK(r.exit == 2);
  r = loa_cli(rig, {"--token", minh, "campaigns", "--ward", "long-thuy"});
  CHECK(r.exit == 2);
}
