#include "gateway/broadcaster.hpp"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unistd.h>

#include <random>
#include <unordered_map>

#include "gateway/approval_recheck.hpp"
#include "gateway/campaign/driver.hpp"
#include "gateway/broadcast/numbers.hpp"
#include "gateway/campaign/lifecycle.hpp"
#include "gateway/carrier_link.hpp"
#include "gateway/metrics.hpp"
#include "gateway/receipt_matcher.hpp"
#include "gateway/reply_handler.hpp"

namespace loa::gateway {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

broadcast::router make_router(const config::configuration& cfg) {
  std::vector<broadcast::carrier_prefixes> prefixes;
  for (const auto& c : cfg.carriers) prefixes.push_back({c.name, c.prefixes});
  std::unordered_map<std::string, std::string> ported;
  if (cfg.routing.ported_file)
    for (const auto& [number, carrier] : config::load_ported(*cfg.routing.ported_file, cfg))
      if (auto n = broadcast::normalise_number(number)) ported[n.number] = carrier;
  return broadcast::router(prefixes, cfg.routing.default_carrier, std::move(ported));
}

// "GATEWAY/RUN": the gateway (host and API port: one per machine and port) and this run of it, written into
// the records it claims and used as its consumer name on the campaigns' chunk streams. A restarted gateway
// tells its own claims from those a dead run left in flight, and takes its dead run's chunks over at once.
std::string owner_name(const config::configuration& cfg) {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = 0;
  std::random_device rd;
  return fmt::format("{}:{}/{:08x}{:08x}", host, cfg.gateway.listen.port, rd(), rd());
}

}  // namespace

struct broadcaster::impl {
  impl(asio::io_context& io_, const config::configuration& c, broadcast::subscriber_store& s,
       broadcast::campaign_store& cs, redis::connection& connection, std::function<void(std::string_view)> i,
       std::function<void(std::string_view)> w, broadcast::audit_store* audit)
      : io(io_),
        cfg(c),
        subscribers(s),
        campaigns(cs),
        info(std::move(i)),
        warn(std::move(w)),
        router(make_router(c)),
        matcher(io_, cs, warn),
        replies(io_, c, s, pools, info, warn),
        timer(io_),
        sweep_timer(io_),
        context{io_,
                c,
                cs,
                connection,
                router,
                pools,
                owner_name(c),
                info,
                warn,
                audit,
                [this](std::string_view carrier, std::string_view what) {
                  matcher.count_mismatch(carrier, what);
                },
                [this](std::string_view carrier) { return matcher.receipt_delay(carrier); },
                [this](std::string_view carrier, std::string_view key) { matcher.submitted(carrier, key); }} {
    for (const auto& carrier : cfg.carriers) {
      receipt_modes[carrier.name] = receipt_mode_for(carrier);
      carrier_events events;
      events.on_receipt = [this](std::string_view name, const smpp::receipt& r, smpp::deliver_ack ack) {
        matcher.add(name, receipt_modes[std::string(name)], r, std::move(ack));
      };
      events.on_mo = [this](std::string_view name, const smpp::mo_message& m, smpp::deliver_ack ack) {
        replies.on_reply(name, m, std::move(ack));
      };
      events.on_capacity = [this](std::string_view name) {
        for (auto& [id, d] : drivers) d->carrier_changed(name);
      };
      events.on_info = info;
      events.on_warn = warn;
      const smpp::reassembly_limits reassembly{cfg.mo.reassembly_timeout, cfg.mo.reassembly_max_messages,
                                               cfg.mo.reassembly_max_bytes};
      pools.emplace(carrier.name, std::make_unique<carrier_pool>(io, carrier, std::move(events), reassembly));
    }
    matcher.use_engine_store(connection);
    // A receipt whose id no record knows may answer a part whose submit_sm_resp was lost.
    matcher.on_unmatched([this](std::string_view carrier, const std::string& number, const std::string& id) {
      for (auto& [campaign, d] : drivers)
        if (d->offer_receipt(carrier, number, id)) break;
    });
  }

