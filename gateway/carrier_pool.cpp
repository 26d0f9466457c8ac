#include "gateway/carrier_pool.hpp"

#include <fmt/format.h>

#include "gateway/carrier_link.hpp"
#include "gateway/metrics.hpp"

namespace loa::gateway {

// Sorts each submit's outcome into loa_submits_total's results. Shared with the completion handlers, which
// may run while the pool's binds are being destroyed.
struct carrier_pool::submit_meter {
  smpp::status_policy statuses;
  metrics::counter* accepted = nullptr;
  metrics::counter* rejected = nullptr;   // the carrier answered with a command_status other than throttling
  metrics::counter* throttled = nullptr;  // ESME_RTHROTTLED, or a status the carrier's table calls slow_down
  metrics::counter* error = nullptr;      // no answer (timeout, bind lost), generic_nack, or not encodable

  void count(const smpp::submit_outcome& o) const {
    if (o.kind == smpp::outcome_kind::accepted) {
      accepted->inc();
    } else if (o.command_status != 0) {
      const bool slow_down =
          smpp::classify(statuses, o.command_status) == smpp::status_action::retry_slow_down;
      (slow_down ? throttled : rejected)->inc();
    } else if (o.kind == smpp::outcome_kind::retry_later && o.error == smpp::error::not_bound) {
      // never sent (the pool or the bind stopped with it queued): not a submit
    } else {
      error->inc();
    }
  }
};

// The reassembly's counters in /metrics, brought up to date after each deliver_sm (the reassembler counts).
struct carrier_pool::reassembly_meter {
  metrics::counter* dropped = nullptr;
  metrics::counter* expired = nullptr;
  std::uint64_t dropped_seen = 0, expired_seen = 0;

  void update(const smpp::mo_reassembler& r) {
    dropped->inc(r.dropped() - dropped_seen);
    expired->inc(r.expired() - expired_seen);
    dropped_seen = r.dropped();
    expired_seen = r.expired();
  }
};

carrier_pool::carrier_pool(boost::asio::io_context& io, const config::carrier_config& carrier,
                           carrier_events events, smpp::reassembly_limits reassembly)
    : io_(io),
      carrier_(carrier),
      events_(std::move(events)),
      limiter_(rate_settings_for(carrier)),
      sorter_(
          [this](smpp::receipt r) {
            if (events_.on_receipt && unanswered_) {
              events_.on_receipt(carrier_.name, r, std::move(*unanswered_));
              unanswered_.reset();
            }
          },
          [this](smpp::mo_message m) {
            // unanswered_ is the deliver_sm that completed it; empty for one handed over by expire().
            smpp::deliver_ack ack;
            if (unanswered_) ack = std::move(*unanswered_);
            unanswered_.reset();
            if (events_.on_mo)
              events_.on_mo(carrier_.name, m, std::move(ack));
            else
              ack();
          },
          [this](std::string_view problem) {
            if (events_.on_warn) events_.on_warn(fmt::format("{}: {}", carrier_.name, problem));
          },
          reassembly),
      expiry_(io) {
  const auto settings = bind_settings_for(carrier_);
  if (carrier_.bind == config::bind_mode::receiver) {
    // Receipts and replies only: nothing is ever submitted here.
    for (int i = 0; i < carrier_.sessions; ++i)
      receivers_.push_back(std::make_unique<smpp::bind_driver>(io_, settings, limiter_,
                                                               callbacks_for(fmt::format("rx{}", i + 1))));
    return;
  }
  for (int i = 0; i < carrier_.sessions; ++i) {
    transmitters_.push_back(std::make_unique<smpp::bind_driver>(io_, settings, limiter_,
                                                                callbacks_for(fmt::format("#{}", i + 1))));
    if (carrier_.bind == config::bind_mode::transmitter) {
      // A transmitter gets no deliver_sm: its receipts come over a receiver bind of their own.
      auto receiver = settings;
      receiver.session.mode = smpp::bind_mode::receiver;
      receivers_.push_back(std::make_unique<smpp::bind_driver>(io_, receiver, limiter_,
                                                               callbacks_for(fmt::format("rx{}", i + 1))));
    }
  }
}

carrier_pool::~carrier_pool() = default;

smpp::bind_callbacks carrier_pool::callbacks_for(std::string label) {
  smpp::bind_callbacks cb;
  cb.on_bound = [this, label](const std::string& smsc) {
    was_up_ = was_up_ || binds_up() > 0;
    if (events_.on_info)
      events_.on_info(fmt::format("{} bind {}: bound{}{}", carrier_.name, label, smsc.empty() ? "" : " to ", smsc));
    dispatch();
  };
  cb.on_unbound = [this, label](std::error_code why) {
    if (was_up_ && binds_up() == 0) {  // the last one went down: the carrier is down from now
      was_up_ = false;
      down_since_ = std::chrono::system_clock::now();
    }
    if (events_.on_warn) events_.on_warn(fmt::format("{} bind {}: down ({})", carrier_.name, label, why.message()));
    if (events_.on_capacity) events_.on_capacity(carrier_.name);  // fewer binds: the campaigns hear it
  };
  cb.on_bind_refused = [this, label](std::error_code why, bool slow) {
    if (events_.on_warn)
      events_.on_warn(fmt::format("{} bind {}: refused ({}){}", carrier_.name, label, why.message(),
                                  slow ? ": check system_id and password; retrying slowly" : ""));
  };
  // Receipts are answered once the matcher has written them, replies once the reply handler has; parts of a
  // long reply still missing others, and junk, at once (holding them would stall the carrier's window).
  cb.on_deliver_unanswered = [this](const smpp::pdu& p, smpp::deliver_ack ack) {
    unanswered_ = std::move(ack);
    sorter_(p);
    if (unanswered_) (*unanswered_)();
    unanswered_.reset();
    sorted();
  };
  cb.on_slots_free = [this](std::size_t) { dispatch(); };
  cb.on_log = [this, label](std::error_code ec, std::string_view detail) {
    if (events_.on_warn) events_.on_warn(fmt::format("{} bind {}: {}: {}", carrier_.name, label, ec.message(), detail));
  };
  return cb;
}

void carrier_pool::sorted() {
  const auto& r = sorter_.reassembler();
  if (reassembly_meter_) reassembly_meter_->update(r);
  if (r.dropped() != dropped_logged_) {
    const auto dropped = r.dropped() - dropped_logged_;
    dropped_logged_ = r.dropped();
    std::uint64_t held_back = 0;
    if (events_.on_warn && drop_log_.allow(log_throttle::clock::now(), held_back))
      events_.on_warn(
          fmt::format("{}: {} incomplete long replies dropped unread: more were waiting for their parts "
                      "than mo.reassembly_max_messages / reassembly_max_bytes allow ({} held, {} "
                      "octets){}",
                      carrier_.name, dropped, r.pending(), r.pending_bytes(),
                      held_back ? fmt::format("; {} such warnings held back", held_back) : ""));
  }
  arm_expiry();
}

void carrier_pool::arm_expiry() {
  const auto due = sorter_.reassembler().next_expiry();
  if (!due || (expiry_armed_ && *expiry_armed_ <= *due)) return;  // the timer fires earlier, and re-arms
  expiry_armed_ = due;
  expiry_.expires_at(*due);
  expiry_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // cancelled: re-armed, or the pool stops (and may be gone)
    expiry_armed_.reset();
    sorter_.expire(smpp::mo_reassembler::clock::now());
    sorted();
  });
}

