// Redis CPU per call of the hottest scripts, engine_record (a batch's outcomes) and apply_receipts, sent as
// EVAL with the whole text (as before issue 13) and as EVALSHA (now), against a private redis-server. The
// figure is the server's own: INFO commandstats usec_per_call of EVAL and of EVALSHA (the script's inner
// commands included), read after CONFIG RESETSTAT, so the client and the network do not count. Prints figures, asserts nothing
// (docs/PERFORMANCE.md "Scripts by SHA1").
//
// Usage: scripts_bench [--rounds N]   (N calls per script, mode and batch size; default 500)
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/redis/exec.hpp"
#include "gateway/store/campaign_store.hpp"
#include "gateway/store/scripts.hpp"
#include "tests/fixtures/redis_server.hpp"

namespace {

using namespace loa;
namespace asio = boost::asio;

// A connection running on its own io_context; run() waits for one coroutine to finish.
struct client {
  explicit client(std::uint16_t port) : conn(ioc.get_executor(), settings(port)) {
    conn.async_run([](std::error_code) {});
  }
  ~client() {
    conn.cancel();
    ioc.run_for(std::chrono::seconds(1));
  }
  static redis::settings settings(std::uint16_t port) {
    redis::settings s;
    s.host = "127.0.0.1";
    s.port = port;
    return s;
  }
  redis::response exec(redis::request req) {
    bool done = false;
    redis::response out;
    asio::co_spawn(
        ioc,
        [&, r = std::move(req)]() mutable -> asio::awaitable<void> {
          auto [ec, resp] = co_await redis::exec(conn, std::move(r));
          if (ec) {
            std::string why = resp.first_error() ? resp.first_error()->str() : ec.message();
            fmt::print(stderr, "scripts_bench: {}\n", why);
            std::exit(1);
          }
          out = std::move(resp);
          done = true;
        },
        asio::detached);
    while (!done) ioc.run_one();
    return out;
  }
  asio::io_context ioc;
  redis::connection conn;
};

// One script call: its KEYS and ARGV, sent either way.
struct call {
  std::vector<std::string> keys, args;
};

redis::request as_request(const redis::script& s, const call& c, bool by_sha) {
  redis::request req;
  if (by_sha) {
    req.push_script_range(s, c.keys, c.args);
    return req;
  }
  std::vector<std::string> all{"EVAL", std::string(s.text), std::to_string(c.keys.size())};
  all.insert(all.end(), c.keys.begin(), c.keys.end());
  all.insert(all.end(), c.args.begin(), c.args.end());
  req.push_range(all);
  return req;
}

std::string number(int campaign, int i) {
  return fmt::format("849{:02d}{:06d}", campaign % 100, i);
}

// Campaign `id` with `batch` recipients claimed (one part each, in flight), as the gateway leaves them before
// it records the carrier's answers.
void claim(client& c, int id, int batch) {
  const auto sid = std::to_string(id);
  redis::request req;
  req.push("HSET", broadcast::campaign_keys::meta(sid), "state", "running");
  std::vector<std::string> args{"run-1", "viettel", "1", "run-"};
  for (int i = 0; i < batch; ++i) args.push_back(number(id, i));
  req.push_script_range(store::scripts::engine_claim,
                        std::vector<std::string>{broadcast::campaign_keys::records(sid),
                                                 broadcast::campaign_keys::counts(sid),
                                                 broadcast::campaign_keys::meta(sid), "loa:{c:" + sid + "}:alive"},
                        args);
  c.exec(std::move(req));
}

// The carrier accepted every part (S), each to be mapped for its receipt (engine_record.lua's layout: the
// mapping waits in the campaign's slot; map_receipt.lua writes it, a call of its own in its own slot).
call outcomes(int id, int batch) {
  const auto sid = std::to_string(id);
  call out{{broadcast::campaign_keys::records(sid), broadcast::campaign_keys::counts(sid),
            broadcast::campaign_keys::mappings_to_write(sid)},
           {"86400", sid, "run-1", "0"}};
  for (int i = 0; i < batch; ++i)
    out.args.insert(out.args.end(), {number(id, i), "1", "S",
                                     broadcast::campaign_keys::receipt("viettel", fmt::format("{}-{}", id, i)), ""});
  return out;
}

// Their receipts, delivered, once their mappings were read (apply_receipts.lua's layout, the campaign's slot).
call receipts(int id, int batch) {
  const auto sid = std::to_string(id);
  call out{{broadcast::campaign_keys::records(sid), broadcast::campaign_keys::counts(sid)}, {"0"}};
  for (int i = 0; i < batch; ++i) out.args.insert(out.args.end(), {number(id, i), "1", "D", "", number(id, i)});
  return out;
}

// usec_per_call of EVAL or EVALSHA since the last CONFIG RESETSTAT.
double usec_per_call(const std::string& info, bool by_sha) {
  const std::string want = by_sha ? "cmdstat_evalsha:" : "cmdstat_eval:";
  std::istringstream in(info);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(want)) continue;
    const auto at = line.find("usec_per_call=");
    if (at != std::string::npos) return std::strtod(line.c_str() + at + 14, nullptr);
  }
  return 0;
}

