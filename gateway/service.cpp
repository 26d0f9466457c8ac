#include "gateway/service.hpp"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "gateway/api/audit_routes.hpp"
#include "gateway/api/auth.hpp"
#include "gateway/api/campaign_list.hpp"
#include "gateway/api/campaign_routes.hpp"
#include "gateway/api/http_server.hpp"
#include "gateway/api/report_routes.hpp"
#include "gateway/api/subscriber_routes.hpp"
#include "gateway/store/campaign_store.hpp"
#include "gateway/store/subscriber_store.hpp"
#include "gateway/broadcaster.hpp"
#include "gateway/carrier_link.hpp"
#include "gateway/metrics.hpp"
#include "gateway/redis/connection.hpp"

namespace loa::gateway {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// How often the service PINGs Redis for loa_redis_latency_seconds.
constexpr auto redis_ping_interval = 5s;
// How long /healthz waits for each cluster primary's PING.
constexpr auto redis_check_timeout = std::chrono::milliseconds(1000);

redis::settings redis_settings_for(const config::redis_config& r) {
  redis::settings s;
  if (r.kind == config::redis_config::transport::sentinel) {
    for (const auto& hp : r.sentinels) s.sentinels.push_back({hp.host, hp.port});
    s.master_name = r.master;
    s.sentinel_password = r.sentinel_password.reveal();
  } else if (r.kind == config::redis_config::transport::cluster) {
    for (const auto& hp : r.cluster) s.cluster.push_back({hp.host, hp.port});
  } else if (r.kind == config::redis_config::transport::unix_socket) {
    s.unix_socket = r.socket.string();
  } else {
    s.host = r.host;
    s.port = r.port;
  }
  s.username = r.username;
  s.password = r.password.reveal();
  s.db = r.db;
  s.client_name = "loa-gateway";
  // Redis is local and restarts in a second: try again soon (the default back-off is the carriers' 10 s).
  s.backoff.initial = std::chrono::milliseconds(200);
  s.backoff.cap = std::chrono::seconds(5);
  // After a failover the sentinels name the new primary within seconds: ask again at least every second.
  // The same for a cluster's replica promoted after its primary failed.
  if (!s.sentinels.empty() || !s.cluster.empty()) s.backoff.cap = std::chrono::seconds(1);
  s.wait_replicas = r.wait_replicas;
  s.wait_timeout = r.wait_timeout;
  return s;
}

}  // namespace

struct service::parts {
  parts(asio::io_context& io_, config::configuration c, service_log l)
      : io(io_),
        cfg(std::move(c)),
        log(std::move(l)),
        connection(io_.get_executor(), redis_settings_for(cfg.redis)),
        receipt_connection(io_.get_executor(), redis_settings_for(cfg.redis)),
        store(connection),
        campaigns(connection),
        audit_log(connection),
        approvals(connection),
        audit(audit_log, [this](std::string_view s) { warn(s); }),
        auth(cfg.operators, api::limits_of(cfg.gateway.rate_limit)),
        sending(io_, cfg, store, campaigns, connection, [this](std::string_view s) { info(s); },
                [this](std::string_view s) { warn(s); }, &audit_log),
        ping_timer(io_),
        redis_latency(stats.get_histogram(
            "loa_redis_latency_seconds",
            "Round trip of a PING the gateway sends every 5 s while Redis is connected, over the connection "
            "every command uses (so it includes waiting behind their pipelined commands)",
            metrics::latency_buckets())),
        redis_ping_failures(stats.get_counter(
            "loa_redis_ping_failures_total", "PINGs of loa_redis_latency_seconds that failed or timed out")) {
    sending.attach_metrics(stats);
    sending.use_receipt_connection(receipt_connection);
    stats.gauge_fn("loa_redis_up", "1 while the Redis connection is ready, else 0", {},
                   [this] { return connection.current_state() == redis::state::ready ? 1.0 : 0.0; });
  }

  asio::io_context& io;
  config::configuration cfg;
  service_log log;
  redis::connection connection;
  redis::connection receipt_connection;  // the receipt matcher's own (broadcaster::use_receipt_connection)
  broadcast::subscriber_store store;
  broadcast::campaign_store campaigns;
  broadcast::audit_store audit_log;
  broadcast::approval_store approvals;
  api::audit_recorder audit;
  api::authenticator auth;
  metrics::registry stats;  // before `sending`, whose parts count into it: destroyed after them
  broadcaster sending;
  asio::steady_timer ping_timer;
  metrics::histogram& redis_latency;
  metrics::counter& redis_ping_failures;
  bool stopping = false;
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

