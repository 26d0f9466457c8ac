// What the engine's store calls cost against a local redis-server: per batch of 500 numbers (the engine's
// claim_batch and park_batch), the claim, the mark, the record of the answers, and a park then its take and
// ack. Prints figures; asserts nothing. Usage: engine_store_bench [numbers] (default 100,000).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "gateway/store/engine_store.hpp"
#include "tests/fixtures/redis_server.hpp"

using namespace loa;
namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr std::size_t batch = 500;

struct timing {
  const char* what;
  clock_type::duration spent{};
  std::size_t calls = 0;
  bool numbers_per_call = true;  ///< a batch of numbers per call (not so for a parcel's take and ack)
};

asio::awaitable<void> check(asio::awaitable<std::error_code> call, const char* what) {
  if (auto ec = co_await std::move(call)) throw std::runtime_error(std::string(what) + ": " + ec.message());
}

asio::awaitable<void> bench(store::engine_store& s, std::size_t numbers, std::vector<timing>& t) {
  co_await check(s.publish(), "publish");
  co_await check(s.heartbeat(std::chrono::seconds(60)), "heartbeat");
  std::uint64_t token = 0;
  for (std::size_t first = 0; first < numbers; first += batch) {
    std::vector<std::string> nums;
    for (std::size_t i = first; i < first + batch && i < numbers; ++i) nums.push_back(std::to_string(84900000000 + i));
    auto timed = [&](std::size_t k, asio::awaitable<std::error_code> call) -> asio::awaitable<void> {
      const auto start = clock_type::now();
      co_await check(std::move(call), t[k].what);
      t[k].spent += clock_type::now() - start;
      ++t[k].calls;
    };
    store::claim_answer claimed;
    co_await timed(0, s.claim("viettel", 1, nums, claimed));
    if (first / batch % 2 == 1) {  // every other batch is parked, taken back and acknowledged
      co_await timed(3, s.park("viettel", nums, ++token));
      std::optional<campaign::parcel_grant> parcel;
      co_await timed(4, s.take_parcel("viettel", parcel));
      if (!parcel) throw std::runtime_error("take_parcel: no parcel");
      bool done = false;
      co_await timed(5, s.ack("viettel", parcel->entry, done));
      continue;
    }
    std::vector<campaign::part_ref> parts;
    std::vector<campaign::outcome> outcomes;
    for (const auto& n : nums) {
      parts.push_back({n, 1});
      outcomes.push_back({"viettel", n, 1, 'S', "id" + n, ""});
    }
    std::vector<std::string> refused;
    co_await timed(1, s.mark_submitting(parts, refused));
    co_await timed(2, s.record(outcomes, 0));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t numbers = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000;
  test::redis_server server;
  server.command({"HSET", broadcast::campaign_keys::meta("1"), "id", "1", "state", "running"});
  asio::io_context io;
  redis::settings rs;
  rs.port = server.port();
  redis::connection connection(io.get_executor(), rs);
  connection.async_run([](std::error_code) {});
  store::engine_store s(connection, {"1", "bench/1"});
  std::vector<timing> t{{"claim"}, {"mark_submitting"}, {"record (S)"}, {"park"}, {"take_parcel", {}, 0, false},
                      {"ack parcel", {}, 0, false}};
  std::exception_ptr failed;
  bool finished = false;
  asio::co_spawn(io, bench(s, numbers, t), [&](std::exception_ptr e) {
    failed = e;
    finished = true;
    connection.cancel();
  });
  io.run();
  if (failed) std::rethrow_exception(failed);
  if (!finished) return 1;
  std::printf("engine_store calls, batches of %zu numbers (1 part), %zu numbers, redis-server on loopback:\n", batch,
              numbers);
  for (const auto& x : t) {
    if (x.calls == 0) continue;
    const double ms = std::chrono::duration<double, std::milli>(x.spent).count() / static_cast<double>(x.calls);
    std::printf("  %-16s %6zu calls  %7.2f ms per call", x.what, x.calls, ms);
    if (x.numbers_per_call) std::printf("  %9.0f numbers/s", 1000.0 * batch / ms);
    std::printf("\n");
  }
  return 0;
}