void carrier_pool::start() {
  if (transmitters_.empty() && events_.on_warn)
    events_.on_warn(fmt::format("{}: bound as receiver only: no notice can be sent through it", carrier_.name));
  for (auto& b : transmitters_) b->start();
  for (auto& b : receivers_) b->start();
}

void carrier_pool::stop(std::function<void()> done) {
  expiry_.cancel();
  // Whatever still waits in the queue was never sent: its owner may send it again later.
  auto left = std::move(queue_);
  queue_.clear();
  for (auto& w : left) {
    smpp::submit_outcome o;
    o.kind = smpp::outcome_kind::retry_later;
    o.error = smpp::error::not_bound;
    w.done(o);
  }
  auto remaining = std::make_shared<std::size_t>(transmitters_.size() + receivers_.size());
  if (*remaining == 0) {
    done();
    return;
  }
  auto one_closed = [remaining, done = std::move(done)] {
    if (--*remaining == 0) done();
  };
  for (auto& b : transmitters_) b->async_stop(one_closed);
  for (auto& b : receivers_) b->async_stop(one_closed);
}

void carrier_pool::submit(smpp::short_message body, submit_callback done) {
  queue_.push_back({std::move(body), std::move(done)});
  dispatch();
}

void carrier_pool::dispatch() {
  if (dispatching_) return;  // an outcome delivered inline may submit again: finish this pass first
  dispatching_ = true;
  while (!queue_.empty()) {
    smpp::bind_driver* best = nullptr;
    std::size_t room = 0;
    for (auto& b : transmitters_) {
      if (b->state() != smpp::session_state::bound) continue;
      const auto free = b->free_capacity();
      if (free > room) {
        room = free;
        best = b.get();
      }
    }
    if (!best) break;
    auto w = std::move(queue_.front());
    queue_.pop_front();
    best->async_submit(std::move(w.body), [meter = meter_, done = std::move(w.done)](smpp::submit_outcome o) {
      if (meter) meter->count(o);
      done(o);
    });
  }
  dispatching_ = false;
  if (events_.on_capacity && free_capacity() > 0) events_.on_capacity(carrier_.name);
}

