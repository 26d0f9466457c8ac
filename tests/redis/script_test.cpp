// Scripts by SHA1 against a real redis-server: EVALSHA, SCRIPT LOAD on NOSCRIPT and one retry (alone and
// inside a pipeline), and the build-time embedding of tests/redis/lua (includes, hashes).
#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <string>

#include "gateway/redis/exec.hpp"
#include "tests/fixtures/redis_server.hpp"
#include "tests/redis/lua_scripts.hpp"
#include "tests/redis/support.hpp"

using namespace loa;

namespace {

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
  test::run_until(c.ioc, [&] { return o->done; });
  return o;
}

}  // namespace

TEST_CASE("an embedded script has its includes expanded and the SHA1 Redis computes") {
  const auto& add = test::scripts::add;
  CHECK(add.name == "add");
  CHECK(add.text.find("--! include") == std::string_view::npos);
  CHECK(add.text.find("local step = tonumber(ARGV[1])") != std::string_view::npos);
  CHECK(add.text.find("local function add(key)") < add.text.find("return add(KEYS[1])"));
  CHECK(std::size(test::scripts::all) == 2);

  test::redis_server server;
  for (const auto* s : test::scripts::all)
    CHECK(server.command({"SCRIPT", "LOAD", std::string(s->text)}) == s->sha1);
}

TEST_CASE("EVALSHA of a script the server does not know loads it and runs the call once") {
  test::redis_server server;
  test::client c(test::quick_settings(server.port()));
  const auto sha = std::string(test::scripts::add.sha1);
  CHECK(server.command({"EVALSHA", sha, "1", "n", "5"}).starts_with("NOSCRIPT"));

  auto first = exec(c, redis::script_command(test::scripts::add, 1, "n", 5));
  REQUIRE(first->done);
  REQUIRE_FALSE(first->ec);
  REQUIRE(first->resp.size() == 1);
  CHECK(first->resp[0].integer() == 5);
  CHECK(server.command({"GET", "n"}) == "5");  // ran once, not twice

  auto second = exec(c, redis::script_command(test::scripts::add, 1, "n", 2));
  REQUIRE_FALSE(second->ec);
  CHECK(second->resp[0].integer() == 7);

  // After SCRIPT FLUSH (as after a restart or failover) the next call loads it again.
  CHECK(server.command({"SCRIPT", "FLUSH"}) == "OK");
  auto third = exec(c, redis::script_command(test::scripts::add, 1, "n", 1));
  REQUIRE_FALSE(third->ec);
  CHECK(third->resp[0].integer() == 8);
}

TEST_CASE("NOSCRIPT inside a pipeline - only the script calls are sent again and replies keep their places") {
  test::redis_server server;
  test::client c(test::quick_settings(server.port()));
  redis::request req;
  req.push("INCR", "plain")
      .push_script(test::scripts::add, 1, "a", 10)
      .push("GET", "a")
      .push_script(test::scripts::add, 1, "a", 1);
  const std::vector<std::string> rest{"1", "b", "3"};
  req.push_script_range(test::scripts::add, rest);
  REQUIRE(req.script_calls().size() == 3);
  CHECK(req.script_calls()[1].command == 3);

  auto o = exec(c, std::move(req));
  REQUIRE(o->done);
  REQUIRE_FALSE(o->ec);
  REQUIRE(o->resp.size() == 5);
  CHECK(o->resp[0].integer() == 1);
  CHECK(o->resp[1].integer() == 10);
  CHECK(o->resp[2].is_nil());  // the GET ran before the script calls were sent again
  CHECK(o->resp[3].integer() == 11);
  CHECK(o->resp[4].integer() == 3);
  CHECK(server.command({"GET", "plain"}) == "1");  // the other commands ran once
  CHECK(server.command({"GET", "a"}) == "11");
}

TEST_CASE("a script that fails is answered with its error and not sent again") {
  test::redis_server server;
  test::client c(test::quick_settings(server.port()));
  auto o = exec(c, redis::script_command(test::scripts::fail, 1, "tries"));
  REQUIRE(o->done);
  CHECK(o->ec == redis::error::server_error);
  REQUIRE(o->resp.size() == 1);
  CHECK(o->resp[0].str().find("refused on purpose") != std::string::npos);
  CHECK(server.command({"GET", "tries"}) == "1");
}

TEST_CASE("NOSCRIPT with a WAIT at the end - the WAIT is sent again after the calls it must cover") {
  test::redis_server server;
  test::client c(test::quick_settings(server.port()));
  REQUIRE(server.command({"CONFIG", "RESETSTAT"}) == "OK");
  redis::request req;
  req.push_script(test::scripts::add, 1, "w", 1).push("WAIT", 0, 10);
  auto o = exec(c, std::move(req));
  REQUIRE(o->done);
  REQUIRE_FALSE(o->ec);
  REQUIRE(o->resp.size() == 2);
  CHECK(o->resp[0].integer() == 1);
  CHECK(o->resp[1].type() == redis::reply::kind::integer);
  // Once with the first try (before the call ran), once after the call sent again.
  CHECK(server.command({"INFO", "commandstats"}).find("cmdstat_wait:calls=2,") != std::string::npos);
  CHECK(server.command({"GET", "w"}) == "1");
}
