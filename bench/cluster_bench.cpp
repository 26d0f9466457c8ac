// Commands per second through redis::connection against one redis-server and against a 3-primary Redis
// Cluster on loopback (tests/fixtures), the same requests both ways: pipelines of N SETs (keys spread over
// every slot, so the cluster client splits each request into one part per primary), K requests in flight at
// once. Measures what the cluster client (cluster_client.cpp) costs and gains on this machine. Prints
// figures, asserts nothing (docs/PERFORMANCE.md "Redis Cluster client").
//
// Usage: cluster_bench [--commands N] [--per-request P] [--in-flight K]   (defaults 200000, 100, 8)
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gateway/redis/connection.hpp"
#include "tests/fixtures/redis_cluster.hpp"
#include "tests/fixtures/redis_server.hpp"

namespace {

using namespace loa;

struct options {
  long commands = 200'000;
  long per_request = 100;
  long in_flight = 8;
};

// Sends `o.commands` SETs as pipelines, `o.in_flight` at once, and returns commands per second.
double run(const redis::settings& s, const options& o) {
  boost::asio::io_context ioc;
  redis::connection conn(ioc.get_executor(), s);
  conn.async_run([](std::error_code) {});
  while (conn.current_state() != redis::state::ready) ioc.run_one_for(std::chrono::milliseconds(20));
  long sent = 0, answered = 0;
  const long requests = o.commands / o.per_request;
  std::function<void()> next = [&] {
    if (sent == requests) return;
    redis::request req;
    for (long i = 0; i < o.per_request; ++i) req.push("SET", "bench:" + std::to_string(sent * o.per_request + i), "x");
    ++sent;
    conn.async_exec(std::move(req), [&](std::error_code ec, redis::response) {
      if (ec) {
        fmt::print(stderr, "cluster_bench: {}\n", ec.message());
        std::exit(1);
      }
      ++answered;
      next();
    });
  };
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < o.in_flight; ++i) next();
  while (answered < requests) ioc.run_one();
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  conn.cancel();
  ioc.run_for(std::chrono::milliseconds(200));
  return static_cast<double>(requests * o.per_request) / took.count();
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const long v = std::atol(argv[i + 1]);
    if (flag == "--commands") o.commands = v;
    else if (flag == "--per-request") o.per_request = v;
    else if (flag == "--in-flight") o.in_flight = v;
  }
  redis::settings single;
  test::redis_server server;
  single.port = server.port();
  const double one = run(single, o);

  test::redis_cluster cluster;
  redis::settings clustered;
  for (auto port : cluster.primary_ports()) clustered.cluster.push_back({"127.0.0.1", port});
  const double three = run(clustered, o);
  fmt::print("{} SETs, {} per request, {} requests in flight\n", o.commands, o.per_request, o.in_flight);
  fmt::print("one redis-server:           {:>10.0f} commands/s\n", one);
  fmt::print("3-primary cluster (split):  {:>10.0f} commands/s\n", three);
}
