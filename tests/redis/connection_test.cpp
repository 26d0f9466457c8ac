// The connection against a real redis-server: round trips, pipelining, binary safety, AUTH, SELECT, server
// errors, timeouts, a Unix socket, awaitables.
#include <doctest/doctest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <string>

#include "gateway/redis/connection.hpp"
#include "tests/fixtures/redis_server.hpp"
#include "tests/redis/support.hpp"

using namespace loa;
using namespace std::chrono_literals;

TEST_CASE("SET then GET round trip - nil for a missing key - integers and statuses") {
  test::redis_server server;
  test::client c(test::quick_settings(server.port()));
  redis::request req;
  req.push("SET", "greeting", "xin chao").push("GET", "greeting").push("GET", "missing").push("INCR", "n");
  auto o = c.exec(std::move(req));
  REQUIRE(o->done);
  REQUIRE_FALSE(o->ec);
  REQUIRE(o->resp.size() == 4);
  CHECK(o->resp[0].type() == redis::reply::kind::status);
  CHECK(o->resp[0].str() == "OK");
  CHECK(o->resp[1].type() == redis::reply::kind::string);
  CHECK(o->resp[1].str() == "xin chao");
  CHECK(o->resp[2].is_nil());
  CHECK(o->resp[3].type() == redis::reply::kind::integer);
  CHECK(o->resp[3].integer() == 1);
  CHECK(server.command({"GET", "greeting"}) == "xin chao");  // really stored, seen by another client
  CHECK(c.conn.connects() == 1);
  CHECK(c.conn.current_state() == redis::state::ready);

  auto arr = c.exec(redis::request{"MGET", "greeting", "missing"});
  REQUIRE(arr->done);
  REQUIRE(arr->resp.size() == 1);
  REQUIRE(arr->resp[0].type() == redis::reply::kind::array);
  REQUIRE(arr->resp[0].elements().size() == 2);
  CHECK(arr->resp[0].elements()[0].str() == "xin chao");
  CHECK(arr->resp[0].elements()[1].is_nil());
}

TEST_CASE("a pipeline of 10,000 commands in one request") {
  test::redis_server server;
  test::client c(test::quick_settings(server.port()));
  REQUIRE(c.wait_ready());
  constexpr int n = 10'000;
  redis::request sets;
  for (int i = 0; i < n; ++i) sets.push("SET", "k:" + std::to_string(i), "v:" + std::to_string(i));
  redis::request gets;
  for (int i = 0; i < n; ++i) gets.push("GET", "k:" + std::to_string(i));

  const auto t0 = std::chrono::steady_clock::now();
  auto set_result = c.exec(std::move(sets));
  auto get_result = c.exec(std::move(gets));
  const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  REQUIRE(set_result->done);
  REQUIRE(get_result->done);
  REQUIRE_FALSE(set_result->ec);
  REQUIRE_FALSE(get_result->ec);
  REQUIRE(set_result->resp.size() == n);
  REQUIRE(get_result->resp.size() == n);
  int wrong = 0;
  for (int i = 0; i < n; ++i) {
    if (set_result->resp[static_cast<std::size_t>(i)].str() != "OK") ++wrong;
    if (get_result->resp[static_cast<std::size_t>(i)].str() != "v:" + std::to_string(i)) ++wrong;
  }
  CHECK(wrong == 0);
  CHECK(server.command({"DBSIZE"}) == std::to_string(n));
  // Information only, never asserted: the machine decides.
  MESSAGE("20,000 pipelined commands (two requests) in " << elapsed * 1000 << " ms: " << (2 * n) / elapsed
                                                         << " commands/s");
}

TEST_CASE("binary-safe keys and values: zero bytes, CR LF, invalid UTF-8, Vietnamese") {
  test::redis_server server;
  test::client c(test::quick_settings(server.port()));
  const std::string zeros("\0\0a\0", 4);
  const std::string crlf = "line1\r\nline2\r\n*3\r\n$1\r\n";  // looks like RESP: must not be interpreted
  const std::string bytes("\xff\xfe\x80\x00\x7f", 5);
  const std::string viet = "Đường Nguyễn Huệ – tiêm chủng 🙂";
  const std::string key("k\0ey", 4);
  redis::request req;
  req.push("SET", key, zeros).push("SET", "crlf", crlf).push("SET", "bytes", bytes).push("SET", viet, viet);
  req.push("GET", key).push("GET", "crlf").push("GET", "bytes").push("GET", viet).push("STRLEN", key);
  auto o = c.exec(std::move(req));
  REQUIRE(o->done);
  REQUIRE_FALSE(o->ec);
  REQUIRE(o->resp.size() == 9);
  CHECK(o->resp[4].str() == zeros);
  CHECK(o->resp[4].str().size() == 4);
  CHECK(o->resp[5].str() == crlf);
  CHECK(o->resp[6].str() == bytes);
  CHECK(o->resp[7].str() == viet);
  CHECK(o->resp[8].integer() == 4);
}

