#include "tools/loa/gateway_command.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <chrono>
#include <csignal>
#include <functional>

#include "config/config.hpp"
#include "config/file_permissions.hpp"
#include "gateway/api/http_server.hpp"
#include "gateway/service.hpp"
#include "tools/loa/i18n/translate.hpp"

namespace loa::cli {

using i18n::tr;
namespace {

// `%*` of the log pattern: the line's time in the gateway's utc_offset ("2026-11-22 14:03:07.120+07:00"), as
// every other time the gateway shows, whatever the machine's time zone.
class offset_time_flag : public spdlog::custom_flag_formatter {
 public:
  explicit offset_time_flag(std::chrono::minutes utc_offset) : utc_offset_(utc_offset) {}

  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const auto local = std::chrono::floor<std::chrono::milliseconds>(msg.time) + utc_offset_;
    const auto off = utc_offset_.count();
    fmt::format_to(std::back_inserter(dest), "{:%Y-%m-%d %H:%M:%S}.{:03}{}{:02}:{:02}",
                   std::chrono::floor<std::chrono::seconds>(local), local.time_since_epoch().count() % 1000,
                   off < 0 ? '-' : '+', std::abs(off) / 60, std::abs(off) % 60);
  }

  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<offset_time_flag>(utc_offset_);
  }

 private:
  std::chrono::minutes utc_offset_;
};

int run_gateway(const global_options& globals) {
  auto log = spdlog::stderr_color_mt("loa");
  config::configuration cfg;
  try {
    cfg = config::load_config(globals.config_file);
  } catch (const config::config_error& e) {
    return fail(globals, exit_code::bad_input, e.what());
  }
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<offset_time_flag>('*', cfg.gateway.utc_offset).set_pattern("%* %^%l%$ %v");
  log->set_formatter(std::move(formatter));
  log->info("loa gateway: configuration {}", globals.config_file);
  if (auto exposed = config::exposed_secrets_warning(cfg)) log->warn("{}", *exposed);

  // hiredis writes to Redis with write(2): a Redis that dies (or fails over) while a request is being written
  // would end the gateway with SIGPIPE, silently, mid-campaign. Ignored, the write fails with EPIPE and the
  // connection is handled as lost. (Asio's own sockets already send with MSG_NOSIGNAL.)
  std::signal(SIGPIPE, SIG_IGN);
  boost::asio::io_context io;
  gateway::service service(
      io, std::move(cfg),
      {[log](std::string_view s) { log->info("{}", s); }, [log](std::string_view s) { log->warn("{}", s); }});
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  // SIGHUP (logrotate's habit) must not end the gateway: the log is stderr, there is nothing to reopen
  // (config/logrotate.loa rotates an optional file with copytruncate).
  boost::asio::signal_set hangup(io, SIGHUP);
  std::function<void()> await_hangup = [&] {
    hangup.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      log->info("signal SIGHUP: ignored (logs go to stderr; nothing to reopen)");
      await_hangup();
    });
  };
  await_hangup();
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    log->info("signal {}: stopping", signal);
    hangup.cancel();
    service.stop();
  });
  try {
    service.start();
  } catch (const api::tls_setup_error& e) {  // the files exist (the configuration checked) but do not serve
    signals.cancel();
    hangup.cancel();
    return fail(globals, exit_code::bad_input, globals.config_file + ": " + e.what());
  } catch (const std::system_error& e) {
    signals.cancel();
    hangup.cancel();
    return fail(globals, exit_code::unreachable, std::string("cannot listen for HTTP on ") + e.what());
  }
  io.run();
  return 0;
}

}  // namespace

void add_gateway_command(CLI::App& app, const global_options& globals, std::function<int()>& run) {
  auto* cmd =
      app.add_subcommand("gateway", tr("Run the service: carrier sessions, fan-out, receipts, HTTP API"));
  cmd->callback([&globals, &run] { run = [&globals] { return run_gateway(globals); }; });
}

}  // namespace loa::cli
