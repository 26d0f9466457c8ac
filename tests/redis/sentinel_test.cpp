// Redis Sentinel with real processes on loopback: loa asks the sentinels for the primary before every
// attempt, follows a failover, never writes to an old primary restarted alone, and leaves a server that
// says -READONLY or ROLE slave.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "gateway/redis/connection.hpp"
#include "gateway/redis/durability.hpp"
#include "tests/fixtures/redis_sentinel.hpp"
#include "tests/redis/support.hpp"

using namespace loa;
using namespace std::chrono_literals;

namespace {

redis::settings sentinel_settings(test::sentinel_group& group) {
  redis::settings s = test::quick_settings(1);  // host and port are ignored with sentinels
  for (auto& sentinel : group.sentinels()) s.sentinels.push_back({"127.0.0.1", sentinel->port()});
  s.master_name = group.options().master_name;
  s.password = group.options().password;
  s.sentinel_password = group.options().sentinel_password;
  s.sentinel_timeout = 300ms;
  s.request_timeout = 2s;
  return s;
}

std::string address(std::uint16_t port) {
  return "127.0.0.1:" + std::to_string(port);
}

}  // namespace

TEST_CASE(
    "sentinels: loa follows a killed primary to the promoted replica and never writes to it restarted "
    "alone") {
  test::sentinel_group group;  // a primary, a replica, 3 sentinels
  const auto old_port = group.primary_port();
  REQUIRE(old_port == group.nodes()[0]->port());
  std::vector<std::string> ready_at;  // the address of every connection that became ready
  test::client c(sentinel_settings(group));
  c.conn.set_observer([&](const redis::state_change& ch) {
    if (ch.now == redis::state::ready) ready_at.push_back(c.conn.address());
  });
  REQUIRE(c.wait_ready());
  CHECK(c.conn.address() == address(old_port));
  REQUIRE_FALSE(c.exec(redis::request{"SET", "before", "failover"})->ec);
  // WAIT: the write is on the replica before the primary dies, so it survives the failover.
  auto waited = c.exec(redis::request{"WAIT", "1", "1000"});
  REQUIRE_FALSE(waited->ec);
  REQUIRE(waited->resp[0].integer() == 1);

  group.nodes()[0]->kill();
  const auto killed = std::chrono::steady_clock::now();
  int written = 0;  // INCRs loa acknowledged after the kill
  while (written == 0 && std::chrono::steady_clock::now() - killed < 30s) {
    auto o = c.exec(redis::request{"INCR", "after"});
    if (!o->ec) ++written;
  }
  REQUIRE(written == 1);
  MESSAGE(
      "loa wrote again " << std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count()
                         << " s after the primary was killed");
  const auto new_port = group.wait_for_new_primary(old_port, 10s);
  REQUIRE(new_port == group.nodes()[1]->port());
  CHECK(c.conn.address() == address(new_port));
  auto kept = c.exec(redis::request{"GET", "before"});
  CHECK(kept->resp[0].str() == "failover");

  // The old primary comes back alone, empty, and says master until the sentinels turn it into a replica.
  group.nodes()[0]->restart();
  CHECK(group.role_of(old_port) == "master");
  // Every client of the new primary is cut off: loa must reconnect while the stale primary is up.
  CHECK(group.nodes()[1]->command({"CLIENT", "KILL", "TYPE", "normal"}) != "0");
  for (int i = 0; i < 20; ++i) {
    auto o = c.exec(redis::request{"INCR", "after"});
    if (!o->ec) ++written;
    // While it still calls itself master, the stale primary holds nothing: loa wrote nothing there.
    if (group.role_of(old_port) == "master") CHECK(group.nodes()[0]->command({"DBSIZE"}) == "0");
    test::run_for(c.ioc, 20ms);
  }
  CHECK(written >= 20);
  CHECK(group.nodes()[1]->command({"GET", "after"}) == std::to_string(written));
  REQUIRE(ready_at.size() >= 3);  // the first primary, after the kill, after CLIENT KILL
  for (std::size_t i = 1; i < ready_at.size(); ++i) CHECK(ready_at[i] == address(new_port));
}

