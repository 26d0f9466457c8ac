// Campaigns through `loa gateway` on a 3-primary Redis Cluster (every store script in one slot, docs/SCALING.md):
// import, send, every receipt matched; the primary holding the campaign killed mid-way; three wards whose keys
// spread over the primaries.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "tests/fixtures/redis_cluster.hpp"
#include "tests/integration/broadcast_rig.hpp"

using namespace loa;
using namespace std::chrono_literals;
using boost::beast::http::verb;
namespace json = boost::json;

TEST_CASE("cluster campaign: 300 numbers imported and notified with every receipt matched") {
  test::redis_cluster cluster;
  std::string list;
  for (auto port : cluster.primary_ports())
    list += (list.empty() ? "\"127.0.0.1:" : ", \"127.0.0.1:") + std::to_string(port) + "\"";
  test::rig_options options;
  options.redis_lines = "  cluster: [" + list + "]\n";
  test::broadcast_rig rig(options);
  rig.start_gateway();
  std::string csv = "phone,name,groups\n";
  const auto numbers = test::test_numbers(300);
  for (std::size_t i = 0; i < numbers.size(); ++i) csv += numbers[i] + ",Dan " + std::to_string(i) + ",all\n";
  auto [st, body] = rig.call(verb::post, "/v1/wards/long-thuy/subscribers/import?group=all", csv);
  MESSAGE("import: " << st << " " << json::serialize(body));
  REQUIRE(st == 200);
  auto [cs, created] = rig.call(verb::post, "/v1/campaigns",
                                json::serialize(json::object{{"ward", "long-thuy"}, {"groups", json::array{"all"}},
                                                             {"text", "Hop to dan pho 19h cluster"}}));
  MESSAGE("create: " << cs << " " << json::serialize(created));
  REQUIRE(cs == 201);
  const std::string id(created.at("id").as_string());
  const auto s = rig.wait_finished(id, 60s);
  MESSAGE("status: " << json::serialize(s));
  CHECK(s.at("state") == "done");
  const auto got = rig.accepted("cluster");
  CHECK(got.duplicated.empty());
  CHECK(got.by_number.size() == 300);
  for (auto port : cluster.primary_ports())
    MESSAGE("keys on " << port << ": " << cluster.node_on(port)->command({"DBSIZE"}));
}

TEST_CASE("cluster campaign: the primary holding the campaign killed mid-way, its replica takes over, none lost") {
  test::redis_cluster_options copt;
  // Two replicas each: with wait_replicas 1 the promoted replica must still have one to acknowledge its writes
  // (with one replica each it has none after the failover, and the campaign waits, losing nothing, until one
  // is back: docs/SCALING.md).
  copt.replicas_per_primary = 2;
  test::redis_cluster cluster(copt);
  std::string list;
  for (auto port : cluster.primary_ports())
    list += (list.empty() ? "\"127.0.0.1:" : ", \"127.0.0.1:") + std::to_string(port) + "\"";
  test::rig_options options;
  options.redis_lines = "  cluster: [" + list + "]\n  wait_replicas: 1\n";
  options.carrier_lines = "    tps: 200\n";
  test::broadcast_rig rig(options);
  rig.start_gateway();
  std::string csv = "phone,name,groups\n";
  const auto numbers = test::test_numbers(2000);
  for (std::size_t i = 0; i < numbers.size(); ++i) csv += numbers[i] + ",Dan " + std::to_string(i) + ",all\n";
  auto [st, body] = rig.call(verb::post, "/v1/wards/long-thuy/subscribers/import?group=all", csv);
  REQUIRE(st == 200);
  auto [cs, created] = rig.call(verb::post, "/v1/campaigns",
                                json::serialize(json::object{{"ward", "long-thuy"}, {"groups", json::array{"all"}},
                                                             {"text", "Hop to dan pho 19h failover"}}));
  REQUIRE(cs == 201);
  const std::string id(created.at("id").as_string());
  rig.wait_for(id, "submitted", 600, 60s);
  // The campaign's records live in {c:ID}'s slot: kill that slot's primary.
  std::uint16_t victim = 0;
  for (auto port : cluster.primary_ports())
    if (cluster.node_on(port)->command({"EXISTS", "loa:{c:" + id + "}:r"}) == "1") victim = port;
  REQUIRE(victim != 0);
  const auto killed = std::chrono::steady_clock::now();
  cluster.node_on(victim)->kill();
  MESSAGE("killed primary " << victim << " holding loa:{c:" << id << "}:r");
  // Done about 6 s after the kill; 1-9 receipts stayed pending for ever in half the runs before a held
  // receipt was kept until applied (docs/SCALING.md), when this waited its whole 120 s.
  const auto s = rig.wait_finished(id, 30s);
  MESSAGE("after " << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed).count()
                   << " ms, " << test::field(s, "pending") << " receipts pending: " << json::serialize(s));
  CHECK(s.at("state") == "done");
  CHECK(test::field(s, "submitted") == 2000);
  CHECK(test::field(s, "pending") == 0);
  const auto got = rig.accepted("failover");
  MESSAGE("accepted " << got.by_number.size() << " numbers, " << got.messages << " messages, "
                      << got.duplicated.size() << " sent twice");
  CHECK(got.by_number.size() == 2000);
}

