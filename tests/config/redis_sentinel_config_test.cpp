// redis.sentinels + redis.master as the alternative to redis.url, and redis.wait_replicas: what loads, and
// every refusal names FILE:LINE and the key.
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

TEST_CASE("redis sentinels and master load with db, both passwords and WAIT 1 by default") {
  const auto r = parse_config(with_redis("  sentinels: [\"10.1.0.5:26379\", \"10.1.0.6:26380\", \"[::1]:26381\"]\n"
                                         "  master: loa\n  db: 3\n  password_env: RPW\n"
                                         "  sentinel_password_env: SPW\n"),
                              "t.yaml", env_of({{"RPW", "data-secret"}, {"SPW", "sentinel-secret"}}))
                     .redis;
  CHECK(r.kind == redis_config::transport::sentinel);
  REQUIRE(r.sentinels.size() == 3);
  CHECK(r.sentinels[0].host == "10.1.0.5");
  CHECK(r.sentinels[1].port == 26380);
  CHECK(r.sentinels[2].host == "::1");
  CHECK(r.master == "loa");
  CHECK(r.db == 3);
  CHECK(r.password.reveal() == "data-secret");
  CHECK(r.sentinel_password.reveal() == "sentinel-secret");
  CHECK(r.wait_replicas == 1);
  CHECK(r.wait_timeout == 100ms);
  CHECK(r.display() == "master loa db 3 via sentinels 10.1.0.5:26379,10.1.0.6:26380,[::1]:26381");
}

TEST_CASE("redis url keeps no WAIT unless asked, and wait_replicas and wait_timeout_ms are read") {
  const auto plain = parse_config(with_redis("  url: redis://127.0.0.1:6379/0\n"), "t.yaml", env_of({})).redis;
  CHECK(plain.kind == redis_config::transport::tcp);
  CHECK(plain.wait_replicas == 0);
  const auto waiting = parse_config(with_redis("  url: redis://h/1\n  wait_replicas: 2\n  wait_timeout_ms: 250\n"),
                                    "t.yaml", env_of({}))
                           .redis;
  CHECK(waiting.wait_replicas == 2);
  CHECK(waiting.wait_timeout == 250ms);
  const auto off =
      parse_config(with_redis("  sentinels: [\"h:1\"]\n  master: m\n  wait_replicas: 0\n"), "t.yaml", env_of({}))
          .redis;
  CHECK(off.wait_replicas == 0);
}

TEST_CASE("redis sentinel refusals name the field") {
  CHECK(error_of("  url: redis://h\n  sentinels: [\"h:26379\"]\n  master: m\n") ==
        "t.yaml:9: redis: give either url or sentinels + master, not both");
  CHECK(error_of("  sentinels: [\"h:26379\"]\n") ==
        "t.yaml:8: redis: missing required key 'master' (the name the sentinels monitor)");
  CHECK(error_of("  master: loa\n") == "t.yaml:8: redis.master: needs redis.sentinels, the sentinels that monitor it");
  CHECK(error_of("  sentinels: []\n  master: m\n") ==
        "t.yaml:8: redis.sentinels: expected a list of host:port, found an empty list");
  CHECK(error_of("  sentinels: h:26379\n  master: m\n") ==
        "t.yaml:8: redis.sentinels: expected a list of host:port, found a value");
  CHECK(error_of("  sentinels: [\"h:26379\", \"h\"]\n  master: m\n") ==
        "t.yaml:8: redis.sentinels[1]: 'h' is not host:port (for example 127.0.0.1:8787)");
  CHECK(error_of("  sentinels:\n    - h:1\n    - h:1\n  master: m\n") ==
        "t.yaml:10: redis.sentinels[1]: h:1 is listed twice");
  CHECK(error_of("  sentinels: [\"h:1\"]\n  master: \"\"\n") == "t.yaml:9: redis.master: must not be empty");
  CHECK(error_of("  sentinels: [\"h:1\"]\n  master: a b\n") ==
        "t.yaml:9: redis.master: a sentinel master name has no spaces");
  CHECK(error_of("  sentinels: [\"h:1\"]\n  master: m\n  db: 256\n") == "t.yaml:10: redis.db: 256 is out of range 0..255");
  CHECK(error_of("  url: redis://h\n  db: 2\n") ==
        "t.yaml:9: redis.db: only with redis.sentinels + master (with url, the database is the URL's /DB)");
  CHECK(error_of("  url: redis://h\n  sentinel_password_env: S\n") ==
        "t.yaml:9: redis.sentinel_password_env: only with redis.sentinels + master");
  CHECK(error_of("  sentinels: [\"h:1\"]\n  master: m\n  sentinel_password_env: SPW\n") ==
        "t.yaml:10: redis.sentinel_password_env: environment variable SPW is not set");
  CHECK(error_of("  url: redis://h\n  wait_replicas: 17\n") == "t.yaml:9: redis.wait_replicas: 17 is out of range 0..16");
  CHECK(error_of("  url: redis://h\n  wait_timeout_ms: 0\n") ==
        "t.yaml:9: redis.wait_timeout_ms: 0 is out of range 1..60000");
  CHECK(error_of("  sentinel: [\"h:1\"]\n").starts_with("t.yaml:8: redis: unknown key 'sentinel' (did you mean"));
}
