#include "gateway/common/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace loa {

backoff::backoff(backoff_settings settings, std::uint64_t seed) : settings_(settings), random_(seed) {
  settings_.factor = std::max(settings_.factor, 1.0);
  settings_.jitter = std::clamp(settings_.jitter, 0.0, 1.0);
  settings_.cap = std::max(settings_.cap, std::chrono::milliseconds{0});
  settings_.initial = std::clamp(settings_.initial, std::chrono::milliseconds{0}, settings_.cap);
}

std::chrono::milliseconds backoff::next() {
  const double cap = static_cast<double>(settings_.cap.count());
  // pow() overflows to inf for large attempt counts; min() with the cap keeps it finite.
  double base = static_cast<double>(settings_.initial.count()) *
                std::pow(settings_.factor, static_cast<double>(attempts_));
  base = std::min(base, cap);
  if (attempts_ < 1'000'000) ++attempts_;
  double scale = 1.0;
  if (settings_.jitter > 0) {
    std::uniform_real_distribution<double> draw(1.0 - settings_.jitter, 1.0 + settings_.jitter);
    scale = draw(random_);
  }
  const double delay = std::clamp(base * scale, 0.0, cap);
  return std::chrono::milliseconds{static_cast<std::int64_t>(std::llround(delay))};
}

}  // namespace loa
