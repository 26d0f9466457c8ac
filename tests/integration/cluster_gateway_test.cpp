// `loa gateway` on a Redis Cluster (tests/fixtures/redis_cluster.hpp): /healthz says Redis is ready only
// when a PING succeeds on every primary, and names the primary that does not answer.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/fixtures/redis_cluster.hpp"
#include "tests/integration/broadcast_rig.hpp"

using namespace loa;
using namespace std::chrono_literals;
using boost::beast::http::verb;

namespace {

std::string seeds(test::redis_cluster& cluster) {
  std::string list;
  for (auto port : cluster.primary_ports())
    list += (list.empty() ? "\"127.0.0.1:" : ", \"127.0.0.1:") + std::to_string(port) + "\"";
  return "  cluster: [" + list + "]\n";
}

}  // namespace

TEST_CASE("gateway on a cluster: /healthz is ready with every primary answering and names a dead one") {
  test::redis_cluster cluster;
  test::rig_options options;
  options.redis_lines = seeds(cluster);
  test::broadcast_rig rig(options);
  rig.start_gateway_unbound();

  auto [status, body] = rig.call(verb::get, "/healthz");
  CHECK(status == 200);
  CHECK(body.at("redis").as_string() == "ready");
  CHECK(body.at("redis_failing").as_array().empty());

  const auto dead = cluster.primary_ports()[2];
  cluster.node_on(dead)->kill();
  const std::string name = "127.0.0.1:" + std::to_string(dead);
  bool named = false;
  for (int i = 0; i < 100 && !named; ++i) {
    std::tie(status, body) = rig.call(verb::get, "/healthz");
    if (status == 503) {
      for (const auto& f : body.at("redis_failing").as_array())
        named |= f.at("node").as_string() == name && !f.at("error").as_string().empty();
    }
    if (!named) std::this_thread::sleep_for(100ms);
  }
  CHECK(named);
  CHECK(status == 503);
  CHECK(body.at("ok").as_bool() == false);
  CHECK(body.at("redis").as_string() != "ready");
}
