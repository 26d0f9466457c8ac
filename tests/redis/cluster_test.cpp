// Redis Cluster with real processes on loopback (tests/fixtures/redis_cluster.hpp): each key goes to the
// primary of its slot, MOVED and ASK are followed, NOSCRIPT is handled on each primary, a primary failed
// over to its replica mid-stream loses no acknowledged write, and async_check names a dead primary.
#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gateway/redis/durability.hpp"
#include "gateway/redis/exec.hpp"
#include "gateway/redis/key_slot.hpp"
#include "tests/fixtures/redis_cluster.hpp"
#include "tests/redis/cluster_lua_scripts.hpp"
#include "tests/redis/support.hpp"

using namespace loa;
using namespace std::chrono_literals;

namespace {

redis::settings cluster_settings(test::redis_cluster& cluster) {
  redis::settings s = test::quick_settings(1);  // host and port are ignored with a cluster
  for (auto port : cluster.primary_ports()) s.cluster.push_back({"127.0.0.1", port});
  s.cluster_retry_delay = 50ms;
  s.request_timeout = 10s;
  return s;
}

// redis::exec (the coroutine every store uses) run to its end on the client's io_context.
std::shared_ptr<test::outcome> exec(test::client& c, redis::request req) {
  auto o = std::make_shared<test::outcome>();
  boost::asio::co_spawn(
      c.ioc,
      [&c, o, r = std::move(req)]() mutable -> boost::asio::awaitable<void> {
        auto [ec, resp] = co_await redis::exec(c.conn, std::move(r));
        o->ec = ec;
        o->resp = std::move(resp);
        o->done = true;
      },
      boost::asio::detached);
  test::run_until(
      c.ioc, [&] { return o->done; }, 30s);
  return o;
}

std::vector<redis::node_check> check(test::client& c, std::chrono::milliseconds limit) {
  std::vector<redis::node_check> out;
  bool done = false;
  c.conn.async_check(limit, [&](std::vector<redis::node_check> r) {
    out = std::move(r);
    done = true;
  });
  test::run_until(
      c.ioc, [&] { return done; }, 10s);
  return out;
}

// A key whose slot the primary on `port` serves: "{tag<i>}" for the first i that lands there.
std::string tag_on(test::redis_cluster& cluster, std::uint16_t port, int from = 0) {
  for (int i = from;; ++i) {
    std::string tag = "{t" + std::to_string(i) + "}";
    if (cluster.primary_of_slot(redis::key_slot(tag)) == port) return tag;
  }
}

std::uint16_t other_primary(test::redis_cluster& cluster, std::uint16_t port) {
  for (auto p : cluster.primary_ports())
    if (p != port) return p;
  return 0;
}

}  // namespace

TEST_CASE("cluster: each key goes to the primary of its slot and a split request answers in order") {
  test::redis_cluster cluster;
  test::client c(cluster_settings(cluster));
  REQUIRE(c.wait_ready(20s));
  CHECK(c.conn.is_cluster());

  redis::request req;
  for (int i = 0; i < 300; ++i) req.push("SET", "key:" + std::to_string(i), "value:" + std::to_string(i));
  for (int i = 0; i < 300; ++i) req.push("GET", "key:" + std::to_string(i));
  auto o = c.exec(std::move(req));
  REQUIRE(o->done);
  REQUIRE_FALSE(o->ec);
  REQUIRE(o->resp.size() == 600);
  for (int i = 0; i < 300; ++i) {
    CHECK(o->resp[static_cast<std::size_t>(i)].str() == "OK");
    CHECK(o->resp[static_cast<std::size_t>(300 + i)].str() == "value:" + std::to_string(i));
  }
  // Every key is on the primary that serves its slot (a plain GET there answers it, not MOVED).
  std::map<std::uint16_t, int> per_primary;
  for (int i = 0; i < 300; ++i) {
    const auto key = "key:" + std::to_string(i);
    const auto port = cluster.primary_of_slot(redis::key_slot(key));
    REQUIRE(port != 0);
    CHECK(cluster.node_on(port)->command({"GET", key}) == "value:" + std::to_string(i));
    ++per_primary[port];
  }
  CHECK(per_primary.size() == 3);
  for (const auto& [port, n] : per_primary) CHECK(n > 50);  // 300 keys over 3 primaries: none starved

  // Refused before sending: keys of two slots in one command, and transactions.
  REQUIRE(redis::key_slot("a") != redis::key_slot("b"));
  auto cross = c.exec(redis::request{"DEL", "a", "b"});
  CHECK(cross->ec == redis::error::cross_slot);
  CHECK(c.exec(redis::request{"MULTI"})->ec == redis::error::unsupported_command);
  // Keyless commands go along; WAIT answers its count.
  redis::request mixed;
  mixed.push("PING").push("INCR", "{x}n").push("WAIT", 0, 10);
  auto m = c.exec(std::move(mixed));
  REQUIRE_FALSE(m->ec);
  CHECK(m->resp[0].str() == "PONG");
  CHECK(m->resp[1].integer() == 1);
  CHECK(m->resp[2].type() == redis::reply::kind::integer);
  // FLUSHALL runs on every primary.
  REQUIRE_FALSE(c.exec(redis::request{"FLUSHALL"})->ec);
  for (auto port : cluster.primary_ports()) CHECK(cluster.node_on(port)->command({"DBSIZE"}) == "0");

  const auto checks = check(c, 1s);
  REQUIRE(checks.size() == 3);
  for (const auto& n : checks) CHECK_MESSAGE(!n.ec, n.node << ": " << n.detail);
}

