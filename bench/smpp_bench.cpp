// smpp_bench: one carrier bind (gateway/smpp's bind_driver) against loa-smsc-sim, at several windows.
// Prints messages per second (wall clock, from bind to the last submit_sm_resp) and the gateway's CPU time
// per message (getrusage of this process, user + system). The simulator runs in its own process, started
// afresh for each window, so its CPU is reported separately (from /proc/PID/stat). With --receipts every
// message asks for a receipt and the run ends at the last deliver_sm. Figures only; it never asserts
// (docs/PERFORMANCE.md).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bench/sim_process.hpp"
#include "gateway/smpp/bind_driver.hpp"
#include "gateway/smpp/rate_limiter.hpp"
#include "segments/split.hpp"


namespace {

using loa::bench::simulator;

using clock_type = std::chrono::steady_clock;


double process_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

struct run_options {
  std::size_t window = 100;
  std::uint64_t messages = 200'000;
  bool receipts = false;
  std::chrono::seconds limit{60};
};

struct run_result {
  std::uint64_t submitted = 0;
  std::uint64_t accepted = 0;
  std::uint64_t not_accepted = 0;
  std::uint64_t receipts = 0;
  double to_last_resp_s = 0;     // bind to the last submit_sm_resp
  double to_last_receipt_s = 0;  // bind to the last receipt (receipts mode)
  double gateway_cpu_s = 0;      // this process, from bind to the end
  double sim_cpu_s = 0;          // the simulator, over the same span
  std::optional<std::uint64_t> sim_accepted;
  bool timed_out = false;
};

// A 1-part GSM text, as the gateway would build it for one recipient.
loa::smpp::short_message template_message(bool receipts) {
  loa::segments::message m;
  const auto status = loa::segments::split(
      "UBND phuong Long Thuy: lich tiem chung dot 2 vao 7h30 thu Bay 28/11 tai nha van hoa to 5.", {}, m);
  if (!status || m.parts.size() != 1) throw std::runtime_error("the benchmark text is not one GSM part");
  loa::smpp::short_message sm;
  sm.source = {5, 0, "UBND LThuy"};
  sm.destination = {1, 1, "84900000000"};
  sm.esm_class = m.esm_class;
  sm.data_coding = m.data_coding;
  sm.registered_delivery = receipts ? 1 : 0;
  sm.validity_period = "000001000000000R";
  const auto body = m.short_message(0);
  sm.message.assign(body.begin(), body.end());
  return sm;
}

run_result run_one(std::uint16_t port, const run_options& o, const simulator& sim) {
  namespace asio = boost::asio;
  asio::io_context io(1);
  loa::smpp::rate_limiter limiter(loa::smpp::rate_settings{});  // tps 0: the carrier is unlimited
  loa::smpp::bind_settings settings;
  settings.port = port;
  settings.session.system_id = "loa";
  settings.session.password = "bench";
  settings.session.window = o.window;
  settings.session.seed = 1;
  const auto prototype = template_message(o.receipts);

  run_result r;
  clock_type::time_point started{};
  double cpu0 = 0, sim_cpu0 = 0;
  std::uint64_t answered = 0;
  bool finished = false;
  std::unique_ptr<loa::smpp::bind_driver> driver;
  asio::steady_timer deadline(io);

  auto finish = [&] {
    if (finished) return;
    finished = true;
    r.gateway_cpu_s = process_cpu_seconds() - cpu0;
    r.sim_cpu_s = sim.cpu_seconds() - sim_cpu0;
    deadline.cancel();
    driver->async_stop([&io] { io.stop(); });
  };
  auto done_if_complete = [&] {
    if (answered < o.messages) return;
    if (o.receipts && r.receipts < r.accepted) return;
    if (o.receipts) r.to_last_receipt_s = std::chrono::duration<double>(clock_type::now() - started).count();
    finish();
  };
  // Fill the window: as many submits as the session would send at once, never more (nothing waits in its
  // queue, as in the gateway, where the broadcast scheduler feeds a bind only when it has room).
  std::function<void()> fill = [&] {
    auto n = driver->free_capacity();
    while (n-- > 0 && r.submitted < o.messages && !finished) {
      auto m = prototype;
      auto& digits = m.destination.addr;  // 849 then eight digits: the message counter, one number each
      auto k = r.submitted;
      for (std::size_t i = digits.size(); i-- > 3;) {
        digits[i] = static_cast<char>('0' + k % 10);
        k /= 10;
      }
      ++r.submitted;
      driver->async_submit(std::move(m), [&](loa::smpp::submit_outcome outcome) {
        ++answered;
        if (outcome.kind == loa::smpp::outcome_kind::accepted)
          ++r.accepted;
        else
          ++r.not_accepted;
        if (answered == o.messages)
          r.to_last_resp_s = std::chrono::duration<double>(clock_type::now() - started).count();
        done_if_complete();
      });
    }
  };

  loa::smpp::bind_callbacks callbacks;
  callbacks.on_bound = [&](const std::string&) {
    if (started != clock_type::time_point{}) return;  // a re-bind after a drop: keep the first start
    started = clock_type::now();
    cpu0 = process_cpu_seconds();
    sim_cpu0 = sim.cpu_seconds();
    deadline.expires_after(o.limit);
    deadline.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      r.timed_out = true;
      const auto elapsed = std::chrono::duration<double>(clock_type::now() - started).count();
      if (r.to_last_resp_s == 0) r.to_last_resp_s = elapsed;
      if (o.receipts && r.to_last_receipt_s == 0) r.to_last_receipt_s = elapsed;
      finish();
    });
  };
  callbacks.on_slots_free = [&](std::size_t) { fill(); };
  callbacks.on_deliver = [&](const loa::smpp::pdu&) {
    ++r.receipts;
    done_if_complete();
  };
  callbacks.on_log = [](std::error_code ec, std::string_view detail) {
    std::cerr << "bind: " << ec.message() << ": " << detail << '\n';
  };
  driver = std::make_unique<loa::smpp::bind_driver>(io, settings, limiter, callbacks);
  driver->start();
  // A backstop in case the bind never comes up (the simulator died): the run is bounded either way.
  asio::steady_timer backstop(io);
  backstop.expires_after(o.limit + std::chrono::seconds(15));
  backstop.async_wait([&](boost::system::error_code ec) {
    if (!ec) io.stop();
  });
  io.run();
  driver.reset();
  return r;
}