TEST_CASE("an error reply: server_error, the message kept, the other replies delivered") {
  test::redis_server server;
  test::client c(test::quick_settings(server.port()));
  redis::request req;
  req.push("SET", "word", "abc").push("INCR", "word").push("GET", "word");
  auto o = c.exec(std::move(req));
  REQUIRE(o->done);
  CHECK(o->ec == redis::error::server_error);
  REQUIRE(o->resp.size() == 3);
  CHECK(o->resp[0].str() == "OK");
  CHECK(o->resp[1].is_error());
  CHECK(o->resp[1].str().starts_with("ERR"));
  REQUIRE(o->resp.first_error() == &o->resp[1]);
  CHECK(o->resp[2].str() == "abc");
  // The connection is unaffected.
  auto after = c.exec(redis::request{"PING"});
  REQUIRE(after->done);
  CHECK_FALSE(after->ec);
  CHECK(after->resp[0].str() == "PONG");
}

TEST_CASE("AUTH with the right password") {
  test::redis_server server({.password = "s3cret pass"});
  auto s = test::quick_settings(server.port());
  s.password = "s3cret pass";
  test::client c(s);
  auto o = c.exec(redis::request{"SET", "a", "1"});
  REQUIRE(o->done);
  CHECK_FALSE(o->ec);
  CHECK(server.command({"GET", "a"}) == "1");
}

TEST_CASE("a wrong password: async_run ends with auth_failed, and so do the waiting requests") {
  test::redis_server server({.password = "right"});
  auto s = test::quick_settings(server.port());
  s.password = "wrong";
  test::client c(s);
  auto o = test::start(c.conn, redis::request{"PING"});
  REQUIRE(test::run_until(c.ioc, [&] { return c.run_done && o->done; }));
  CHECK(c.run_ec == redis::error::auth_failed);
  CHECK(o->ec == redis::error::auth_failed);
  CHECK(c.conn.last_error() == redis::error::auth_failed);
  CHECK(c.conn.last_error_detail().find("WRONGPASS") != std::string::npos);
  CHECK(c.conn.last_error_detail().find("wrong") == std::string::npos);  // the password is never echoed
  CHECK(c.conn.current_state() == redis::state::stopped);
}

TEST_CASE("no password on a server that requires one: auth_failed (NOAUTH)") {
  test::redis_server server({.password = "right"});
  test::client c(test::quick_settings(server.port()));
  REQUIRE(test::run_until(c.ioc, [&] { return c.run_done; }));
  CHECK(c.run_ec == redis::error::auth_failed);
  CHECK(c.conn.last_error_detail().starts_with("NOAUTH"));
}

TEST_CASE("SELECT: the configured db is used - an invalid db ends async_run with select_failed") {
  test::redis_server server;
  {
    auto s = test::quick_settings(server.port());
    s.db = 3;
    s.client_name = "loa-test";
    test::client c(s);
    auto o = c.exec(redis::request{"SET", "in-db-3", "yes"});
    REQUIRE(o->done);
    CHECK_FALSE(o->ec);
    CHECK(server.command({"GET", "in-db-3"}) == "(nil)");  // the fixture's client is on db 0
    auto name = c.exec(redis::request{"CLIENT", "GETNAME"});
    REQUIRE(name->done);
    CHECK(name->resp[0].str() == "loa-test");
  }
  auto s = test::quick_settings(server.port());
  s.db = 999;
  test::client c(s);
  REQUIRE(test::run_until(c.ioc, [&] { return c.run_done; }));
  CHECK(c.run_ec == redis::error::select_failed);
}

TEST_CASE("a request timeout: DEBUG SLEEP 1 with 200 ms -> timeout - the late reply is dropped safely") {
  test::redis_server server;
  auto s = test::quick_settings(server.port());
  s.health_check_timeout = 5s;  // well above the sleep: this test is about the request's own timer
  test::client c(s);
  REQUIRE(c.wait_ready());
  redis::request slow{"DEBUG", "SLEEP", "1"};
  slow.timeout = 200ms;
  auto o = test::start(c.conn, std::move(slow));
  auto behind = test::start(c.conn, redis::request{"SET", "after", "sleep"});  // queued behind it on the wire
  REQUIRE(test::run_until(c.ioc, [&] { return o->done; }));
  CHECK(o->ec == redis::error::timeout);
  CHECK(o->resp.empty());
  REQUIRE(test::run_until(c.ioc, [&] { return behind->done; }));
  CHECK_FALSE(behind->ec);
  CHECK(behind->resp[0].str() == "OK");
  // The same connection goes on: replies still pair with their commands.
  auto next = c.exec(redis::request{"GET", "after"});
  REQUIRE(next->done);
  CHECK_FALSE(next->ec);
  CHECK(next->resp[0].str() == "sleep");
  CHECK(c.conn.connects() == 1);
}

