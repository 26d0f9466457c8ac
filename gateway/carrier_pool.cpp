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

carrier_pool::carrier_pool(boost::asio::io_context& io, const config::carrier_config& carrier,
                           carrier_events events)
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
            if (events_.on_mo) events_.on_mo(carrier_.name, m);
          },
          [this](std::string_view problem) {
            if (events_.on_warn) events_.on_warn(fmt::format("{}: {}", carrier_.name, problem));
          }) {
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
    if (events_.on_info)
      events_.on_info(fmt::format("{} bind {}: bound{}{}", carrier_.name, label, smsc.empty() ? "" : " to ", smsc));
    dispatch();
  };
  cb.on_unbound = [this, label](std::error_code why) {
    if (events_.on_warn) events_.on_warn(fmt::format("{} bind {}: down ({})", carrier_.name, label, why.message()));
  };
  cb.on_bind_refused = [this, label](std::error_code why, bool slow) {
    if (events_.on_warn)
      events_.on_warn(fmt::format("{} bind {}: refused ({}){}", carrier_.name, label, why.message(),
                                  slow ? ": check system_id and password; retrying slowly" : ""));
  };
  // Receipts are answered once the matcher has written them; anything else (replies, junk) at once.
  cb.on_deliver_unanswered = [this](const smpp::pdu& p, smpp::deliver_ack ack) {
    unanswered_ = std::move(ack);
    sorter_(p);
    if (unanswered_) (*unanswered_)();
    unanswered_.reset();
  };
  cb.on_slots_free = [this](std::size_t) { dispatch(); };
  cb.on_log = [this, label](std::error_code ec, std::string_view detail) {
    if (events_.on_warn) events_.on_warn(fmt::format("{} bind {}: {}: {}", carrier_.name, label, ec.message(), detail));
  };
  return cb;
}

void carrier_pool::start() {
  if (transmitters_.empty() && events_.on_warn)
    events_.on_warn(fmt::format("{}: bound as receiver only: no notice can be sent through it", carrier_.name));
  for (auto& b : transmitters_) b->start();
  for (auto& b : receivers_) b->start();
}

void carrier_pool::stop(std::function<void()> done) {
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