  // loa_redis_latency_seconds: a PING now and then while Redis is connected (one as soon as it connects).
  asio::awaitable<void> ping_redis() {
    while (!stopping) {
      if (connection.current_state() == redis::state::ready) {
        redis::request req;
        req.push("PING");
        const auto sent = std::chrono::steady_clock::now();
        auto [ec, resp] = co_await connection.async_exec(std::move(req), asio::as_tuple(asio::use_awaitable));
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - sent;
        if (ec)
          redis_ping_failures.inc();
        else
          redis_latency.observe(took.count());
      }
      if (stopping) break;
      ping_timer.expires_after(redis_ping_interval);
      co_await ping_timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }

  // Every carrier must be able to take the text: a recipient of any carrier may be in the groups.
  std::optional<std::string> check_text(const broadcast::campaign_spec& spec, api::campaign_plan& plan) const {
    const auto policy = segments::parse_accents(spec.accents).value_or(segments::accents::keep);
    for (const auto& carrier : cfg.carriers) {
      segments::message m;
      const auto status = split_notice(spec.text, carrier, cfg.limits, policy, 0, m);
      if (!status) return fmt::format("{} (carrier {})", segments::describe(status, m), carrier.name);
      plan.parts_per_message = std::max(plan.parts_per_message, m.parts.size());
      plan.encoding = std::string(segments::to_string(m.coding));
      plan.text = m.text;
      plan.chars = m.chars;
      plan.carriers[carrier.name] = {plan.encoding, m.parts.size()};
    }
    return std::nullopt;
  }

  // The HTTP listener's settings from gateway: in the configuration; tokens are checked on the request
  // header.
  api::server_settings http_settings() {
    const auto& g = cfg.gateway;
    api::server_settings settings;
    settings.host = g.listen.host;
    settings.port = g.listen.port;
    if (g.tls) {
      settings.tls_cert = g.tls->cert.string();
      settings.tls_key = g.tls->key.string();
    }
    settings.stream_body_limit = g.http.max_import_bytes;
    settings.header_timeout = g.http.header_timeout;
    settings.body_min_bytes_per_s = g.http.body_min_bytes_per_s;
    settings.max_connections = g.http.max_connections;
    settings.max_connections_per_address = g.http.max_connections_per_address;
    settings.authenticate = [this](const api::request& r) -> std::optional<api::response> {
      auto verdict = auth.authenticate(r.authorization, r.remote, api::authenticator::clock::now());
      if (verdict) return std::nullopt;
      return std::move(verdict.refusal);
    };
    settings.log = [this](std::string_view line) { warn(line); };
    return settings;
  }

  api::router routes() {
    api::router r;
    r.add(
        api::http::verb::get, "/healthz",
        [this](api::request&) -> asio::awaitable<api::response> {
          bool redis_ready = connection.current_state() == redis::state::ready;
          std::string redis_state = redis::to_string(connection.current_state());
          boost::json::array failing;
          // A cluster is ready only when a real request succeeds on every primary: name those where not.
          if (connection.is_cluster()) {
            const auto checks = co_await connection.async_check(redis_check_timeout, asio::use_awaitable);
            for (const auto& c : checks) {
              if (!c.ec) continue;
              failing.push_back(boost::json::object{
                  {"node", c.node}, {"error", c.detail.empty() ? c.ec.message() : c.ec.message() + ": " + c.detail}});
            }
            if (!failing.empty()) {
              redis_ready = false;
              if (redis_state == redis::to_string(redis::state::ready)) redis_state = "failing";
            }
          }
          boost::json::object carriers;
          for (const auto& c : sending.health())
            carriers[c.name] =
                boost::json::object{{"bound", c.binds_up > 0}, {"binds_up", c.binds_up}, {"binds", c.binds}};
          boost::json::object body{{"ok", redis_ready}, {"redis", redis_state}, {"carriers", carriers}};
          if (connection.is_cluster()) body["redis_failing"] = std::move(failing);
          co_return api::json_response(
              redis_ready ? api::http::status::ok : api::http::status::service_unavailable, body);
        },
        api::access::open);
    // Prometheus scrapes without a token (the API listens on loopback unless configured otherwise).
    r.add(
        api::http::verb::get, "/metrics",
        [this](api::request&) -> asio::awaitable<api::response> {
          api::response out;
          out.body = stats.render();
          out.content_type = std::string(metrics::content_type);
          co_return out;
        },
        api::access::open);
    api::add_subscriber_routes(r, auth, store, &audit, cfg.gateway.utc_offset);
    api::add_audit_routes(r, auth, audit_log, cfg.gateway.utc_offset);
    api::campaign_hooks hooks;
    hooks.cfg = &cfg;
    hooks.check = [this](const broadcast::campaign_spec& spec, api::campaign_plan& plan) {
      return check_text(spec, plan);
    };
    hooks.route = [this](std::string_view number) { return sending.carrier_for(number); };
    hooks.changed = [this] { sending.poke(); };
    hooks.cancelled = [this](const std::string& id) { sending.cancelled(id); };
    hooks.lanes = [this](const std::string& id) {
      std::vector<api::campaign_lane> out;
      for (const auto& lane : sending.lanes(id).value_or(std::vector<lane_report>{}))
        out.push_back({lane.lane.carrier, lane.lane.queued, lane.lane.parked, lane.lane.in_flight,
                       lane.lane.uncertain, lane.lane.sent, std::string(campaign::to_string(lane.lane.why)),
                       lane.waiting_since_s});
      return out;
    };
    hooks.audit = &audit;
    hooks.approvals = &approvals;
    hooks.carriers_down = [this] {
      std::vector<api::carrier_down> down;
      for (const auto& c : sending.health())
        if (c.binds_up == 0 && c.binds > 0) down.push_back({c.name, c.down_since_s});
      return down;
    };
    api::add_campaign_routes(r, auth, campaigns, store, std::move(hooks));
    const api::name_sources names{&cfg, &store};
    api::add_campaign_list_route(r, auth, campaigns, cfg.gateway.utc_offset, names);
    api::add_report_routes(r, auth, campaigns, connection, cfg.gateway.utc_offset, names);
    return r;
  }
};

service::service(asio::io_context& io, config::configuration cfg, service_log log)
    : parts_(std::make_unique<parts>(io, std::move(cfg), std::move(log))) {}

service::~service() = default;

void service::start() {
  auto& p = *parts_;
  // The listener first: a certificate it cannot use or an address it cannot bind stops the start here.
  p.http = std::make_unique<api::http_server>(p.io, p.http_settings(), p.routes());
  p.http->start();
  p.info(fmt::format("http: listening on {}:{}{}", p.cfg.gateway.listen.host, p.http->port(),
                     p.cfg.gateway.tls ? " (HTTPS)" : ""));
  p.auth.set_refusal_log([&p](std::string_view line) { p.warn(line); });
  p.connection.set_observer([&p](const redis::state_change& change) {
    if (change.now == redis::state::ready) {
      if (p.cfg.redis.kind == config::redis_config::transport::sentinel ||
          p.cfg.redis.kind == config::redis_config::transport::cluster)
        p.info(fmt::format("redis: connected to {} ({})", p.connection.address(), p.cfg.redis.display()));
      else
        p.info(fmt::format("redis: connected to {}", p.cfg.redis.display()));
      asio::co_spawn(p.io, p.tune_redis(), asio::detached);
      p.ping_timer.cancel();  // a latency sample at once
    } else if (change.why) {
      p.warn(fmt::format("redis: {} ({}{}{})", redis::to_string(change.now), change.why.message(),
                         change.detail.empty() ? "" : ": ", change.detail));
    }
  });
  p.connection.async_run([&p](std::error_code ec) {
    if (ec && ec != redis::error::stopped) p.warn(fmt::format("redis: gave up: {}", ec.message()));
  });
  p.receipt_connection.async_run([&p](std::error_code ec) {
    if (ec && ec != redis::error::stopped) p.warn(fmt::format("redis (receipts): gave up: {}", ec.message()));
  });
  p.sending.start();
  asio::co_spawn(p.io, p.ping_redis(), asio::detached);
}

std::uint16_t service::http_port() const {
  return parts_->http ? parts_->http->port() : 0;
}

void service::stop() {
  auto& p = *parts_;
  p.stopping = true;
  p.ping_timer.cancel();
  if (p.http) p.http->stop();
  // Running campaigns record what is in flight before Redis goes.
  p.sending.stop([&p] {
    p.connection.cancel();
    p.receipt_connection.cancel();
    p.info("stopped");
  });
}

}  // namespace loa::gateway
