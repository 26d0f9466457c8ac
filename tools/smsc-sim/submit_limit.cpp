#include "tools/smsc-sim/submit_limit.hpp"

#include <algorithm>
#include <cmath>

namespace loa::sim {

submit_limit::submit_limit(double tps, tps_window kind, clock::time_point start)
    : tps_(tps), kind_(kind), start_(start), tokens_(tps), refilled_(start) {}

bool submit_limit::has_room(clock::time_point now) {
  if (unlimited()) return true;
  if (kind_ == tps_window::fixed) {
    // Before start_ (a clock going backwards) counts as the first window.
    const auto index =
        now <= start_ ? 0 : std::chrono::duration_cast<std::chrono::seconds>(now - start_).count();
    if (index > window_) {
      window_ = index;
      taken_ = 0;
    }
    // A fractional limit rounds down, but one submit a second always fits.
    return static_cast<double>(taken_) < std::max(1.0, std::floor(tps_));
  }
  if (now > refilled_) {
    const std::chrono::duration<double> elapsed = now - refilled_;
    tokens_ = std::min(tps_, tokens_ + elapsed.count() * tps_);
    refilled_ = now;
  }
  return tokens_ >= 1.0;
}

void submit_limit::take() {
  if (unlimited()) return;
  if (kind_ == tps_window::fixed)
    ++taken_;
  else
    tokens_ -= 1.0;
}

}  // namespace loa::sim
