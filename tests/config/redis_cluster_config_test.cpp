// redis.cluster (the seed nodes of a Redis Cluster) as the alternative to redis.url and redis.sentinels: what
// loads, and every refusal names FILE:LINE and the key.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "config/config.hpp"

using namespace loa::config;
using namespace std::chrono_literals;

namespace {

// A valid file with one carrier (lines 1-6), then `redis:` on line 7 and the given keys from line 8.
std::string with_redis(std::string_view keys) {
  return std::string(
             "sender: LongThuy\ncarriers:\n  - name: viettel\n    host: 127.0.0.1\n    port: 2775\n"
             "    system_id: loa\nredis:\n") +
         std::string(keys);
}

env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string error_of(std::string_view keys, const env_lookup& env = env_of({})) {
  try {
    parse_config(with_redis(keys), "t.yaml", env);
  } catch (const config_error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("redis cluster loads its seed nodes with password_env, db 0 and no WAIT unless asked") {
  const auto r = parse_config(with_redis("  cluster: [\"10.1.0.5:7000\", \"10.1.0.6:7001\", \"[::1]:7002\"]\n"
                                         "  password_env: RPW\n  db: 0\n"),
                              "t.yaml", env_of({{"RPW", "data-secret"}}))
                     .redis;
  CHECK(r.kind == redis_config::transport::cluster);
  REQUIRE(r.cluster.size() == 3);
  CHECK(r.cluster[0].host == "10.1.0.5");
  CHECK(r.cluster[1].port == 7001);
  CHECK(r.cluster[2].host == "::1");
  CHECK(r.db == 0);
  CHECK(r.password.reveal() == "data-secret");
  CHECK(r.wait_replicas == 0);
  CHECK(r.display() == "cluster via 10.1.0.5:7000,10.1.0.6:7001,[::1]:7002");
  const auto waiting =
      parse_config(with_redis("  cluster: [\"h:7000\"]\n  wait_replicas: 1\n  wait_timeout_ms: 200\n"),
                   "t.yaml", env_of({}))
          .redis;
  CHECK(waiting.wait_replicas == 1);
  CHECK(waiting.wait_timeout == 200ms);
}

TEST_CASE("redis cluster refusals name the field") {
  CHECK(error_of("  cluster: [\"h:7000\"]\n  db: 2\n") ==
        "t.yaml:9: redis.db: a Redis Cluster has only database 0; remove redis.db or set it to 0");
  CHECK(
      error_of("  url: redis://h\n  cluster: [\"h:7000\"]\n") ==
      "t.yaml:9: redis: give one of url, sentinels + master, or cluster (the seed nodes of a Redis Cluster)");
  CHECK(
      error_of("  cluster: [\"h:7000\"]\n  sentinels: [\"h:26379\"]\n  master: m\n") ==
      "t.yaml:8: redis: give one of url, sentinels + master, or cluster (the seed nodes of a Redis Cluster)");
  CHECK(error_of("  cluster: []\n") ==
        "t.yaml:8: redis.cluster: expected a list of host:port, found an empty list");
  CHECK(error_of("  cluster: h:7000\n") ==
        "t.yaml:8: redis.cluster: expected a list of host:port, found a value");
  CHECK(error_of("  cluster: [\"h:7000\", \"h\"]\n") ==
        "t.yaml:8: redis.cluster[1]: 'h' is not host:port (for example 127.0.0.1:8787)");
  CHECK(error_of("  cluster:\n    - h:1\n    - h:1\n") == "t.yaml:10: redis.cluster[1]: h:1 is listed twice");
  CHECK(error_of("  cluster: [\"h:1\"]\n  sentinel_password_env: S\n") ==
        "t.yaml:9: redis.sentinel_password_env: only with redis.sentinels + master");
  CHECK(error_of("  cluster: [\"h:1\"]\n  password_env: NOPE\n") ==
        "t.yaml:9: redis.password_env: environment variable NOPE is not set");
  CHECK(error_of("  clusters: [\"h:1\"]\n")
            .starts_with("t.yaml:8: redis: unknown key 'clusters' (did you mean"));
}
