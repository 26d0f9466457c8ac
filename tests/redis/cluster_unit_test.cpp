// Redis Cluster's pure parts: hash slots (the specification's vectors), where each command goes, the slot
// map read from CLUSTER SLOTS and the redirections read from error replies. No server.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "gateway/redis/command_route.hpp"
#include "gateway/redis/key_slot.hpp"
#include "gateway/redis/slot_map.hpp"

using namespace loa::redis;

namespace {

command_route route(std::vector<std::string> c) {
  return route_of(c);
}

reply integer(std::int64_t v) {
  return reply::make_integer(v);
}
reply text(std::string s) {
  return reply::make_text(reply::kind::string, std::move(s));
}
reply node(std::string ip, std::int64_t port) {
  return reply::make_array({text(std::move(ip)), integer(port), text("0123456789abcdef")});
}

}  // namespace

TEST_CASE("key_slot follows the cluster specification's CRC16 and hash tags") {
  CHECK(crc16("123456789") == 0x31C3);
  CHECK(crc16("") == 0);
  CHECK(key_slot("123456789") == 0x31C3 % 16384);
  CHECK(key_slot("foo") == 12182);  // CLUSTER KEYSLOT foo
  CHECK(key_slot("{user1000}.following") == key_slot("{user1000}.followers"));
  CHECK(key_slot("{user1000}.following") == key_slot("user1000"));
  CHECK(hash_tag("foo{}{bar}") == "foo{}{bar}");  // an empty tag: the whole key is hashed
  CHECK(key_slot("foo{}{bar}") == crc16("foo{}{bar}") % 16384);
  CHECK(hash_tag("foo{{bar}}zap") == "{bar");
  CHECK(hash_tag("foo{bar}{zap}") == "bar");
  CHECK(hash_tag("{unclosed") == "{unclosed");
  CHECK(hash_tag("loa:{c:1}:chunks") == "c:1");
}

TEST_CASE("route_of finds the slot of a command's keys") {
  using k = command_route::kind;
  CHECK(route({"GET", "foo"}).how == k::slot);
  CHECK(route({"GET", "foo"}).slot == 12182);
  CHECK(route({"hset", "{a}x", "f", "v"}).slot == key_slot("a"));
  // EVALSHA: numkeys, then the keys; the arguments after them are not keys.
  CHECK(route({"EVALSHA", "sha", "2", "{c:1}a", "{c:1}b", "other-slot-arg"}).slot == key_slot("c:1"));
  CHECK(route({"EVALSHA", "sha", "2", "{c:1}a", "loa:campaigns:active"}).how == k::cross_slot);
  CHECK(route({"EVALSHA", "sha", "0", "arg"}).how == k::keyless);
  CHECK(route({"MGET", "{t}1", "{t}2"}).how == k::slot);
  CHECK(route({"DEL", "a", "b"}).how == k::cross_slot);
  CHECK(route({"MSET", "{t}1", "x", "{t}2", "y"}).slot == key_slot("t"));
  CHECK(route({"SMOVE", "{s}1", "{s}2", "member-in-another-slot"}).slot == key_slot("s"));
  CHECK(route({"ZUNIONSTORE", "{z}d", "2", "{z}a", "{z}b", "WEIGHTS", "1", "2"}).slot == key_slot("z"));
  CHECK(route({"XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "{x}s", ">"}).slot == key_slot("x"));
  CHECK(route({"BLPOP", "{q}a", "{q}b", "5"}).slot == key_slot("q"));
  CHECK(route({"PING"}).how == k::keyless);
  CHECK(route({"WAIT", "1", "100"}).how == k::keyless);
  CHECK(route({"SCRIPT", "LOAD", "return 1"}).how == k::every_primary);
  CHECK(route({"FLUSHALL"}).how == k::every_primary);
  CHECK(route({"CONFIG", "SET", "x", "y"}).how == k::every_primary);
  CHECK(route({"CONFIG", "GET", "x"}).how == k::keyless);
  CHECK(route({"MULTI"}).how == k::transaction);
  CHECK(is_wait("wait"));
  CHECK_FALSE(is_wait("WAITAOF"));
}

TEST_CASE("parse_cluster_slots maps every slot to its primary") {
  endpoint asked{"127.0.0.1", 7000};
  std::string why;
  const reply answer = reply::make_array({
      reply::make_array({integer(0), integer(5460), node("127.0.0.1", 7000), node("127.0.0.1", 7003)}),
      reply::make_array({integer(5461), integer(10922), node("", 7001)}),
      reply::make_array({integer(10923), integer(16383), node("127.0.0.1", 7002)}),
  });
  const auto map = parse_cluster_slots(answer, asked, why);
  REQUIRE(map);
  CHECK(map->addresses == std::vector<std::string>{"127.0.0.1:7000", "127.0.0.1:7001", "127.0.0.1:7002"});
  CHECK(*map->address_for(0) == "127.0.0.1:7000");
  CHECK(*map->address_for(5461) == "127.0.0.1:7001");  // an empty ip: the host asked
  CHECK(*map->address_for(16383) == "127.0.0.1:7002");
  CHECK(map->unserved() == 0);

  const reply partial = reply::make_array({reply::make_array({integer(0), integer(99), node("::1", 7000)})});
  const auto some = parse_cluster_slots(partial, asked, why);
  REQUIRE(some);
  CHECK(some->unserved() == 16384 - 100);
  CHECK(some->address_for(100) == nullptr);
  CHECK(some->addresses[0] == "[::1]:7000");

  CHECK_FALSE(parse_cluster_slots(
      reply::make_text(reply::kind::error, "ERR This instance has cluster support disabled"), asked, why));
  CHECK(why == "ERR This instance has cluster support disabled");
  CHECK_FALSE(parse_cluster_slots(reply::make_array({}), asked, why));
  CHECK(why.find("no slot") != std::string::npos);
  CHECK_FALSE(parse_cluster_slots(
      reply::make_array({reply::make_array({integer(0), integer(16384), node("h", 1)})}), asked, why));
}

TEST_CASE("parse_redirect reads MOVED, ASK, TRYAGAIN and CLUSTERDOWN") {
  const endpoint from{"10.0.0.1", 7000};
  auto err = [](std::string s) { return reply::make_text(reply::kind::error, std::move(s)); };
  const auto moved = parse_redirect(err("MOVED 3999 127.0.0.1:7002"), from);
  CHECK(moved.how == redirect::kind::moved);
  CHECK(moved.slot == 3999);
  CHECK(address_of(moved.to) == "127.0.0.1:7002");
  const auto ask = parse_redirect(err("ASK 12182 :7001"), from);
  CHECK(ask.how == redirect::kind::ask);
  CHECK(address_of(ask.to) == "10.0.0.1:7001");  // an empty host: the node that answered
  CHECK(parse_redirect(err("TRYAGAIN Multiple keys request during rehashing of slot"), from).how ==
        redirect::kind::tryagain);
  CHECK(parse_redirect(err("CLUSTERDOWN The cluster is down"), from).how == redirect::kind::clusterdown);
  CHECK(parse_redirect(err("ERR wrong number of arguments"), from).how == redirect::kind::none);
  CHECK(parse_redirect(err("MOVED 99999 h:1"), from).how == redirect::kind::none);
  CHECK(parse_redirect(text("MOVED 1 h:1"), from).how == redirect::kind::none);
  CHECK(address_of(*parse_endpoint("[::1]:6379")) == "[::1]:6379");
  CHECK_FALSE(parse_endpoint("nohost"));
}