TEST_CASE("cluster: a slot moved to another primary is followed through MOVED") {
  test::redis_cluster cluster;
  test::client c(cluster_settings(cluster));
  REQUIRE(c.wait_ready(20s));
  const auto from = cluster.primary_ports()[0];
  const auto tag = tag_on(cluster, from);
  const int slot = redis::key_slot(tag);
  REQUIRE_FALSE(c.exec(redis::request{"SET", tag + "a", "1"})->ec);

  const auto to = other_primary(cluster, from);
  cluster.move_slot(slot, from, to);
  CHECK(cluster.node_on(from)->command({"GET", tag + "a"}).starts_with("MOVED"));

  // The client still holds the old map: the first command is answered MOVED and sent to the new owner.
  redis::request req;
  req.push("GET", tag + "a").push("SET", tag + "b", "2").push("INCR", "{elsewhere}n");
  auto o = c.exec(std::move(req));
  REQUIRE_FALSE(o->ec);
  CHECK(o->resp[0].str() == "1");
  CHECK(o->resp[1].str() == "OK");
  CHECK(cluster.node_on(to)->command({"GET", tag + "b"}) == "2");
  // And the next one goes straight there.
  auto again = c.exec(redis::request{"GET", tag + "b"});
  REQUIRE_FALSE(again->ec);
  CHECK(again->resp[0].str() == "2");
}

TEST_CASE(
    "cluster: keys of a migrating slot are followed through ASK, and TRYAGAIN is retried a bounded time") {
  test::redis_cluster cluster;
  auto s = cluster_settings(cluster);
  s.cluster_max_redirects = 3;
  test::client c(s);
  REQUIRE(c.wait_ready(20s));
  const auto from = cluster.primary_ports()[0];
  const auto to = other_primary(cluster, from);
  const auto tag = tag_on(cluster, from);
  const int slot = redis::key_slot(tag);
  REQUIRE_FALSE(c.exec(redis::request{"SET", tag + "1", "one"})->ec);
  REQUIRE_FALSE(c.exec(redis::request{"SET", tag + "2", "two"})->ec);

  cluster.begin_migration(slot, from, to);
  cluster.migrate_key(tag + "1", from, to);
  redis::request req;
  req.push("GET", tag + "1").push("GET", tag + "2").push("SET", tag + "3", "three");
  auto o = c.exec(std::move(req));
  REQUIRE_FALSE(o->ec);
  CHECK(o->resp[0].str() == "one");  // ASK to the importing node
  CHECK(o->resp[1].str() == "two");  // still on the migrating node
  CHECK(o->resp[2].str() == "OK");   // a new key of a migrating slot is created on the importing node
  CHECK(cluster.node_on(to)->command({"CLUSTER", "COUNTKEYSINSLOT", std::to_string(slot)}) == "2");
  CHECK(cluster.node_on(from)->command({"CLUSTER", "COUNTKEYSINSLOT", std::to_string(slot)}) == "1");

  // Keys on both sides of a migration: TRYAGAIN, sent again a bounded number of times, then answered.
  const auto started = std::chrono::steady_clock::now();
  auto both = c.exec(redis::request{"MGET", tag + "1", tag + "2"});
  CHECK(std::chrono::steady_clock::now() - started < 5s);
  CHECK(both->ec == redis::error::server_error);
  REQUIRE(both->resp.size() == 1);
  CHECK(both->resp[0].str().starts_with("TRYAGAIN"));

  cluster.migrate_key(tag + "2", from, to);
  cluster.end_migration(slot, to);
  auto after = c.exec(redis::request{"MGET", tag + "1", tag + "2", tag + "3"});
  REQUIRE_FALSE(after->ec);
  CHECK(after->resp[0].elements().size() == 3);
}

