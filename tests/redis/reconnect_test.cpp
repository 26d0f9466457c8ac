// Losing Redis and getting it back: a killed server, a server that stops answering, a connection destroyed
// with requests in flight.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "gateway/redis/connection.hpp"
#include "tests/fixtures/redis_server.hpp"
#include "tests/redis/support.hpp"

using namespace loa;
using namespace std::chrono_literals;

TEST_CASE(
    "redis-server killed: in-flight requests fail with connection_lost - restarted: the connection "
    "recovers") {
  test::redis_server server;
  std::vector<redis::state_change> changes;  // outlives the client, whose destructor still runs the observer
  test::client c(test::quick_settings(server.port()));
  c.conn.set_observer([&](const redis::state_change& ch) { changes.push_back(ch); });
  auto first = c.exec(redis::request{"SET", "before", "crash"});
  REQUIRE(first->done);
  REQUIRE_FALSE(first->ec);

  // A request that is surely on the server when it dies: the server sleeps on it.
  auto in_flight = test::start(c.conn, redis::request{"DEBUG", "SLEEP", "5"});
  auto pipelined = test::start(c.conn, redis::request{"INCR", "counter"});
  test::run_for(c.ioc, 100ms);
  REQUIRE_FALSE(in_flight->done);
  server.kill();
  REQUIRE(test::run_until(c.ioc, [&] { return in_flight->done && pipelined->done; }));
  CHECK(in_flight->ec == redis::error::connection_lost);
  CHECK(pipelined->ec == redis::error::connection_lost);
  REQUIRE(test::run_until(c.ioc, [&] { return c.conn.current_state() != redis::state::ready; }));

  // While Redis is down, new requests wait for the reconnect instead of failing.
  auto while_down = test::start(c.conn, redis::request{"SET", "during", "outage"});
  test::run_for(c.ioc, 300ms);  // a few failed attempts with back-off
  CHECK_FALSE(while_down->done);
  CHECK(c.conn.queued() == 1);
  CHECK_FALSE(c.run_done);

  server.restart();  // same port, empty data set (no persistence)
  REQUIRE(test::run_until(c.ioc, [&] { return while_down->done; }));
  CHECK_FALSE(while_down->ec);
  CHECK(c.conn.connects() == 2);
  auto after = c.exec(redis::request{"GET", "during"});
  REQUIRE(after->done);
  CHECK_FALSE(after->ec);
  CHECK(after->resp[0].str() == "outage");
  CHECK(c.conn.last_error() != std::error_code());  // what ended the first connection or a failed attempt

  test::run_for(c.ioc, 20ms);  // observer calls are posted
  bool saw_lost = false, saw_retry = false;
  for (const auto& ch : changes) {
    if (ch.now == redis::state::waiting_to_retry && ch.why == redis::error::connection_lost) saw_lost = true;
    if (ch.now == redis::state::waiting_to_retry && ch.why == redis::error::connect_failed) saw_retry = true;
  }
  CHECK(saw_lost);
  CHECK(saw_retry);
  REQUIRE_FALSE(changes.empty());
  CHECK(changes.back().now == redis::state::ready);
}

TEST_CASE("the health check drops a connection that stopped answering, then reconnects") {
  test::redis_server server;
  auto s = test::quick_settings(server.port());
  s.health_check_interval = 100ms;
  s.health_check_timeout = 500ms;
  test::client c(s);
  REQUIRE(c.wait_ready());
  // The server is blocked for 3 s: the PING goes unanswered, far longer than the health timeout.
  auto stuck = test::start(c.conn, redis::request{"DEBUG", "SLEEP", "3"});
  REQUIRE(test::run_until(c.ioc, [&] { return stuck->done; }));
  CHECK(stuck->ec == redis::error::connection_lost);  // dropped by the health check, not by its own timeout
  CHECK(c.conn.last_error() == redis::error::health_check_failed);
  // Once the server wakes up, the connection comes back by itself.
  auto after = c.exec(redis::request{"PING"});
  REQUIRE(after->done);
  CHECK_FALSE(after->ec);
  CHECK(c.conn.connects() == 2);
}

TEST_CASE("a long pipeline is not mistaken for a dead connection") {
  test::redis_server server;
  auto s = test::quick_settings(server.port());
  s.health_check_interval = 10ms;
  s.health_check_timeout = 2s;
  test::client c(s);
  REQUIRE(c.wait_ready());
  redis::request big;
  const std::string value(1000, 'x');
  for (int i = 0; i < 20'000; ++i) big.push("SET", "big:" + std::to_string(i % 100), value);
  auto o = c.exec(std::move(big));
  REQUIRE(o->done);
  CHECK_FALSE(o->ec);
  CHECK(o->resp.size() == 20'000);
  CHECK(c.conn.connects() == 1);
}

TEST_CASE("destroying a connection with requests in flight completes them with connection_lost") {
  test::redis_server server;
  boost::asio::io_context ioc;
  std::shared_ptr<test::outcome> in_flight;
  bool run_done = false;
  std::error_code run_ec;
  {
    redis::connection conn(ioc.get_executor(), test::quick_settings(server.port()));
    conn.async_run([&](std::error_code ec) {
      run_done = true;
      run_ec = ec;
    });
    REQUIRE(test::run_until(ioc, [&] { return conn.current_state() == redis::state::ready; }));
    in_flight = test::start(conn, redis::request{"DEBUG", "SLEEP", "1"});
    test::run_for(ioc, 50ms);
    REQUIRE_FALSE(in_flight->done);
  }
  REQUIRE(test::run_until(ioc, [&] { return in_flight->done && run_done; }));
  CHECK(in_flight->ec == redis::error::connection_lost);
  CHECK(run_ec == redis::error::stopped);
}
