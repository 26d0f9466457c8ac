// error, request and reply: plain values, no I/O.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "gateway/redis/connection.hpp"
#include "gateway/redis/error.hpp"
#include "gateway/redis/reply.hpp"
#include "gateway/redis/request.hpp"

using namespace loa::redis;

TEST_CASE("every redis::error has a name, a message and its category") {
  std::set<std::string> names;
  for (int v = static_cast<int>(error::connect_failed); v <= static_cast<int>(error::no_slot_map);
       ++v) {
    const std::error_code ec = static_cast<error>(v);
    CHECK(ec.category() == error_category());
    CHECK(std::string(ec.category().name()) == "loa.redis");
    CHECK(ec.message().find("unknown") == std::string::npos);
    CHECK(names.insert(to_string(static_cast<error>(v))).second);
  }
  CHECK(names.size() == 20);
  const std::error_code timeout = error::timeout;
  CHECK(timeout == error::timeout);
  CHECK(timeout != error::connection_lost);
  CHECK(std::string(to_string(error::queue_full)) == "queue_full");
  CHECK(std::string(format_as(error::auth_failed)) == "auth_failed");
}

TEST_CASE("a request stores commands flat, binary-safe, with integers in decimal") {
  request req;
  const std::string binary("a\0b\r\nc", 6);
  req.push("SET", "key", binary).push("INCRBY", std::string("n"), 42).push("PING");
  REQUIRE(req.size() == 3);
  CHECK(req.argument_counts() == std::vector<std::uint32_t>{3, 3, 1});
  CHECK(req.arguments()[2] == binary);
  CHECK(req.arguments()[2].size() == 6);
  CHECK(req.arguments()[5] == "42");
  CHECK(req.arguments()[6] == "PING");
  CHECK_FALSE(req.timeout.has_value());

  const std::vector<std::string> cmd{"HSET", "h", "f", "v"};
  request other{"GET", "k"};
  other.push_range(cmd);
  CHECK(other.size() == 2);
  CHECK(other.argument_counts() == std::vector<std::uint32_t>{2, 4});
  CHECK(request{}.empty());
}

TEST_CASE("reply values and response helpers") {
  const auto ok = reply::make_text(reply::kind::status, "OK");
  const auto err = reply::make_text(reply::kind::error, "ERR value is not an integer or out of range");
  const auto n = reply::make_integer(-7);
  const auto arr = reply::make_array({n, reply{}, ok});
  CHECK(reply{}.is_nil());
  CHECK(ok.type() == reply::kind::status);
  CHECK(ok.str() == "OK");
  CHECK(err.is_error());
  CHECK(n.integer() == -7);
  CHECK(arr.elements().size() == 3);
  CHECK(arr.elements()[1].is_nil());
  CHECK(arr == reply::make_array({n, reply{}, ok}));
  CHECK(std::string(to_string(reply::kind::array)) == "array");

  response without_error(std::vector<reply>{ok, n});
  CHECK(without_error.first_error() == nullptr);
  response with_error(std::vector<reply>{ok, err, n});
  REQUIRE(with_error.first_error() != nullptr);
  CHECK(with_error.first_error()->str().starts_with("ERR value"));
  CHECK(with_error.size() == 3);
  auto text = reply::make_text(reply::kind::string, "large");
  CHECK(text.take_str() == "large");
  CHECK(text.str().empty());
  CHECK(std::string(to_string(state::waiting_to_retry)) == "waiting_to_retry");
}
