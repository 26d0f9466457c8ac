// Campaigns through `loa gateway` on a 3-primary Redis Cluster (every store script in one slot, docs/SCALING.md):
// import, send, every receipt matched; the primary holding the campaign killed mid-way; three wards whose keys
// spread over the primaries, with what they cost Redis and the gateway against one redis-server; and Redis
// memory per subscriber on both (the figures of docs/SCALING.md "Measured (issue 15)").
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>

#include "tests/fixtures/redis_cluster.hpp"
#include "tests/integration/broadcast_rig.hpp"
#include "tests/integration/redis_cost.hpp"

using namespace loa;
using namespace std::chrono_literals;
using boost::beast::http::verb;
namespace json = boost::json;

namespace {

const std::vector<std::string> three_wards{"long-thuy", "an-dong", "phu-hoi"};

// Both set-ups write an AOF with fsync every second, as production does (docs/SCALING.md), so that the two
// differ only in being one server or a cluster.
const std::vector<std::string> aof_everysec{"--appendonly", "yes", "--appendfsync", "everysec"};

// The rig for the three wards: operator tri may send to all three, no approval, the carriers at tps 500 each
// or $LOA_COST_TPS: the cost per message falls as the rate rises (fuller batches per Redis call), so
// docs/SCALING.md gives it at both 500 and unpaced.
test::rig_options three_ward_options(std::string redis_lines) {
  test::rig_options options;
  options.redis_lines = std::move(redis_lines);
  options.redis_args = aof_everysec;
  const char* tps = std::getenv("LOA_COST_TPS");
  options.carrier_lines = "    tps: " + std::string(tps != nullptr && *tps != '\0' ? tps : "500") + "\n";
  options.top_lines = "approval:\n  above_recipients: 100000\n";
  options.operator_lines =
      "  - name: tri\n    token_sha256: \"89804e0966672d224b69509c675f2777941f10dc384db26b85ced537a3eeaf9c\"\n"
      "    wards: [long-thuy, an-dong, phu-hoi]\n    role: sender\n";
  return options;
}

std::string cluster_lines(const test::redis_cluster& cluster) {
  std::string list;
  for (auto port : cluster.primary_ports())
    list += (list.empty() ? "\"127.0.0.1:" : ", \"127.0.0.1:") + std::to_string(port) + "\"";
  return "  cluster: [" + list + "]\n";
}

std::vector<const test::redis_server*> primaries(test::redis_cluster& cluster) {
  std::vector<const test::redis_server*> out;
  for (auto port : cluster.primary_ports()) out.push_back(cluster.node_on(port));
  return out;
}

// Imports numbers[from, to) into `ward`'s group `all`, as `token`'s operator; the count imported.
std::int64_t import_ward(test::broadcast_rig& rig, const std::string& token, const std::string& ward,
                         const std::vector<std::string>& numbers, std::size_t from, std::size_t to) {
  std::string csv = "phone,name,groups\n";
  for (std::size_t i = from; i < to; ++i) csv += numbers[i] + ",Dan " + std::to_string(i) + ",all\n";
  auto [st, body] = rig.call_as(token, verb::post, "/v1/wards/" + ward + "/subscribers/import?group=all", csv);
  INFO("import: " << st << " " << json::serialize(body));
  REQUIRE(st == 200);
  return test::field(body.as_object(), "imported");
}

// Imports `total` numbers split evenly over the three wards (each its own numbers); the count imported.
std::int64_t import_three_wards(test::broadcast_rig& rig, std::size_t total) {
  const auto numbers = test::test_numbers(total);
  std::int64_t imported = 0;
  for (std::size_t w = 0; w < 3; ++w)
    imported += import_ward(rig, "demo-token-tri", three_wards[w], numbers, w * total / 3, (w + 1) * total / 3);
  return imported;
}

// One campaign to the three wards of 2,000 on `nodes` (a cluster's primaries, or the rig's one server): done,
// 6,000 delivered, every receipt matched, none twice; and MESSAGEs of what it cost, per message, summed over
// the nodes. The idle cost (cluster gossip, the gateway's health checks and scheduler) is read over 3 s
// before, and also given taken off, since it grows with the run's length, not with the messages.
void three_wards_costed(test::broadcast_rig& rig, const std::vector<const test::redis_server*>& nodes,
                        const std::string& label) {
  const auto empty = test::read_redis_cost(nodes);
  REQUIRE(import_three_wards(rig, 6000) == 6000);
  const auto idle_from = test::read_redis_cost(nodes);
  const double idle_gateway_from = test::process_cpu_s(rig.gateway_pid());
  std::this_thread::sleep_for(3s);
  const auto idle = test::read_redis_cost(nodes).since(idle_from);
  const double idle_gateway = test::process_cpu_s(rig.gateway_pid()) - idle_gateway_from;

  std::vector<test::redis_cost> each_before;  // per node too: how much is on the campaign's primary
  for (const auto* n : nodes) each_before.push_back(test::read_redis_cost(*n));
  const auto before = test::read_redis_cost(nodes);
  const double gateway_before = test::process_cpu_s(rig.gateway_pid());
  const auto started = std::chrono::steady_clock::now();
  const json::object campaign{{"wards", json::array{"long-thuy", "an-dong", "phu-hoi"}},
                              {"groups", json::array{"all"}},
                              {"text", "Hop to dan pho 19h three wards"}};
  auto [cs, created] = rig.call_as("demo-token-tri", verb::post, "/v1/campaigns", json::serialize(campaign));
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
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto run = test::read_redis_cost(nodes).since(before);
  const double gateway = test::process_cpu_s(rig.gateway_pid()) - gateway_before;
  MESSAGE(label << ": done after " << seconds << " s: " << json::serialize(s));
  CHECK(s.at("state") == "done");
  CHECK(test::field(s, "delivered") == 6000);
  CHECK(test::field(s, "pending") == 0);
  const auto got = rig.accepted("three wards");
  CHECK(got.by_number.size() == 6000);
  CHECK(got.duplicated.empty());

  constexpr double messages = 6000;
  const auto per_message = [&](long long n) { return static_cast<double>(n) / messages; };
  const double redis_idle = idle.cpu_s / 3 * seconds, gateway_idle = idle_gateway / 3 * seconds;
  MESSAGE(label << ": Redis CPU " << 1e6 * run.cpu_s / messages << " us/message ("
                << 1e6 * (run.cpu_s - redis_idle) / messages << " without idle " << 1e3 * idle.cpu_s / 3
                << " ms/s), EVALSHA " << per_message(run.calls_of("evalsha")) << "/message, commands "
                << per_message(run.all_calls()) << "/message; gateway CPU " << 1e6 * gateway / messages
                << " us/message (" << 1e6 * (gateway - gateway_idle) / messages << " without idle "
                << 1e3 * idle_gateway / 3 << " ms/s)");
  if (nodes.size() > 1) {
    std::ostringstream shares;
    shares.precision(3);
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const auto d = test::read_redis_cost(*nodes[i]).since(each_before[i]);
      const bool holds = nodes[i]->command({"EXISTS", "loa:{c:" + id + "}:r"}) == "1";
      shares << " " << nodes[i]->port() << (holds ? " (the campaign's)" : "") << " "
             << 100 * d.cpu_s / run.cpu_s << " % CPU, EVALSHA " << per_message(d.calls_of("evalsha"))
             << "/message;";
    }
    MESSAGE(label << ": per node:" << shares.str());
  }
  const auto now = test::read_redis_cost(nodes);
  MESSAGE(label << ": used_memory " << now.used_memory
                << " bytes: " << per_message(now.since(before).used_memory)
                << " per recipient of the campaign, " << per_message(idle_from.since(empty).used_memory)
                << " per subscriber (6,000), empty " << empty.used_memory);
  std::ostringstream commands;
  commands.precision(3);
  for (const auto& [command, calls] : run.calls)
    if (calls >= 60) commands << " " << command << " " << per_message(calls);
  MESSAGE(label << ": calls per message:" << commands.str());
}

}  // namespace

