// The engine's claim and mark_submitting wait for the replicas (redis.wait_replicas, gateway/redis/
// durability.hpp): against a primary and a replica (tests/fixtures/redis_sentinel.hpp, no sentinels), an
// acknowledged claim or mark is on the replica; with the replica gone either answers not_replicated. A
// NOSCRIPT retry (the scripts flushed, as on a new primary) waits again after the call it sends again.
#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>

#include <optional>
#include <thread>

#include "gateway/redis/error.hpp"
#include "gateway/store/campaign_store.hpp"
#include "gateway/store/engine_store.hpp"
#include "tests/fixtures/redis_sentinel.hpp"
#include "tests/redis/support.hpp"

using namespace loa;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view id = "7";

template <class T>
T run(test::client& c, boost::asio::awaitable<T> work) {
  std::optional<T> result;
  boost::asio::co_spawn(c.ioc, std::move(work), [&](std::exception_ptr e, T value) {
    if (e) std::rethrow_exception(e);
    result = std::move(value);
  });
  REQUIRE(test::run_until(
      c.ioc, [&] { return result.has_value(); }, 20s));
  return std::move(*result);
}

std::string record_on(test::redis_server& node, std::string_view number) {
  return node.command({"HGET", broadcast::campaign_keys::records(id), std::string(number)});
}

}  // namespace

TEST_CASE("engine_store: claim and mark_submitting are acknowledged only once a replica has them") {
  test::sentinel_group_options o;
  o.sentinels = 0;  // WAIT needs replicas only
  test::sentinel_group group(o);
  auto& primary = *group.nodes()[0];
  auto& replica = *group.nodes()[1];
  primary.command({"HSET", broadcast::campaign_keys::meta(id), "state", "running"});
  // The replica in sync first (on a loaded machine its link may still be coming up).
  for (int i = 0; i < 200 && primary.command({"INFO", "replication"}).find("state=online") == std::string::npos;
       ++i)
    std::this_thread::sleep_for(50ms);
  auto s = test::quick_settings(primary.port());
  s.wait_replicas = 1;
  s.wait_timeout = 1000ms;  // generous: the machine is shared; a missing replica costs the test 1 s per call
  test::client c(s);
  REQUIRE(c.wait_ready());
  store::engine_store db(c.conn, {std::string(id), "gw-a/1"});

  store::claim_answer claimed;
  REQUIRE_FALSE(run(c, db.claim("viettel", 1, {"84900000001"}, claimed)));
  REQUIRE(claimed.results.size() == 1);
  CHECK(record_on(replica, "84900000001").starts_with("viettel|C|"));
  std::vector<std::string> refused;
  REQUIRE_FALSE(run(c, db.mark_submitting({{"84900000001", 1}}, refused)));
  CHECK(refused.empty());
  CHECK(record_on(replica, "84900000001").starts_with("viettel|I|"));

  // A new primary knows no script: the claim is sent again after SCRIPT LOAD, and waited for again.
  primary.command({"SCRIPT", "FLUSH"});
  REQUIRE_FALSE(run(c, db.claim("viettel", 1, {"84900000002"}, claimed)));
  CHECK(record_on(replica, "84900000002").starts_with("viettel|C|"));
  primary.command({"SCRIPT", "FLUSH"});
  REQUIRE_FALSE(run(c, db.mark_submitting({{"84900000002", 1}}, refused)));
  CHECK(record_on(replica, "84900000002").starts_with("viettel|I|"));

  replica.kill();
  CHECK(run(c, db.claim("viettel", 1, {"84900000003"}, claimed)) == redis::error::not_replicated);
  CHECK(run(c, db.mark_submitting({{"84900000003", 1}}, refused)) == redis::error::not_replicated);
}