std::vector<std::size_t> parse_windows(const std::string& list) {
  std::vector<std::size_t> out;
  std::istringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(std::stoul(item));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"smpp_bench: one bind to loa-smsc-sim; messages/s and gateway CPU per message per window"};
  std::string sim_path = LOA_SMSC_SIM_PATH;
  std::string windows = "1,10,100,500";
  std::vector<std::string> sim_args;
  run_options o;
  int limit_s = 60;
  app.add_option("--sim", sim_path, "loa-smsc-sim to start")->capture_default_str();
  app.add_option("--messages,-n", o.messages, "messages per window")->capture_default_str();
  app.add_option("--windows", windows, "comma-separated windows")->capture_default_str();
  app.add_flag("--receipts", o.receipts, "registered_delivery 1; time to the last receipt as well");
  app.add_option("--limit-s", limit_s, "each run stops after this many seconds")->capture_default_str();
  app.add_option("--sim-arg", sim_args, "extra argument for the simulator (repeat)");
  CLI11_PARSE(app, argc, argv);
  o.limit = std::chrono::seconds(limit_s);

  std::string load;
  std::getline(std::ifstream("/proc/loadavg"), load);
  std::cout << fmt::format(
      "# smpp_bench: {} messages per window, 1-part GSM, registered_delivery {}, sim {}\n", o.messages,
      o.receipts ? 1 : 0, sim_path);
  std::cout << fmt::format("# {} cores, load average {}\n", std::thread::hardware_concurrency(),
                           load.substr(0, load.find(' ', load.find(' ', load.find(' ') + 1) + 1)));
  std::cout << fmt::format("{:>6} {:>9} {:>9} {:>10} {:>12} {:>11} {:>11}{}\n", "window", "accepted",
                           "refused", "seconds", "msg/s", "gw_us/msg", "sim_us/msg",
                           o.receipts ? fmt::format(" {:>9} {:>12}", "receipts", "rcpt_msg/s") : "");
  try {
    for (const auto w : parse_windows(windows)) {
      o.window = w;
      simulator sim(sim_path, sim_args);
      auto r = run_one(sim.port(), o, sim);
      r.sim_accepted = sim.stop();
      const double n = static_cast<double>(r.accepted);
      const auto per = [&](double s) { return n > 0 ? s * 1e6 / n : 0.0; };
      std::cout << fmt::format("{:>6} {:>9} {:>9} {:>10.3f} {:>12.0f} {:>11.2f} {:>11.2f}", w, r.accepted,
                               r.not_accepted, r.to_last_resp_s,
                               r.to_last_resp_s > 0 ? n / r.to_last_resp_s : 0.0, per(r.gateway_cpu_s),
                               per(r.sim_cpu_s));
      if (o.receipts)
        std::cout << fmt::format(
            " {:>9} {:>12.0f}", r.receipts,
            r.to_last_receipt_s > 0 ? static_cast<double>(r.receipts) / r.to_last_receipt_s : 0.0);
      if (r.timed_out) std::cout << "  (stopped at the time limit)";
      if (r.sim_accepted && *r.sim_accepted != r.accepted)
        std::cout << fmt::format("  (simulator counted {})", *r.sim_accepted);
      std::cout << std::endl;
    }
  } catch (const std::exception& e) {
    std::cerr << "smpp_bench: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
