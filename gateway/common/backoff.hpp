// Reconnect delays: capped exponential back-off with jitter, for carrier binds and for Redis alike (go-smpp
// multiplies by e up to 120 s). Jitter keeps the binds of one carrier, and the gateways sharing a carrier or a
// Redis, from reconnecting in lock-step after an outage.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace loa {

/// How the delay grows. Defaults are DOMAIN.md's for carrier binds: start near 10 s, double, at most 120 s.
struct backoff_settings {
  std::chrono::milliseconds initial{10'000};  // first delay after a drop
  double factor = 2.0;                        // growth per failed attempt (2, or e = 2.71828 as go-smpp)
  std::chrono::milliseconds cap{120'000};     // no delay is longer than this, jitter included
  double jitter = 0.2;  // each delay is scaled by a uniform draw from [1 - jitter, 1 + jitter]
};

/// The delay before each reconnect attempt; reset() once a bind succeeds.
class backoff {
 public:
  /// `seed` makes the jitter reproducible in tests; the driver seeds from std::random_device.
  explicit backoff(backoff_settings settings, std::uint64_t seed = 0);

  /// The delay before the next attempt; each call counts one more failed attempt.
  std::chrono::milliseconds next();
  /// The longest delay (the cap), for failures that will not fix themselves soon (a refused bind).
  std::chrono::milliseconds slowest() const { return settings_.cap; }
  /// Back to the initial delay (after a successful bind).
  void reset() { attempts_ = 0; }
  /// Failed attempts since the last reset.
  unsigned attempts() const { return attempts_; }
  /// The settings, after clamping (factor at least 1, jitter in [0, 1], initial at most cap).
  const backoff_settings& settings() const { return settings_; }

 private:
  backoff_settings settings_;
  unsigned attempts_ = 0;
  std::mt19937_64 random_;
};

}  // namespace loa
