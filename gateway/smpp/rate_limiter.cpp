#include "gateway/smpp/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace loa::smpp {

namespace {
using seconds_d = std::chrono::duration<double>;
using clock_point = rate_limiter::clock::time_point;

rate_limiter::clock::duration to_duration(double seconds) noexcept {
  return std::chrono::duration_cast<rate_limiter::clock::duration>(seconds_d{seconds});
}

// Keeps `times` ordered (answers come back in about the order sent: insert from the back) and about three
// seconds long: a throttle looks one second back from a submit sent at most a couple of seconds ago.
void remember(std::deque<clock_point>& times, clock_point t) {
  auto it = times.end();
  while (it != times.begin() && *std::prev(it) > t) --it;
  times.insert(it, t);
  while (times.front() < times.back() - std::chrono::seconds{3}) times.pop_front();
}

std::size_t count_in(const std::deque<clock_point>& times, clock_point from,
                     clock_point to) {
  // (from, to)
  const auto first = std::upper_bound(times.begin(), times.end(), from);
  const auto last = std::lower_bound(first, times.end(), to);
  return static_cast<std::size_t>(last - first);
}
}  // namespace

rate_limiter::rate_limiter(rate_settings settings, clock::time_point now)
    : settings_(settings), rate_(0), next_(now), quiet_since_(now) {
  settings_.tps = std::max(settings_.tps, 0.0);
  settings_.guard = std::max(settings_.guard, std::chrono::milliseconds{0});
  settings_.settle_margin = std::clamp(settings_.settle_margin, 0.5, 1.0);
  settings_.min_factor = std::clamp(settings_.min_factor, 0.001, 1.0);
  settings_.probe_after = std::max(settings_.probe_after, std::chrono::milliseconds{1});
  settings_.probe_step = std::clamp(settings_.probe_step, 0.0, 1.0);
  window_ = std::chrono::seconds{1} + settings_.guard;
  rate_ = settings_.tps;
}

rate_limiter::clock::duration rate_limiter::acquire(clock::time_point now) {
  if (unlimited()) return clock::duration::zero();
  probe(now);
  // The sliding window: at most `cap` submits in any window_ (longer than any carrier's second).
  const auto cap = capacity();
  const auto interval = spacing();
  const auto tolerance = burst_tolerance();
  while (!sent_.empty() && sent_.front() <= now - window_) sent_.pop_front();
  if (sent_.size() >= cap) {
    const auto leaves = sent_[sent_.size() - cap] + window_;
    // Time spent held by the window earns no burst: what follows goes one per interval again (else a burst
    // would come back every second, as its predecessors leave the window).
    next_ = std::max(next_, leaves + tolerance);
    // Never report "wait 0" without granting: the caller would spin.
    return std::max(leaves - now, clock::duration{1});
  }
  if (now < next_ - tolerance) return std::max(next_ - tolerance - now, clock::duration{1});
  next_ = std::max(next_, now) + interval;
  sent_.push_back(std::max(now, sent_.empty() ? now : sent_.back()));  // time going backwards stays ordered
  remember(granted_, sent_.back());
  return clock::duration::zero();
}

std::size_t rate_limiter::capacity() const noexcept {
  return static_cast<std::size_t>(std::max(1.0, std::floor(rate_ + 1e-9)));
}

rate_limiter::clock::duration rate_limiter::spacing() const noexcept {
  // One submit per interval; the interval fills the window exactly with capacity().
  return to_duration(std::max(seconds_d{window_}.count() / static_cast<double>(capacity()), 1.0 / rate_));
}

rate_limiter::clock::duration rate_limiter::burst_tolerance() const noexcept {
  // At most `burst` back to back after a quiet spell.
  const double burst = settings_.burst > 0 ? std::max(settings_.burst, 1.0) : std::max(1.0, rate_ / 10);
  return spacing() * static_cast<std::int64_t>(std::floor(burst) - 1);
}

void rate_limiter::on_accepted(clock::time_point) {
  // Nothing to learn: a submit counts as accepted until it is throttled (see accepted_in_second_before).
}


std::size_t rate_limiter::accepted_in_second_before(clock::time_point t) const {
  // Not yet answered counts as accepted: with several binds the answers that would say so may come after the
  // throttle, and counting them short would cut too deep.
  const auto from = t - std::chrono::seconds{1};
  const auto sent = count_in(granted_, from, t);
  const auto refused = count_in(throttled_, from, t);
  return sent > refused ? sent - refused : 0;
}

void rate_limiter::on_throttled(clock::time_point sent_at, clock::time_point now) {
  if (unlimited()) return;
  remember(throttled_, sent_at);
  // Sent before the last cut, at the old rate: the cut has already answered it.
  if (cut_at_ != clock::time_point{} && sent_at < cut_at_) return;
  probe(now);
  if (at_probe_ && sent_at >= probe_at_) {
    // Over the carrier's limit by one probe step: the rate before it was clean; go back to it, no lower, and
    // rest before probing above it again (it confirmed the level).
    rate_ = clean_rate_;
    learned_at_ = now;
  } else {
    // In the carrier's window that holds `sent_at`, it accepted exactly its limit before `sent_at`; counting
    // the second before counts that, plus what the previous window accepted late in it (when it was not
    // full): an estimate at or above the real rate, exact when we were throttled in the previous window too or
    // sent nothing then. A too high one is corrected by the next throttle, which then finds it exact.
    level_ = static_cast<double>(accepted_in_second_before(sent_at));
    learned_at_ = now;
    rate_ = std::clamp(std::min(level_, rate_) * settings_.settle_margin, floor_rate(), settings_.tps);
  }
  at_probe_ = false;
  // No pause of its own: the sliding window holds the next submit until enough of the last second's have left
  // it, which is when the carrier's window (which began before the accepted ones) has ended.
  // And no burst after it: the next submit is one interval at the new rate after the last.
  next_ =
      std::max(next_, (sent_.empty() ? now : std::max(now, sent_.back() + spacing())) + burst_tolerance());
  cut_at_ = now;
  quiet_since_ = now;
}

void rate_limiter::probe(clock::time_point now) {
  if (settings_.probe_step <= 0) return;
  // One step per quiet period, computed lazily on the next call.
  while (rate_ < settings_.tps && now - quiet_since_ >= settings_.probe_after) {
    const auto step_at = quiet_since_ + settings_.probe_after;
    const double up = std::min(settings_.tps, rate_ * (1 + settings_.probe_step));
    // Up to the learned level freely (no window sees more than floor(rate) of ours); above it only once the
    // level is probe_rest old.
    const bool above = level_ > 0 && std::floor(up + 1e-9) > level_;
    if (above && step_at < learned_at_ + settings_.probe_rest) {
      if (now < learned_at_ + settings_.probe_rest) break;
      quiet_since_ = learned_at_ + settings_.probe_rest - settings_.probe_after;  // step at the rest's end
      continue;
    }
    if (above) {
      clean_rate_ = rate_;
      at_probe_ = true;
      probe_at_ = step_at;
    }
    rate_ = up;
    quiet_since_ = step_at;
  }
}

double rate_limiter::current_tps(clock::time_point now) {
  if (unlimited()) return 0;
  probe(now);
  return rate_;
}

}  // namespace loa::smpp
