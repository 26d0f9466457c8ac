// The carrier's messages-per-second limit, shared by all binds of that carrier (they all draw from one
// bucket). After ESME_RTHROTTLED the carrier is telling us our idea of its limit is wrong: pause briefly,
// then run at a reduced rate that climbs back while no further throttling arrives. Plain class: the caller
// passes "now".
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

namespace loa::smpp {

/// The carrier's limit and how hard to back off when it throttles anyway.
struct rate_settings {
  // PDUs per second for the whole carrier; 0 means no limit.
  double tps = 0;
  // Bucket size in PDUs; 0 means a tenth of a second's worth (at least 1).
  double burst = 0;
  // Nothing is sent for this long after a throttle (Kannel pauses 1 s).
  std::chrono::milliseconds pause{1'000};
  // Each throttle multiplies the rate by this ...
  double slow_factor = 0.5;
  // ... but never below this fraction of tps.
  double min_factor = 1.0 / 16;
  // Every quiet period this long doubles the rate back towards tps ...
  std::chrono::milliseconds recovery{5'000};
  // ... or, when above 0, adds this fraction of tps (a slow climb that stays close to a real limit).
  double additive_step = 0;
  // When above 0, a throttle sets the rate to this fraction of what the carrier accepted in the last second
  // (its real limit, when we were sending above it) instead of multiplying it by slow_factor.
  double settle_margin = 0;
  // Throttles this soon after one that cut the rate cut it no further (answers to submits sent at the old
  // rate); 0 means `pause`.
  std::chrono::milliseconds holdoff{0};
};

/// A token bucket with a temporary slow-down; one per carrier, used from the carrier's io_context thread
/// only.
class rate_limiter {
 public:
  /// The clock of the bucket (the session's clock).
  using clock = std::chrono::steady_clock;

  /// A full bucket at `now`.
  explicit rate_limiter(rate_settings settings, clock::time_point now = clock::now());

  /// Takes one token and returns zero, or takes nothing and returns how long to wait before asking again.
  clock::duration acquire(clock::time_point now);
  /// The carrier answered ESME_RTHROTTLED: pause, empty the bucket and lower the rate (once per pause: the
  /// other answers to a window sent at the old rate arrive during the pause and change nothing).
  void on_throttled(clock::time_point now);
  /// The carrier accepted a submit (feeds the estimate of its real limit).
  void on_accepted(clock::time_point now);
  /// Submits accepted per second, over about the last second.
  double accepted_rate(clock::time_point now);
  /// The rate in force at `now` (tps times the current slow-down factor); 0 when unlimited.
  double current_tps(clock::time_point now);
  /// True when tps is 0: acquire() always grants.
  bool unlimited() const { return settings_.tps <= 0; }
  /// The settings after clamping.
  const rate_settings& settings() const { return settings_; }

 private:
  void refill(clock::time_point now);

  rate_settings settings_;
  double tokens_;
  double factor_ = 1.0;
  clock::time_point last_refill_;
  clock::time_point paused_until_{};
  clock::time_point recover_at_{};
  clock::time_point holdoff_until_{};
  // Accepted submits per tenth of a second over the last second (a ring), the newest at accepted_at_.
  std::array<std::uint32_t, 10> accepted_{};
  std::int64_t accepted_slot_ = 0;  // tenths of a second since the clock's epoch, of the newest slot
  void advance_accepted(clock::time_point now);
};

}  // namespace loa::smpp