// The server process' CPU time (user + system) in microseconds, from INFO cpu.
double cpu_usec(client& c) {
  const auto info = c.exec(redis::command("INFO", "cpu"));
  std::istringstream in(info[0].str());
  double total = 0;
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("used_cpu_user:") || line.starts_with("used_cpu_sys:"))
      total += std::strtod(line.c_str() + line.find(':') + 1, nullptr);
  return total * 1e6;
}

std::size_t bytes(const redis::request& req) {
  std::size_t n = 0;
  for (const auto& a : req.arguments()) n += a.size();
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 500;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string_view(argv[i]) == "--rounds") rounds = std::atoi(argv[i + 1]);

  test::redis_server server;
  client c(server.port());
  fmt::print("{:<16} {:>6} {:>8} {:>12} {:>12} {:>12} {:>10}\n", "script", "batch", "sent as", "cmdstat usec",
             "CPU usec", "CPU per part", "bytes");
  int next_id = 1;
  struct step {
    const redis::script& script;
    call (*make)(int, int);
  };
  for (const int batch : {1, 16, 256}) {
    // EVAL and EVALSHA calls alternate, each on campaigns of its own, so that a busy machine slows both
    // alike; commandstats keeps them apart.
    const int first = next_id;
    next_id += 2 * rounds;
    for (int r = 0; r < 2 * rounds; ++r) claim(c, first + r, batch);
    for (const step s : {step{store::scripts::engine_record, outcomes},
                         step{store::scripts::apply_receipts, receipts}}) {
      c.exec(redis::command("SCRIPT", "LOAD", s.script.text));
      c.exec(redis::command("CONFIG", "RESETSTAT"));
      std::size_t sent[2] = {0, 0};
      double cpu[2] = {0, 0};
      // Blocks of calls alternate between EVAL and EVALSHA, each timed by the server's CPU time.
      constexpr int block = 50;
      for (int r0 = 0; r0 < rounds; r0 += block) {
        for (const bool by_sha : {false, true}) {
          const double before = cpu_usec(c);
          for (int r = r0; r < std::min(rounds, r0 + block); ++r) {
            auto req = as_request(s.script, s.make(first + 2 * r + (by_sha ? 1 : 0), batch), by_sha);
            sent[by_sha] = bytes(req);
            c.exec(std::move(req));
          }
          cpu[by_sha] += cpu_usec(c) - before;
        }
      }
      const auto info = c.exec(redis::command("INFO", "commandstats"));
      for (const bool by_sha : {false, true}) {
        const double usec = usec_per_call(info[0].str(), by_sha);
        fmt::print("{:<16} {:>6} {:>8} {:>12.2f} {:>12.2f} {:>12.2f} {:>10}\n", s.script.name, batch,
                   by_sha ? "EVALSHA" : "EVAL", usec, cpu[by_sha] / rounds, cpu[by_sha] / rounds / batch,
                   sent[by_sha]);
      }
    }
  }
}