std::size_t carrier_pool::free_capacity() const {
  std::size_t free = 0;
  for (const auto& b : transmitters_)
    if (b->state() == smpp::session_state::bound) free += b->free_capacity();
  return free > queue_.size() ? free - queue_.size() : 0;
}

std::optional<std::chrono::system_clock::time_point> carrier_pool::down_since() const {
  if (binds_up() > 0) return std::nullopt;
  return down_since_;
}

std::size_t carrier_pool::binds_up() const {
  std::size_t n = 0;
  for (const auto& b : transmitters_)
    if (b->state() == smpp::session_state::bound) ++n;
  return n;
}

std::size_t carrier_pool::in_window() const {
  std::size_t n = 0;
  for (const auto& b : transmitters_) n += b->outstanding();
  return n;
}

void carrier_pool::attach_metrics(metrics::registry& registry) {
  const metrics::labels carrier{{"carrier", carrier_.name}};
  auto result = [&](const char* word) -> metrics::counter& {
    return registry.get_counter("loa_submits_total",
                                "submit_sm answered (or given up on) per carrier: accepted; rejected (a "
                                "command_status other than throttling); throttled (ESME_RTHROTTLED or "
                                "another slow_down status); error (no answer in time, bind lost, "
                                "generic_nack)",
                                {{"carrier", carrier_.name}, {"result", word}});
  };
  auto meter = std::make_shared<submit_meter>();
  meter->statuses = bind_settings_for(carrier_).session.statuses;
  meter->accepted = &result("accepted");
  meter->rejected = &result("rejected");
  meter->throttled = &result("throttled");
  meter->error = &result("error");
  meter_ = std::move(meter);

  auto reassembly = std::make_unique<reassembly_meter>();
  reassembly->dropped = &registry.get_counter(
      "loa_mo_reassembly_dropped_total",
      "Long citizens' replies dropped unread while waiting for their parts: more were waiting than "
      "mo.reassembly_max_messages or mo.reassembly_max_bytes allow (the oldest give way)",
      carrier);
  reassembly->expired = &registry.get_counter(
      "loa_mo_reassembly_expired_total",
      "Long citizens' replies whose parts stopped coming: read as they were after mo.reassembly_timeout",
      carrier);
  reassembly->update(sorter_.reassembler());
  reassembly_meter_ = std::move(reassembly);
  registry.gauge_fn("loa_mo_reassembly_pending", "Long citizens' replies waiting for their parts", carrier,
                    [this] { return static_cast<double>(sorter_.reassembler().pending()); });
  registry.gauge_fn("loa_mo_reassembly_bytes", "Octets of the parts of long replies waiting for the rest",
                    carrier, [this] { return static_cast<double>(sorter_.reassembler().pending_bytes()); });

  const auto window = static_cast<double>(bind_settings_for(carrier_).session.window);
  registry.gauge_fn("loa_window_in_use",
                    "submit_sm sent and not yet answered, summed over the carrier's binds", carrier,
                    [this] { return static_cast<double>(in_window()); });
  registry.gauge_fn("loa_window_size",
                    "Window of the carrier's transmitting binds together (sessions x window)", carrier,
                    [this, window] { return window * static_cast<double>(transmitters_.size()); });
  registry.gauge_fn("loa_binds_up", "Transmitting binds bound now (as in /healthz)", carrier,
                    [this] { return static_cast<double>(binds_up()); });
  registry.gauge_fn("loa_binds", "Transmitting binds configured (as in /healthz)", carrier,
                    [this] { return static_cast<double>(binds_total()); });
  registry.gauge_fn("loa_receiver_binds_up",
                    "Receiver binds bound now (bind: transmitter or receiver: the carrier's receipts and "
                    "replies come over them)",
                    carrier, [this] {
                      std::size_t n = 0;
                      for (const auto& b : receivers_)
                        if (b->state() == smpp::session_state::bound) ++n;
                      return static_cast<double>(n);
                    });
  registry.gauge_fn("loa_submits_waiting",
                    "Submits waiting for a window slot, the rate limit or a bind (in the pool and in the "
                    "binds)",
                    carrier, [this] {
                      std::size_t n = queue_.size();
                      for (const auto& b : transmitters_) n += b->queued();
                      return static_cast<double>(n);
                    });
  registry.gauge_fn("loa_rate_limit_tps",
                    "Messages per second allowed to the carrier now: its tps, lowered for a while after it "
                    "throttles; 0 means no limit",
                    carrier, [this] { return limiter_.current_tps(smpp::rate_limiter::clock::now()); });
}

std::size_t carrier_pool::outstanding() const {
  std::size_t n = 0;
  for (const auto& b : transmitters_) n += b->outstanding() + b->queued();
  return n;
}

}  // namespace loa::gateway