TEST_CASE("cluster campaign: three wards of 2,000 notified, every receipt matched, keys spread over the primaries") {
  test::redis_cluster cluster;
  std::string list;
  for (auto port : cluster.primary_ports())
    list += (list.empty() ? "\"127.0.0.1:" : ", \"127.0.0.1:") + std::to_string(port) + "\"";
  test::rig_options options;
  options.redis_lines = "  cluster: [" + list + "]\n";
  options.carrier_lines = "    tps: 500\n";
  options.top_lines = "approval:\n  above_recipients: 100000\n";
  options.operator_lines =
      "  - name: tri\n    token_sha256: \"89804e0966672d224b69509c675f2777941f10dc384db26b85ced537a3eeaf9c\"\n"
      "    wards: [long-thuy, an-dong, phu-hoi]\n    role: sender\n";
  test::broadcast_rig rig(options);
  rig.start_gateway();
  const std::vector<std::string> wards{"long-thuy", "an-dong", "phu-hoi"};
  const auto numbers = test::test_numbers(6000);
  for (std::size_t w = 0; w < 3; ++w) {
    std::string csv = "phone,name,groups\n";
    for (std::size_t i = w * 2000; i < (w + 1) * 2000; ++i) csv += numbers[i] + ",Dan " + std::to_string(i) + ",all\n";
    auto [st, body] =
        rig.call_as("demo-token-tri", verb::post, "/v1/wards/" + wards[w] + "/subscribers/import?group=all", csv);
    REQUIRE(st == 200);
  }
  const auto started = std::chrono::steady_clock::now();
  auto [cs, created] = rig.call_as(
      "demo-token-tri", verb::post, "/v1/campaigns",
      json::serialize(json::object{{"wards", json::array{"long-thuy", "an-dong", "phu-hoi"}},
                                   {"groups", json::array{"all"}},
                                   {"text", "Hop to dan pho 19h three wards"}}));
  REQUIRE(cs == 201);
  const std::string id(created.at("id").as_string());
  json::object s;
  while (std::chrono::steady_clock::now() - started < 120s) {
    auto [gs, got] = rig.call_as("demo-token-tri", verb::get, "/v1/campaigns/" + id);
    if (gs == 200) {
      s = got.as_object();
      if (s.at("state") == "done" && test::field(s, "pending") == 0) break;
    }
    std::this_thread::sleep_for(200ms);
  }
  MESSAGE("done after " << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count()
                        << " ms: " << json::serialize(s));
  CHECK(s.at("state") == "done");
  CHECK(test::field(s, "delivered") == 6000);
  CHECK(test::field(s, "pending") == 0);
  const auto got = rig.accepted("three wards");
  CHECK(got.by_number.size() == 6000);
  CHECK(got.duplicated.empty());
  double total = 0;
  std::vector<double> keys;
  for (auto port : cluster.primary_ports()) {
    keys.push_back(std::stod(cluster.node_on(port)->command({"DBSIZE"})));
    total += keys.back();
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    MESSAGE("primary " << i << ": " << keys[i] << " keys, " << 100 * keys[i] / total << " %");
    CHECK(keys[i] / total >= 0.15);  // the wards' slots are fixed by their names: none left nearly empty
  }
}