TEST_CASE("cluster: EVALSHA answered NOSCRIPT is loaded on each primary it went to") {
  test::redis_cluster cluster;
  test::client c(cluster_settings(cluster));
  REQUIRE(c.wait_ready(20s));
  redis::request req;
  std::vector<std::string> keys;
  for (auto port : cluster.primary_ports()) keys.push_back(tag_on(cluster, port) + "n");
  for (const auto& k : keys) req.push_script(test::cluster_scripts::add, 1, k, 5);
  auto o = exec(c, std::move(req));
  REQUIRE(o->done);
  REQUIRE_FALSE(o->ec);
  REQUIRE(o->resp.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(o->resp[i].integer() == 5);
  for (auto port : cluster.primary_ports())
    CHECK(cluster.node_on(port)->command(
              {"SCRIPT", "EXISTS", std::string(test::cluster_scripts::add.sha1)}) == "1\n");
}

// Writes acknowledged (their WAIT counted a replica) while a primary fails over: every one is there after.
void stream_through_failover(bool kill) {
  test::redis_cluster_options options;
  options.replicas_per_primary = 1;
  test::redis_cluster cluster(options);
  auto s = cluster_settings(cluster);
  s.wait_replicas = 1;
  s.wait_timeout = 100ms;  // the promoted replica of a killed primary has no replica: each WAIT times out
  test::client c(s);
  REQUIRE(c.wait_ready(20s));
  const auto victim = cluster.primary_ports()[0];
  const auto replica = cluster.replica_of(victim);
  REQUIRE(replica != 0);
  // Tags on every primary, two on the one that fails.
  std::vector<std::string> tags;
  for (auto port : cluster.primary_ports()) tags.push_back(tag_on(cluster, port));
  tags.push_back(tag_on(cluster, victim, 1000));
  std::map<std::string, std::set<int>> acked;
  int errors = 0, failed_over_at = -1, acked_after = 0;
  std::map<std::string, int> why;  // the errors by message
  std::chrono::steady_clock::time_point failed_at;
  std::chrono::steady_clock::duration back_after{};  // from the failover to the failed slot's first write
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; std::chrono::steady_clock::now() - started < 40s; ++i) {
    const auto& tag = tags[static_cast<std::size_t>(i) % tags.size()];
    redis::request req;
    req.push("SADD", tag + "set", i);
    redis::add_replica_wait(req, c.conn);
    auto o = c.exec(std::move(req));
    REQUIRE(o->done);
    // Acknowledged: a replica has it (WAIT), or, after the kill, the promoted replica answered it (it has no
    // replica left to wait for).
    const bool replicated = !o->ec && !redis::check_replica_wait(o->resp, c.conn);
    if (replicated || (!o->ec && failed_over_at >= 0 && kill)) {
      acked[tag].insert(i);
      if (failed_over_at >= 0 && tag == tags.back()) {
        if (acked_after++ == 0) back_after = std::chrono::steady_clock::now() - failed_at;
      }
    } else {
      ++errors;
      const auto* bad = o->resp.first_error();
      ++why[bad ? bad->str() : o->ec ? o->ec.message() : "WAIT counted no replica"];
    }
    if (failed_over_at < 0 && acked[tags.back()].size() >= 100) {
      failed_over_at = i;
      failed_at = std::chrono::steady_clock::now();
      if (kill)
        cluster.node_on(victim)->kill();
      else
        REQUIRE(cluster.node_on(replica)->command({"CLUSTER", "FAILOVER"}) == "OK");
    }
    if (acked_after >= 30) break;
  }
  INFO("errors: " << errors << ", failed over at write " << failed_over_at
                  << ", first: " << (why.empty() ? std::string() : why.begin()->first));
  REQUIRE(failed_over_at >= 0);
  REQUIRE(acked_after >= 30);  // the failed slot took writes again, through the promoted replica
  CHECK(cluster.wait_for_slot_owner(redis::key_slot(tags.back()), victim, 20s) == replica);
  for (const auto& [tag, members] : acked) {
    auto o = c.exec(redis::request{"SMEMBERS", tag + "set"});
    REQUIRE_FALSE(o->ec);
    std::set<int> stored;
    for (const auto& m : o->resp[0].elements()) stored.insert(std::stoi(m.str()));
    for (int m : members) CHECK_MESSAGE(stored.contains(m), tag << " lost acknowledged write " << m);
  }
  std::string reasons;
  for (const auto& [message, n] : why) reasons += " " + std::to_string(n) + " x " + message + ";";
  MESSAGE(std::string(kill ? "killed" : "CLUSTER FAILOVER")
          << ": the failed slot took writes again after "
          << std::chrono::duration_cast<std::chrono::milliseconds>(back_after).count() << " ms; " << errors
          << " writes not acknowledged:" << reasons);
}

TEST_CASE("cluster: CLUSTER FAILOVER on a replica mid-stream loses no acknowledged write") {
  stream_through_failover(false);
}

TEST_CASE("cluster: a primary killed mid-stream fails over to its replica with no acknowledged write lost") {
  stream_through_failover(true);
}

TEST_CASE("cluster: async_check names a dead primary") {
  test::redis_cluster cluster;
  test::client c(cluster_settings(cluster));
  REQUIRE(c.wait_ready(20s));
  const auto dead = cluster.primary_ports()[1];
  cluster.node_on(dead)->kill();
  REQUIRE(test::run_until(
      c.ioc, [&] { return c.conn.current_state() != redis::state::ready; }, 10s));
  const auto checks = check(c, 500ms);
  REQUIRE(checks.size() == 3);
  int failing = 0;
  for (const auto& n : checks) {
    if (n.node == "127.0.0.1:" + std::to_string(dead)) {
      CHECK(n.ec);
      ++failing;
    } else {
      CHECK_MESSAGE(!n.ec, n.node << ": " << n.detail);
    }
  }
  CHECK(failing == 1);
}
