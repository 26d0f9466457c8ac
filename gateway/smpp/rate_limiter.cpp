#include "gateway/smpp/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace loa::smpp {

namespace {
using seconds_d = std::chrono::duration<double>;
}

rate_limiter::rate_limiter(rate_settings settings, clock::time_point now)
    : settings_(settings), tokens_(0), last_refill_(now) {
  settings_.tps = std::max(settings_.tps, 0.0);
  if (settings_.burst <= 0) settings_.burst = std::max(1.0, settings_.tps / 10);
  settings_.burst = std::max(settings_.burst, 1.0);
  settings_.slow_factor = std::clamp(settings_.slow_factor, 0.01, 1.0);
  settings_.min_factor = std::clamp(settings_.min_factor, 0.001, 1.0);
  settings_.pause = std::max(settings_.pause, std::chrono::milliseconds{0});
  settings_.recovery = std::max(settings_.recovery, std::chrono::milliseconds{1});
  tokens_ = settings_.burst;
}

void rate_limiter::refill(clock::time_point now) {
  if (now <= last_refill_) return;
  const auto refill_from = std::max(last_refill_, paused_until_);
  if (now > refill_from) {
    const double elapsed = std::chrono::duration_cast<seconds_d>(now - refill_from).count();
    tokens_ = std::min(settings_.burst, tokens_ + elapsed * settings_.tps * factor_);
  }
  last_refill_ = now;
  // Climb back one step per quiet recovery period; the steps are computed lazily, on the next call.
  while (factor_ < 1.0 && now >= recover_at_) {
    factor_ = std::min(1.0, settings_.additive_step > 0 ? factor_ + settings_.additive_step : factor_ * 2);
    recover_at_ += settings_.recovery;
  }
}

rate_limiter::clock::duration rate_limiter::acquire(clock::time_point now) {
  if (unlimited()) return clock::duration::zero();
  if (now < paused_until_) return paused_until_ - now;
  refill(now);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return clock::duration::zero();
  }
  const double wait_s = (1.0 - tokens_) / (settings_.tps * factor_);
  auto wait = std::chrono::duration_cast<clock::duration>(seconds_d{wait_s});
  // Never report "wait 0" without granting: the caller would spin.
  return std::max(wait, clock::duration{std::chrono::microseconds{1}});
}

void rate_limiter::on_throttled(clock::time_point now) {
  if (unlimited()) return;
  // Answers to PDUs sent before the cut arrive soon after it: they were counted by the first one.
  if (now < holdoff_until_) return;
  refill(now);
  tokens_ = 0;
  const double accepted = accepted_rate(now);
  if (settings_.settle_margin > 0 && accepted > 0) {
    // What the carrier took in the last second is its real limit when we sent above it: settle just under.
    const double rate = std::min(settings_.tps * factor_, accepted) * settings_.settle_margin;
    factor_ = std::clamp(rate / settings_.tps, settings_.min_factor, 1.0);
  } else {
    factor_ = std::max(settings_.min_factor, factor_ * settings_.slow_factor);
  }
  paused_until_ = std::max(paused_until_, now + settings_.pause);
  const auto holdoff = settings_.holdoff.count() > 0 ? settings_.holdoff : settings_.pause;
  holdoff_until_ = std::max(holdoff_until_, now + holdoff);
  last_refill_ = std::max(last_refill_, now);
  recover_at_ = std::max(paused_until_, holdoff_until_) + settings_.recovery;
}

void rate_limiter::advance_accepted(clock::time_point now) {
  const auto slot = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() / 100;
  if (slot <= accepted_slot_) return;
  const auto gap = std::min<std::int64_t>(slot - accepted_slot_, static_cast<std::int64_t>(accepted_.size()));
  for (std::int64_t i = 1; i <= gap; ++i)
    accepted_[static_cast<std::size_t>((accepted_slot_ + i) % static_cast<std::int64_t>(accepted_.size()))] = 0;
  accepted_slot_ = slot;
}

void rate_limiter::on_accepted(clock::time_point now) {
  advance_accepted(now);
  ++accepted_[static_cast<std::size_t>(accepted_slot_ % static_cast<std::int64_t>(accepted_.size()))];
}

double rate_limiter::accepted_rate(clock::time_point now) {
  advance_accepted(now);
  double sum = 0;
  for (const auto n : accepted_) sum += n;
  // Nine whole tenths of a second and the part of the current one that has passed.
  const auto into_slot = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 100'000;
  return sum / (0.9 + static_cast<double>(into_slot) / 1e6);
}

double rate_limiter::current_tps(clock::time_point now) {
  if (unlimited()) return 0;
  refill(now);
  return settings_.tps * factor_;
}

}  // namespace loa::smpp