TEST_CASE("cluster campaign: 300 numbers imported and notified with every receipt matched") {
  test::redis_cluster cluster;
  test::rig_options options;
  options.redis_lines = cluster_lines(cluster);
  test::broadcast_rig rig(options);
  rig.start_gateway();
  REQUIRE(import_ward(rig, "demo-token-hoa", "long-thuy", test::test_numbers(300), 0, 300) == 300);
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
  test::rig_options options;
  options.redis_lines = cluster_lines(cluster) + "  wait_replicas: 1\n";
  options.carrier_lines = "    tps: 200\n";
  test::broadcast_rig rig(options);
  rig.start_gateway();
  REQUIRE(import_ward(rig, "demo-token-hoa", "long-thuy", test::test_numbers(2000), 0, 2000) == 2000);
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
  test::redis_cluster_options copt;
  copt.data_args = aof_everysec;
  test::redis_cluster cluster(copt);
  test::broadcast_rig rig(three_ward_options(cluster_lines(cluster)));
  rig.start_gateway();
  three_wards_costed(rig, primaries(cluster), "cluster, 3 primaries");
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

TEST_CASE("cluster campaign: the same three wards on one redis-server, for the cost against the cluster") {
  test::broadcast_rig rig(three_ward_options({}));
  rig.start_gateway();
  three_wards_costed(rig, {&rig.redis}, "one server");
}

TEST_CASE("cluster campaign: Redis memory per subscriber, 20,000 over 3 wards, cluster against one server") {
  test::redis_cluster_options copt;
  copt.data_args = aof_everysec;
  test::redis_cluster cluster(copt);
  test::broadcast_rig on_cluster(three_ward_options(cluster_lines(cluster)));
  test::broadcast_rig on_one(three_ward_options({}));
  // $LOA_COST_SUBSCRIBERS for a larger import by hand: bytes per subscriber fall as a ward's 4,096 bucket
  // hashes fill (docs/SCALING.md gives both).
  const char* n = std::getenv("LOA_COST_SUBSCRIBERS");
  const std::int64_t subscribers = n != nullptr && *n != '\0' ? std::stoll(n) : 20000;
  auto per_subscriber = [&](test::broadcast_rig& rig, const std::vector<const test::redis_server*>& nodes) {
    rig.start_gateway();
    const auto before = test::read_redis_cost(nodes);
    CHECK(import_three_wards(rig, static_cast<std::size_t>(subscribers)) == subscribers);
    std::int64_t stored = 0;  // every number stored, in its ward
    for (const auto& ward : three_wards) {
      auto [st, body] = rig.call_as("demo-token-tri", verb::get, "/v1/wards/" + ward + "/subscribers/count");
      CHECK(st == 200);
      stored += test::field(body.as_object(), "count");
    }
    CHECK(stored == subscribers);
    const auto bytes = static_cast<double>(test::read_redis_cost(nodes).since(before).used_memory) /
                       static_cast<double>(subscribers);
    rig.stop_gateway();
    return bytes;
  };
  const double cluster_bytes = per_subscriber(on_cluster, primaries(cluster));
  const double one_bytes = per_subscriber(on_one, {&on_one.redis});
  MESSAGE("used_memory per subscriber (" << subscribers << " over 3 wards): cluster of 3 primaries "
          << cluster_bytes << " bytes, one server " << one_bytes << " bytes");
  CHECK(cluster_bytes > 0);
  CHECK(one_bytes > 0);
}
