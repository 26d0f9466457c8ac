#include "gateway/reply_handler.hpp"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>

#include "gateway/broadcast/numbers.hpp"
#include "gateway/carrier_link.hpp"
#include "gateway/metrics.hpp"
#include "segments/printable.hpp"

namespace loa::gateway {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr int store_attempts = 5;

std::string now_seconds() {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

// loa_mo_total's kind label.
std::string_view kind_word(broadcast::reply_kind kind) {
  switch (kind) {
    case broadcast::reply_kind::opt_out:
      return "opt_out";
    case broadcast::reply_kind::opt_in:
      return "opt_in";
    case broadcast::reply_kind::help:
      return "help";
    case broadcast::reply_kind::other:
      return "other";
  }
  return "other";
}

}  // namespace

reply_handler::reply_handler(asio::io_context& io, const config::configuration& cfg,
                             broadcast::subscriber_store& store,
                             std::map<std::string, std::unique_ptr<carrier_pool>, std::less<>>& carriers,
                             std::function<void(std::string_view)> info, std::function<void(std::string_view)> warn)
    : io_(io),
      cfg_(cfg),
      store_(store),
      carriers_(carriers),
      keywords_{cfg.mo.opt_out, cfg.mo.opt_in, cfg.mo.help},
      info_(std::move(info)),
      warn_(std::move(warn)) {}

void reply_handler::attach_metrics(metrics::registry& registry, const std::vector<std::string>& carriers) {
  metrics_ = &registry;
  for (const auto& c : carriers)
    for (const auto* kind : {"opt_out", "opt_in", "help", "other", "bad_number"}) counter_for(c, kind);
}

metrics::counter* reply_handler::counter_for(std::string_view carrier, std::string_view kind) {
  if (!metrics_) return nullptr;
  return &metrics_->get_counter(
      "loa_mo_total",
      "Citizens' replies (MO) per carrier, by kind: opt_out (HUY, TU CHOI), opt_in (DK), help (HD), other "
      "(kept for the ward), bad_number (the sender is no phone number: ignored)",
      {{"carrier", std::string(carrier)}, {"kind", std::string(kind)}});
}

void reply_handler::on_reply(std::string_view carrier, const smpp::mo_message& m, smpp::deliver_ack ack) {
  asio::co_spawn(io_, handle(std::string(carrier), m, std::move(ack)), asio::detached);
}

asio::awaitable<void> reply_handler::handle(std::string carrier, smpp::mo_message m, smpp::deliver_ack ack) {
  const auto number = broadcast::normalise_number(m.from);
  if (!number) {
    if (auto* c = counter_for(carrier, "bad_number")) c->inc();
    warn_(fmt::format("{}: reply from '{}' ignored: {}", carrier, segments::printable(m.from),
                      broadcast::describe(number.problem)));
    ack();  // nothing to keep: the SMSC need not deliver it again
    co_return;
  }
  const auto kind = broadcast::classify_reply(m.text, keywords_);
  if (auto* c = counter_for(carrier, kind_word(kind))) c->inc();
  // Named, not built inside the co_await expressions: g++ 12 destroys such temporaries too early.
  const std::string source = "sms:" + carrier;
  const broadcast::stored_reply reply{now_seconds(), number.number, carrier, m.text};
  asio::steady_timer pause(io_);
  for (int attempt = 1; attempt <= store_attempts; ++attempt) {
    std::error_code ec;
    std::vector<std::string> wards;
    switch (kind) {
      case broadcast::reply_kind::opt_out:
      case broadcast::reply_kind::opt_in:
        ec = co_await store_.set_opt_out(number.number, kind == broadcast::reply_kind::opt_out, source);
        break;
      case broadcast::reply_kind::help:
        break;
      case broadcast::reply_kind::other:
        ec = co_await store_.keep_reply(reply, wards);
        break;
    }
    if (!ec) {
      ack();  // stored: the SMSC may forget it now
      const auto incomplete = m.complete ? "" : " (the rest of the message never came)";
      switch (kind) {
        case broadcast::reply_kind::opt_out:
          info_(fmt::format("{}: {} opted out by SMS{}", carrier, number.number, incomplete));
          confirm(carrier, number.number, broadcast::confirmation_text(kind, keywords_));
          break;
        case broadcast::reply_kind::opt_in:
          info_(fmt::format("{}: {} opted in again by SMS{}", carrier, number.number, incomplete));
          confirm(carrier, number.number, broadcast::confirmation_text(kind, keywords_));
          break;
        case broadcast::reply_kind::help:
          confirm(carrier, number.number, broadcast::confirmation_text(kind, keywords_));
          break;
        case broadcast::reply_kind::other:
          info_(fmt::format("{}: reply from {} kept for {} ward(s)", carrier, number.number, wards.size()));
          break;
      }
      co_return;
    }
    warn_(fmt::format("{}: reply from {} not stored yet ({}); attempt {} of {}", carrier, number.number,
                      ec.message(), attempt, store_attempts));
    pause.expires_after(1s * attempt);
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  // Not answered: the SMSC delivers it again (on this bind's next life at the latest).
  warn_(fmt::format("{}: reply from {} not stored: Redis did not answer; the carrier will deliver it again",
                    carrier, number.number));
}

void reply_handler::confirm(const std::string& carrier, const std::string& number, std::string_view text) {
  auto it = carriers_.find(carrier);
  if (it == carriers_.end()) return;
  const auto& c = it->second->config();
  segments::message message;
  if (!split_notice(text, c, cfg_.limits, segments::accents::strip, 0, message)) return;
  const std::string sender = c.sender.value_or(cfg_.sender);
  submit_context context{sender, number, false, cfg_.limits.validity};
  for (auto& body : submit_bodies(message, c, context))
    it->second->submit(std::move(body), [this, carrier, number](const smpp::submit_outcome& o) {
      if (o.kind != smpp::outcome_kind::accepted)
        warn_(fmt::format("{}: confirmation to {} not sent: {}", carrier, number, o.error.message()));
    });
}

}  // namespace loa::gateway
