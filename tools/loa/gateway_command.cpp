#include "tools/loa/gateway_command.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <functional>

#include "config/config.hpp"
#include "config/file_permissions.hpp"
#include "gateway/api/http_server.hpp"
#include "gateway/service.hpp"

namespace loa::cli {
namespace {

int run_gateway(const global_options& globals) {
  auto log = spdlog::stderr_color_mt("loa");
  log->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  config::configuration cfg;
  try {
    cfg = config::load_config(globals.config_file);
  } catch (const config::config_error& e) {
    return fail(globals, exit_code::bad_input, e.what());
  }
  log->info("loa gateway: configuration {}", globals.config_file);
  if (auto exposed = config::exposed_secrets_warning(cfg)) log->warn("{}", *exposed);

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
  auto* cmd = app.add_subcommand("gateway", "Run the service: carrier sessions, fan-out, receipts, HTTP API");
  cmd->callback([&globals, &run] { run = [&globals] { return run_gateway(globals); }; });
}

}  // namespace loa::cli
