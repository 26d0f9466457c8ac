// The pace of submits to one carrier, shared by all binds of that carrier. Two promises:
//  - no one-second window, whatever its phase, sees more submits from us than the rate in force (so a carrier
//    that counts in fixed one-second windows never throttles when `tps` is right), and
//  - submits are spaced evenly: at most a tenth of a second's share goes out back to back.
// A throttle anyway means the carrier allows less than we think: what it accepted (or has not answered yet) in
// the second before the throttled submit is its real rate, its level. Settle just under that at once. While
// quiet, climb back by small steps up to the level; above it probe only once the level is probe_rest old (a
// carrier's limit changes rarely, and each throttle costs the campaign a pause). A throttle at a probe level
// steps back to the last rate that was clean: no cut, no pause. Plain class: the caller passes "now".
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>

namespace loa::smpp {

/// The carrier's configured limit and how to learn a lower real one.
struct rate_settings {
  // PDUs per second for the whole carrier; 0 means no limit.
  double tps = 0;
  // PDUs that may go back to back; 0 means a tenth of a second's worth (at least 1).
  double burst = 0;
  // The sliding window we keep is one second plus this (jitter between our clock and the carrier's).
  std::chrono::milliseconds guard{10};
  // After a throttle the rate becomes this share of what the carrier accepted in the second before it.
  double settle_margin = 0.99;
  // The rate never goes below this share of tps.
  double min_factor = 1.0 / 16;
  // Quiet this long (no throttle) after a cut or a probe step, the rate grows by probe_step ...
  std::chrono::milliseconds probe_after{5'000};
  // ... (a share of the rate in force), up to tps, and up to the learned level ...
  double probe_step = 0.02;
  // ... above which it goes only this long after the level was learned or confirmed (a carrier whose limit is
  // lower than configured does not change it every minute).
  std::chrono::milliseconds probe_rest{std::chrono::minutes{10}};
};

/// One per carrier, used from the carrier's io_context thread only.
class rate_limiter {
 public:
  /// The clock of the pacer (the session's clock).
  using clock = std::chrono::steady_clock;

  /// Pacing at tps from `now`, with a tenth of a second's worth ready.
  explicit rate_limiter(rate_settings settings, clock::time_point now = clock::now());

  /// Grants one submit (returns zero: the caller sends it now) or returns how long to wait before asking
  /// again.
  clock::duration acquire(clock::time_point now);
  /// The carrier accepted a submit sent at `sent_at` (what it accepted per second is its real rate).
  void on_accepted(clock::time_point sent_at);
  /// The carrier throttled a submit sent at `sent_at`: at a probe level, step back to the last clean rate;
  /// else settle just under what it accepted in the second before (answers to submits sent before the last
  /// cut change nothing: they were sent at the old rate).
  void on_throttled(clock::time_point sent_at, clock::time_point now);
  /// Submits sent in (t - 1 s, t) that the carrier accepted or has not answered yet (not throttled).
  std::size_t accepted_in_second_before(clock::time_point t) const;
  /// The rate in force at `now`; 0 when unlimited.
  double current_tps(clock::time_point now);
  /// The carrier's rate learned at the last throttle; 0 before any.
  double learned_tps() const noexcept { return level_; }
  /// False while probing above the learned level rests (probe_rest after learning or confirming it).
  bool probing(clock::time_point now) const noexcept { return level_ <= 0 || now >= learned_at_ + settings_.probe_rest; }
  /// True when tps is 0: acquire() always grants.
  bool unlimited() const noexcept { return settings_.tps <= 0; }
  /// The settings after clamping.
  const rate_settings& settings() const noexcept { return settings_; }

 private:
  void probe(clock::time_point now);
  std::size_t capacity() const noexcept;             // submits allowed in the sliding window
  clock::duration spacing() const noexcept;          // between two submits
  clock::duration burst_tolerance() const noexcept;  // how far ahead of spacing a submit may go
  double floor_rate() const noexcept { return settings_.tps * settings_.min_factor; }

  rate_settings settings_;
  clock::duration window_;                  // one second plus the guard
  double rate_;                             // in force
  clock::time_point next_;                  // even spacing: the theoretical time of the next submit
  std::deque<clock::time_point> sent_;      // our submits within the last window_, oldest first
  std::deque<clock::time_point> granted_;    // send times of our submits, about the last three seconds
  std::deque<clock::time_point> throttled_;  // send times of throttled submits, about the last three seconds
  clock::time_point cut_at_{};               // when the rate was last cut (clock's epoch: never)
  clock::time_point quiet_since_;            // the last cut or probe step
  double clean_rate_ = 0;                    // the rate before the last probe step (it was clean)
  bool at_probe_ = false;                    // rate_ is a probe step above clean_rate_, since probe_at_
  clock::time_point probe_at_{};
  double level_ = 0;                         // what the carrier accepted in the second before the last throttle
  clock::time_point learned_at_{};           // when level_ was learned or last confirmed
};

}  // namespace loa::smpp