TEST_CASE("a Unix socket connection") {
  test::redis_server_options options;
  options.unix_socket = true;
  test::redis_server server(options);
  redis::settings s = test::quick_settings(0);
  s.unix_socket = server.unix_socket();
  test::client c(s);
  auto o = c.exec(redis::request{"SET", "via", "unix"});
  REQUIRE(o->done);
  CHECK_FALSE(o->ec);
  CHECK(server.command({"GET", "via"}) == "unix");
  auto list = c.exec(redis::request{"CLIENT", "INFO"});
  REQUIRE(list->done);
  CHECK(list->resp[0].str().find("laddr=" + server.unix_socket()) != std::string::npos);
}

TEST_CASE("async_exec with use_awaitable in a coroutine") {
  test::redis_server server;
  test::client c(test::quick_settings(server.port()));
  bool finished = false;
  std::string value;
  std::error_code set_ec;
  boost::asio::co_spawn(
      c.ioc,
      [&]() -> boost::asio::awaitable<void> {
        // Requests built before co_await: GCC 12 mishandles initializer lists inside a coroutine's
        // co_await expression.
        redis::request set_req;
        set_req.push("SET", "co", "routine");
        redis::request get_req;
        get_req.push("GET", "co");
        auto [ec1, r1] =
            co_await c.conn.async_exec(std::move(set_req), boost::asio::as_tuple(boost::asio::use_awaitable));
        set_ec = ec1;
        auto [ec2, r2] =
            co_await c.conn.async_exec(std::move(get_req), boost::asio::as_tuple(boost::asio::use_awaitable));
        if (!ec2) value = r2[0].str();
        finished = true;
      },
      boost::asio::detached);
  REQUIRE(test::run_until(c.ioc, [&] { return finished; }));
  CHECK_FALSE(set_ec);
  CHECK(value == "routine");
}

TEST_CASE("a request made before async_run waits and completes once connected") {
  test::redis_server server;
  boost::asio::io_context ioc;
  redis::connection conn(ioc.get_executor(), test::quick_settings(server.port()));
  auto early = test::start(conn, redis::request{"SET", "early", "bird"});
  CHECK(conn.queued() == 1);
  bool run_done = false;
  conn.async_run([&](std::error_code) { run_done = true; });
  REQUIRE(test::run_until(ioc, [&] { return early->done; }));
  CHECK_FALSE(early->ec);
  CHECK(server.command({"GET", "early"}) == "bird");
  conn.cancel();
  REQUIRE(test::run_until(ioc, [&] { return run_done; }));
}

TEST_CASE("cancelling a request on the wire: partial is ignored, terminal ends it, the connection goes on") {
  test::redis_server server;
  auto s = test::quick_settings(server.port());
  s.health_check_timeout = 5s;
  test::client c(s);
  REQUIRE(c.wait_ready());
  boost::asio::cancellation_signal signal;
  bool done = false;
  std::error_code result;
  c.conn.async_exec(redis::request{"DEBUG", "SLEEP", "1"},
                    boost::asio::bind_cancellation_slot(signal.slot(), [&](std::error_code ec, redis::response) {
                      done = true;
                      result = ec;
                    }));
  test::run_for(c.ioc, 50ms);
  signal.emit(boost::asio::cancellation_type::partial);  // sent already: it cannot be taken back
  test::run_for(c.ioc, 50ms);
  CHECK_FALSE(done);
  signal.emit(boost::asio::cancellation_type::terminal);
  REQUIRE(test::run_until(c.ioc, [&] { return done; }));
  CHECK(result == redis::error::cancelled);
  auto next = c.exec(redis::request{"ECHO", "still here"});
  REQUIRE(next->done);
  CHECK_FALSE(next->ec);
  CHECK(next->resp[0].str() == "still here");
  CHECK(c.conn.connects() == 1);
}

TEST_CASE("awaitable operators: a request raced against a timer is cancelled when the timer wins") {
  using namespace boost::asio::experimental::awaitable_operators;
  test::redis_server server;
  auto s = test::quick_settings(server.port());
  s.health_check_timeout = 5s;
  test::client c(s);
  REQUIRE(c.wait_ready());
  bool finished = false;
  std::size_t winner = 99;
  boost::asio::co_spawn(
      c.ioc,
      [&]() -> boost::asio::awaitable<void> {
        redis::request slow;
        slow.push("DEBUG", "SLEEP", "1");
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, 100ms);
        auto result = co_await (
            c.conn.async_exec(std::move(slow), boost::asio::as_tuple(boost::asio::use_awaitable)) ||
            timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable)));
        winner = result.index();
        finished = true;
      },
      boost::asio::detached);
  REQUIRE(test::run_until(c.ioc, [&] { return finished; }));
  CHECK(winner == 1);
  auto next = c.exec(redis::request{"PING"});
  REQUIRE(next->done);
  CHECK_FALSE(next->ec);
}
