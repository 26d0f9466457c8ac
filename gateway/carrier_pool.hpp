// One carrier's binds: `sessions` transmitting binds (and, when the carrier binds as transmitter, a receiver
// beside each for its receipts), their shared rate limit, and one queue in front of them. Submits go to the
// bound bind with the most room, never to a receiver; while no bind is up they wait in the queue, so a bind
// that drops does not strand messages behind its back-off while another bind is up.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "gateway/common/log_throttle.hpp"
#include "gateway/smpp/bind_driver.hpp"
#include "gateway/smpp/deliver.hpp"
#include "gateway/smpp/rate_limiter.hpp"
#include "gateway/smpp/receipt.hpp"

namespace loa::gateway {

namespace metrics {
class registry;
}

/// What a carrier pool reports to its owner (all optional; on the io_context thread).
struct carrier_events {
  // A receipt; call `ack` once it is kept (the SMSC delivers it again if the gateway dies before).
  std::function<void(std::string_view carrier, const smpp::receipt&, smpp::deliver_ack ack)> on_receipt;
  // A citizen's message; call `ack` once it is kept. It answers the deliver_sm that completed the message
  // (the earlier parts of a long one were answered when they came); it does nothing for a message handed
  // over incomplete when its parts stopped coming.
  std::function<void(std::string_view carrier, const smpp::mo_message&, smpp::deliver_ack ack)> on_mo;
  std::function<void(std::string_view carrier)> on_capacity;  ///< room freed, or a bind came up or went down
  std::function<void(std::string_view line)> on_info;
  std::function<void(std::string_view line)> on_warn;
};

class carrier_pool {
 public:
  using submit_callback = std::function<void(const smpp::submit_outcome&)>;

  /// Long citizens' messages are joined within `reassembly` (configuration mo:).
  carrier_pool(boost::asio::io_context& io, const config::carrier_config& carrier, carrier_events events,
               smpp::reassembly_limits reassembly = {});
  ~carrier_pool();
  carrier_pool(const carrier_pool&) = delete;
  carrier_pool& operator=(const carrier_pool&) = delete;

  /// Opens every bind; they keep themselves up from then on.
  void start();
  /// Unbinds every bind gracefully; `done` runs when all are closed.
  void stop(std::function<void()> done);

  /// Sends one submit_sm body; `done` hears its outcome exactly once.
  void submit(smpp::short_message body, submit_callback done);

  const std::string& name() const noexcept { return carrier_.name; }
  const config::carrier_config& config() const noexcept { return carrier_; }
  /// Submits that would go out now: free window slots of the bound transmitting binds, less the queue.
  std::size_t free_capacity() const;
  /// Transmitting binds bound now.
  std::size_t binds_up() const;
  /// Since when no transmitting bind is up (the last went down, or the pool started and none came up yet);
  /// nullopt while one is up. What `loa status` names when a campaign waits for this carrier.
  std::optional<std::chrono::system_clock::time_point> down_since() const;
  /// Transmitting binds configured.
  std::size_t binds_total() const noexcept { return transmitters_.size(); }
  /// Submits handed to the binds and not yet answered (sent, or waiting in a bind for the rate limit).
  std::size_t outstanding() const;
  /// Submits waiting in the pool's queue.
  std::size_t queued() const noexcept { return queue_.size(); }
  /// Submits sent by the transmitting binds and not yet answered (their window use).
  std::size_t in_window() const;

  /// Counts submit outcomes into `registry` from now on (loa_submits_total) and registers this carrier's
  /// gauges read at scrape time (window use and size, binds, queue, rate, long replies being joined). The
  /// registry must outlive the pool, and must not be rendered after the pool is gone.
  void attach_metrics(metrics::registry& registry);

 private:
  struct waiting {
    smpp::short_message body;
    submit_callback done;
  };
  struct submit_meter;
  struct reassembly_meter;
  void dispatch();
  void sorted();  // after the sorter took a deliver_sm or expired replies: counters, log, expiry timer
  void arm_expiry();
  smpp::bind_callbacks callbacks_for(std::string label);

  boost::asio::io_context& io_;
  config::carrier_config carrier_;
  carrier_events events_;
  smpp::rate_limiter limiter_;
  smpp::deliver_sorter sorter_;
  std::vector<std::unique_ptr<smpp::bind_driver>> transmitters_;
  std::vector<std::unique_ptr<smpp::bind_driver>> receivers_;
  std::deque<waiting> queue_;
  bool dispatching_ = false;
  std::optional<smpp::deliver_ack> unanswered_;  // the deliver_sm the sorter is looking at
  std::shared_ptr<const submit_meter> meter_;    // null until attach_metrics
  boost::asio::steady_timer expiry_;             // hands over long replies whose parts stopped coming
  std::optional<smpp::mo_reassembler::clock::time_point> expiry_armed_;
  std::unique_ptr<reassembly_meter> reassembly_meter_;  // null until attach_metrics
  std::uint64_t dropped_logged_ = 0;                    // reassembler().dropped() already warned about
  log_throttle drop_log_;
  std::chrono::system_clock::time_point down_since_ = std::chrono::system_clock::now();
  bool was_up_ = false;  // some transmitting bind was up at the last bind event
};

}  // namespace loa::gateway
