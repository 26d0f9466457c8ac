// How many submits the simulator takes per second, as real SMSCs count them: in fixed one-second windows
// (the count starts afresh at every whole second since the limit began; what is above the limit within one
// window is throttled), or, with --tps-window bucket, a token bucket holding one second's worth (a smoother
// model a few SMSCs use). Pure: the caller passes "now".
#pragma once

#include <chrono>
#include <cstdint>

namespace loa::sim {

/// How a limit is counted (--tps-window).
enum class tps_window { fixed, bucket };

/// One limit: the server's (--tps) or one bind's (--tps-per-bind).
class submit_limit {
 public:
  /// The clock of the limit.
  using clock = std::chrono::steady_clock;

  /// `tps` submits per second (0: no limit), counted as `kind` says; fixed windows begin at `start`.
  submit_limit(double tps, tps_window kind, clock::time_point start);

  /// True when one more submit fits at `now` (nothing is spent: take() does that).
  bool has_room(clock::time_point now);
  /// Spends one submit (after has_room said yes at the same `now`).
  void take();
  /// No limit at all.
  bool unlimited() const noexcept { return tps_ <= 0; }

 private:
  double tps_;
  tps_window kind_;
  clock::time_point start_;
  std::int64_t window_ = 0;  // fixed: the index of the current window since start_
  std::uint64_t taken_ = 0;  // fixed: submits taken in it
  double tokens_;            // bucket: full at start
  clock::time_point refilled_;
};

}  // namespace loa::sim