TEST_CASE("sentinels: a primary demoted under loa (-READONLY, or ROLE slave at the health check) is left") {
  test::sentinel_group_options o;
  o.sentinels = 1;
  o.down_after = 60s;  // the sentinel must not step in while the test demotes and restores by hand
  test::sentinel_group group(o);
  auto& a = *group.nodes()[0];
  auto& b = *group.nodes()[1];
  auto demote_a = [&] {
    REQUIRE(b.command({"REPLICAOF", "NO", "ONE"}) == "OK");
    REQUIRE(a.command({"REPLICAOF", "127.0.0.1", std::to_string(b.port())}) == "OK");
  };
  auto restore_a = [&] {
    REQUIRE(a.command({"REPLICAOF", "NO", "ONE"}) == "OK");
    REQUIRE(b.command({"REPLICAOF", "127.0.0.1", std::to_string(a.port())}) == "OK");
  };

  SUBCASE("a write answered -READONLY drops the connection and the sentinels are asked again") {
    auto s = sentinel_settings(group);
    s.health_check_interval = 60s;  // only the write can tell
    test::client c(s);
    REQUIRE(c.wait_ready());
    demote_a();
    auto refused = c.exec(redis::request{"SET", "k", "v"});
    CHECK(refused->ec == redis::error::server_error);
    REQUIRE(refused->resp.size() == 1);
    CHECK(refused->resp[0].str().starts_with("READONLY"));
    REQUIRE(test::run_until(
        c.ioc, [&] { return c.conn.current_state() != redis::state::ready; }, 2s));
    CHECK(c.conn.last_error() == redis::error::not_master);
    // The sentinel still names A, which answers ROLE slave: never ready there.
    test::run_for(c.ioc, 500ms);
    CHECK(c.conn.current_state() != redis::state::ready);
    CHECK(c.conn.last_error() == redis::error::not_master);
    CHECK(c.conn.last_error_detail().find("ROLE slave") != std::string::npos);
    restore_a();
    REQUIRE(c.wait_ready());
    CHECK_FALSE(c.exec(redis::request{"SET", "k", "v"})->ec);
    CHECK(c.conn.connects() == 2);
  }

  SUBCASE("an idle connection learns it from ROLE at the health check") {
    auto s = sentinel_settings(group);
    s.health_check_interval = 100ms;
    test::client c(s);
    REQUIRE(c.wait_ready());
    demote_a();
    REQUIRE(test::run_until(
        c.ioc, [&] { return c.conn.current_state() != redis::state::ready; }, 3s));
    CHECK(c.conn.last_error() == redis::error::not_master);
    restore_a();
    REQUIRE(c.wait_ready());
    CHECK(c.conn.connects() == 2);
  }
}

TEST_CASE("sentinels: passwords for both, and no_master when no sentinel knows the name") {
  test::sentinel_group_options o;
  o.sentinels = 1;
  o.replicas = 0;
  o.down_after = 60s;
  o.password = "data-pw";
  o.sentinel_password = "sentinel-pw";
  test::sentinel_group group(o);

  SUBCASE("both passwords right: ready on the primary") {
    test::client c(sentinel_settings(group));
    REQUIRE(c.wait_ready());
    CHECK(c.conn.address() == address(group.nodes()[0]->port()));
    CHECK_FALSE(c.exec(redis::request{"SET", "k", "v"})->ec);
  }
  SUBCASE("an unknown master name, a dead sentinel, a wrong sentinel password: no_master, naming each") {
    auto s = sentinel_settings(group);
    s.master_name = "other";
    s.sentinels.insert(s.sentinels.begin(),
                       redis::endpoint{"127.0.0.1", test::free_port()});  // nothing there
    s.max_connect_attempts = 2;
    test::client c(s);
    REQUIRE(test::run_until(
        c.ioc, [&] { return c.run_done; }, 5s));
    CHECK(c.run_ec == redis::error::no_master);
    CHECK(c.conn.last_error_detail().find("does not monitor a master named other") != std::string::npos);
    CHECK(c.conn.last_error_detail().find("could not connect") != std::string::npos);

    auto wrong = sentinel_settings(group);
    wrong.sentinel_password = "wrong";
    wrong.max_connect_attempts = 1;
    test::client w(wrong);
    REQUIRE(test::run_until(
        w.ioc, [&] { return w.run_done; }, 5s));
    CHECK(w.run_ec == redis::error::no_master);
    CHECK(w.conn.last_error_detail().find("authentication") != std::string::npos);
  }
}

TEST_CASE("WAIT in the writing request: success once a replica has the writes, not_replicated when none does") {
  test::sentinel_group_options o;
  o.sentinels = 0;  // WAIT needs replicas only
  test::sentinel_group group(o);
  auto s = test::quick_settings(group.nodes()[0]->port());
  s.wait_replicas = 1;
  s.wait_timeout = 100ms;
  test::client c(s);
  REQUIRE(c.wait_ready());
  auto write = [&] {
    redis::request req{"SET", "claimed", "yes"};
    redis::add_replica_wait(req, c.conn);
    REQUIRE(req.size() == 2);
    auto o = c.exec(std::move(req));
    REQUIRE_FALSE(o->ec);
    return redis::check_replica_wait(o->resp, c.conn);
  };
  CHECK(write() == std::error_code());
  CHECK(group.nodes()[1]->command({"GET", "claimed"}) == "yes");
  group.nodes()[1]->kill();
  CHECK(write() == redis::error::not_replicated);  // on the primary only, after 100 ms

  s.wait_replicas = 0;  // the default with redis.url: nothing appended, nothing checked
  test::client plain(s);
  redis::request req{"SET", "k", "v"};
  redis::add_replica_wait(req, plain.conn);
  CHECK(req.size() == 1);
}
