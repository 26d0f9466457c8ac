#include "gateway/service.hpp"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "gateway/api/auth.hpp"
#include "gateway/api/http_server.hpp"
#include "gateway/api/subscriber_routes.hpp"
#include "gateway/broadcast/subscriber_store.hpp"
#include "gateway/redis/connection.hpp"

namespace loa::gateway {
namespace {

namespace asio = boost::asio;

redis::settings redis_settings_for(const config::redis_config& r) {
  redis::settings s;
  if (r.kind == config::redis_config::transport::unix_socket) {
    s.unix_socket = r.socket.string();
  } else {
    s.host = r.host;
    s.port = r.port;
  }
  s.username = r.username;
  s.password = r.password.reveal();
  s.db = r.db;
  s.client_name = "loa-gateway";
  return s;
}

}  // namespace

struct service::parts {
  parts(asio::io_context& io_, config::configuration c, service_log l)
      : io(io_),
        cfg(std::move(c)),
        log(std::move(l)),
        connection(io_.get_executor(), redis_settings_for(cfg.redis)),
        store(connection),
        auth(cfg.operators) {}

  asio::io_context& io;
  config::configuration cfg;
  service_log log;
  redis::connection connection;
  broadcast::subscriber_store store;
  api::authenticator auth;
  std::unique_ptr<api::http_server> http;

  void info(std::string_view s) const {
    if (log.info) log.info(s);
  }
  void warn(std::string_view s) const {
    if (log.warn) log.warn(s);
  }

  // Subscriber buckets hold a few hundred numbers each; Redis keeps such hashes compact only below
  // hash-max-listpack-entries (128 by default). A managed Redis may refuse CONFIG: then say so.
  asio::awaitable<void> tune_redis() {
    redis::request req;
    req.push("CONFIG", "SET", "hash-max-listpack-entries", "512");
    auto [ec, resp] = co_await connection.async_exec(std::move(req), asio::as_tuple(asio::use_awaitable));
    if (ec)
      warn(fmt::format(
          "could not raise hash-max-listpack-entries to 512 ({}); set it in redis.conf (docs/REDIS.md)",
          resp.empty() ? ec.message() : resp[0].str()));
  }

  api::router routes() {
    api::router r;
    r.add(api::http::verb::get, "/healthz", [this](api::request&) -> asio::awaitable<api::response> {
      const bool redis_ready = connection.current_state() == redis::state::ready;
      boost::json::object body{{"ok", redis_ready}, {"redis", redis::to_string(connection.current_state())}};
      co_return api::json_response(
          redis_ready ? api::http::status::ok : api::http::status::service_unavailable, body);
    });
    api::add_subscriber_routes(r, auth, store);
    return r;
  }
};

service::service(asio::io_context& io, config::configuration cfg, service_log log)
    : parts_(std::make_unique<parts>(io, std::move(cfg), std::move(log))) {}

service::~service() = default;

void service::start() {
  auto& p = *parts_;
  p.auth.set_refusal_log([&p](std::string_view line) { p.warn(line); });
  p.connection.set_observer([&p](const redis::state_change& change) {
    if (change.now == redis::state::ready) {
      p.info(fmt::format("redis: connected to {}", p.cfg.redis.display()));
      asio::co_spawn(p.io, p.tune_redis(), asio::detached);
    } else if (change.why) {
      p.warn(fmt::format("redis: {} ({}{}{})", redis::to_string(change.now), change.why.message(),
                         change.detail.empty() ? "" : ": ", change.detail));
    }
  });
  p.connection.async_run([&p](std::error_code ec) {
    if (ec && ec != redis::error::stopped) p.warn(fmt::format("redis: gave up: {}", ec.message()));
  });
  api::server_settings http;
  http.host = p.cfg.gateway.listen.host;
  http.port = p.cfg.gateway.listen.port;
  http.log = [&p](std::string_view line) { p.warn(line); };
  p.http = std::make_unique<api::http_server>(p.io, http, p.routes());
  p.http->start();
  p.info(fmt::format("http: listening on {}:{}", http.host, p.http->port()));
}

std::uint16_t service::http_port() const {
  return parts_->http ? parts_->http->port() : 0;
}

void service::stop() {
  auto& p = *parts_;
  if (p.http) p.http->stop();
  p.connection.cancel();
  p.info("stopped");
}

}  // namespace loa::gateway
