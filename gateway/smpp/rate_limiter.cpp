#include "gateway/smpp/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace loa::smpp {

namespace {
using seconds_d = std::chrono::duration<double>;

rate_limiter::clock::duration to_duration(double seconds) noexcept {
  return std::chrono::duration_cast<rate_limiter::clock::duration>(seconds_d{seconds});
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
  settings_.probe_give_up = std::max(settings_.probe_give_up, 1);
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

void rate_limiter::on_accepted(clock::time_point sent_at) {
  if (unlimited()) return;
  if (sent_at >= cut_at_) accepted_since_cut_ = true;
  // Answers come back in about the order sent: insert from the back.
  auto it = accepted_.end();
  while (it != accepted_.begin() && *std::prev(it) > sent_at) --it;
  accepted_.insert(it, sent_at);
  while (accepted_.front() < accepted_.back() - std::chrono::seconds{2}) accepted_.pop_front();
}

std::size_t rate_limiter::accepted_in_second_before(clock::time_point t) const {
  std::size_t n = 0;
  for (auto it = accepted_.rbegin(); it != accepted_.rend() && *it > t - std::chrono::seconds{1}; ++it)
    if (*it < t) ++n;
  return n;
}

void rate_limiter::on_throttled(clock::time_point sent_at, clock::time_point now) {
  if (unlimited()) return;
  // Sent before the last cut, at the old rate: the cut has already answered it.
  if (cut_at_ != clock::time_point{} && sent_at < cut_at_) return;
  probe(now);
  // In the carrier's window that holds `sent_at`, it accepted exactly its limit before `sent_at`; counting
  // the second before counts that, plus what the previous window accepted late in it (when it was not full):
  // an estimate at or above the real rate, exact when we were throttled in the previous window too or sent
  // nothing then. A too high one is corrected by the next throttle, which then finds it exact.
  const auto est = static_cast<double>(accepted_in_second_before(sent_at));
  if (accepted_since_cut_) {
    // A new episode (not more of the throttles that follow an early resume): does it repeat the last level?
    const bool same = level_ > 0 && std::abs(est - level_) <= 0.03 * level_;
    same_level_ = same ? same_level_ + 1 : 1;
    if (same_level_ >= settings_.probe_give_up) no_probe_until_ = now + settings_.probe_rest;
  }
  level_ = est;
  rate_ = std::clamp(std::min(est, rate_) * settings_.settle_margin, floor_rate(), settings_.tps);
  // No pause of its own: the sliding window holds the next submit until enough of the last second's have left
  // it, which is when the carrier's window (which began before the accepted ones) has ended.
  // And no burst after it: the next submit is one interval at the new rate after the last.
  next_ =
      std::max(next_, (sent_.empty() ? now : std::max(now, sent_.back() + spacing())) + burst_tolerance());
  cut_at_ = now;
  accepted_since_cut_ = false;
  quiet_since_ = now;
}

void rate_limiter::probe(clock::time_point now) {
  if (now < no_probe_until_ || settings_.probe_step <= 0) return;
  if (same_level_ >= settings_.probe_give_up) {
    same_level_ = 0;  // the rest is over: probe again
    quiet_since_ = std::max(quiet_since_, no_probe_until_);
  }
  // One step per quiet period, computed lazily on the next call.
  while (rate_ < settings_.tps && now - quiet_since_ >= settings_.probe_after) {
    rate_ = std::min(settings_.tps, rate_ * (1 + settings_.probe_step));
    quiet_since_ += settings_.probe_after;
  }
}

double rate_limiter::current_tps(clock::time_point now) {
  if (unlimited()) return 0;
  probe(now);
  return rate_;
}

}  // namespace loa::smpp
