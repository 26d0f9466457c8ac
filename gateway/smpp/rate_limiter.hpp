// The carrier's messages-per-second limit, shared by all binds of that carrier (they all draw from one
// bucket). After ESME_RTHROTTLED the carrier is telling us our idea of its limit is wrong: pause briefly,
// then run at a reduced rate that climbs back while no further throttling arrives. Plain class: the caller
// passes "now".
#pragma once

#include <chrono>

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
  // Every quiet period this long doubles the rate back towards tps.
  std::chrono::milliseconds recovery{5'000};
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
};

}  // namespace loa::smpp