  asio::io_context& io;
  const config::configuration& cfg;
  broadcast::subscriber_store& subscribers;
  broadcast::campaign_store& campaigns;
  std::function<void(std::string_view)> info;
  std::function<void(std::string_view)> warn;
  broadcast::router router;
  std::map<std::string, smpp::receipt_id_mode> receipt_modes;
  std::map<std::string, std::unique_ptr<carrier_pool>, std::less<>> pools;
  receipt_matcher matcher;
  reply_handler replies;
  asio::steady_timer timer;
  asio::steady_timer sweep_timer;
  campaign_context context;
  std::map<std::string, std::unique_ptr<campaign_driver>> drivers;
  bool woken = false;
  bool stopping = false;
  bool matcher_running = false;

  void poke() {
    woken = true;
    timer.cancel();
  }

  asio::awaitable<void> learn_ported() {
    std::map<std::string, std::string> ported;
    while (!stopping) {
      if (!co_await subscribers.ported(ported)) break;
      timer.expires_after(1s);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    for (auto& [number, carrier] : ported)
      if (pools.count(carrier)) router.learn_ported(number, carrier);
    if (!ported.empty()) info(fmt::format("routing: {} ported numbers from Redis", ported.size()));
  }

  // Moves a due campaign to running (or waiting, in quiet hours), and starts a driver for each running one.
  asio::awaitable<void> schedule_once() {
    std::vector<std::string> ids;
    if (co_await campaigns.active(ids)) co_return;
    const auto now = std::chrono::system_clock::now();
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    for (const auto& id : ids) {
      if (stopping) co_return;
      if (drivers.count(id)) continue;
      broadcast::campaign_spec spec;
      bool found = false;
      if (co_await campaigns.load(id, spec, found)) co_return;
      if (!found) continue;
      using broadcast::campaign_state;
      if (spec.state == campaign_state::done || spec.state == campaign_state::cancelled) {
        if (co_await campaigns.forget_inactive(id)) co_return;  // left by a crash between state and set
        continue;
      }
      // Due, then out of quiet hours (or urgent): lifecycle.hpp's rule, as the API applies it at creation.
      auto state = spec.state;
      if (state == campaign_state::scheduled || state == campaign_state::waiting)
        state = campaign::where_due(spec.due_at_s <= now_s, cfg.gateway.quiet_at(now), spec.urgent);
      if (state == campaign_state::running && spec.state != campaign_state::running) {
        // Due now: the approval rule again, on the exact audience (it may have grown since the send).
        bool needs_approval = false, held = false;
        const std::vector<campaign_state> from{spec.state};  // named: g++ 12 miscompiles braced temporaries
        if (co_await recheck_approval(context, spec, from, needs_approval, held)) co_return;
        if (needs_approval) continue;  // held, by this call or by another gateway's
      }
      if (state != spec.state) {
        const auto why = spec.state == campaign_state::scheduled ? campaign::cause::due : campaign::cause::quiet_over;
        if (!campaign::allowed(spec.state, why, state)) continue;
        bool moved = false;
        if (co_await campaigns.advance(id, spec.state, state, moved)) co_return;
        if (!moved) continue;  // cancelled, held or moved on by another gateway meanwhile: seen next time
        info(fmt::format("campaign {}: {}", id, broadcast::to_string(state)));
        spec.state = state;
      }
      if (state == campaign_state::running) start_driver(std::move(spec));
    }
  }

  void start_driver(broadcast::campaign_spec spec) {
    const auto id = spec.id;
    // Ended is posted: the driver is never destroyed inside its own call.
    auto d = std::make_unique<campaign_driver>(context, std::move(spec), [this, id](campaign::end_reason) {
      drivers.erase(id);
      poke();
    });
    auto* started = d.get();
    drivers.emplace(id, std::move(d));
    started->start();
  }

  // Campaigns whose receipts are overdue: what still waits counts as expired.
  asio::awaitable<void> expire_overdue() {
    auto& wait = sweep_timer;
    while (!stopping) {
      std::vector<std::string> ids;
      const auto now_s =
          std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
      if (!co_await campaigns.receipt_deadlines_due(now_s, 10, ids)) {
        for (const auto& id : ids) {
          std::uint64_t seen = 0;
          if (auto ec = co_await campaigns.expire_pending(id, seen)) break;
          info(fmt::format("campaign {}: validity period over; parts still without a receipt count as expired", id));
        }
      }
      wait.expires_after(5s);
      co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }

  asio::awaitable<void> schedule() {
    while (!stopping) {
      co_await schedule_once();
      if (woken) {
        woken = false;
        continue;
      }
      timer.expires_after(1s);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      woken = false;
    }
  }

  asio::awaitable<void> shut_down(std::function<void()> done) {
    for (auto& [id, d] : drivers) d->stop();
    asio::steady_timer wait(io);
    while (!drivers.empty()) {
      wait.expires_after(50ms);
      co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    matcher.stop();
    while (matcher_running) {
      wait.expires_after(50ms);
      co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    auto remaining = std::make_shared<std::size_t>(pools.size());
    if (*remaining == 0) {
      done();
      co_return;
    }
    for (auto& [name, pool] : pools)
      pool->stop([remaining, done] {
        if (--*remaining == 0) done();
      });
  }
};

broadcaster::broadcaster(asio::io_context& io, const config::configuration& cfg,
                         broadcast::subscriber_store& subscribers, broadcast::campaign_store& campaigns,
                         redis::connection& connection, std::function<void(std::string_view)> info,
                         std::function<void(std::string_view)> warn, broadcast::audit_store* audit)
    : impl_(std::make_unique<impl>(io, cfg, subscribers, campaigns, connection, std::move(info), std::move(warn),
                                   audit)) {}

broadcaster::~broadcaster() = default;

void broadcaster::use_receipt_connection(redis::connection& connection) {
  impl_->matcher.use_engine_store(connection);
}

void broadcaster::start() {
  auto& p = *impl_;
  for (auto& [name, pool] : p.pools) pool->start();
  p.matcher_running = true;
  asio::co_spawn(p.io, p.matcher.run(), [&p](std::exception_ptr) { p.matcher_running = false; });
  asio::co_spawn(
      p.io,
      [&p]() -> asio::awaitable<void> {
        co_await p.learn_ported();
        co_await p.schedule();
      },
      asio::detached);
  asio::co_spawn(p.io, p.expire_overdue(), asio::detached);
}

void broadcaster::stop(std::function<void()> done) {
  auto& p = *impl_;
  p.stopping = true;
  p.poke();
  p.sweep_timer.cancel();
  asio::co_spawn(p.io, p.shut_down(std::move(done)), asio::detached);
}

void broadcaster::poke() {
  impl_->poke();
}

void broadcaster::cancelled(const std::string& id) {
  if (auto it = impl_->drivers.find(id); it != impl_->drivers.end()) it->second->cancel();
}

std::optional<std::vector<lane_report>> broadcaster::lanes(const std::string& id) const {
  const auto it = impl_->drivers.find(id);
  if (it == impl_->drivers.end()) return std::nullopt;
  return it->second->lanes();
}

std::vector<carrier_health> broadcaster::health() const {
  std::vector<carrier_health> out;
  for (const auto& [name, pool] : impl_->pools) {
    const auto down = pool->down_since();
    out.push_back({name, pool->binds_up(), pool->binds_total(),
                   down ? std::chrono::duration_cast<std::chrono::seconds>(down->time_since_epoch()).count() : 0});
  }
  return out;
}

void broadcaster::attach_metrics(metrics::registry& registry) {
  auto& p = *impl_;
  std::vector<std::string> names;
  for (auto& [name, pool] : p.pools) {
    pool->attach_metrics(registry);
    names.push_back(name);
  }
  p.matcher.attach_metrics(registry, names);
  p.replies.attach_metrics(registry, names);
  registry.gauge_fn("loa_campaigns_running",
                    "Campaign drivers on this gateway (one per running campaign it works on)", {},
                    [&p] { return static_cast<double>(p.drivers.size()); });
}

std::string broadcaster::carrier_for(std::string_view number) const {
  return std::string(impl_->router.carrier_for(number));
}

}  // namespace loa::gateway
