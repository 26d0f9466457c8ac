#include "gateway/api/keyed_buckets.hpp"

#include <algorithm>
#include <cmath>

namespace loa::api {
namespace {
// Rates such as 10 a minute are not exact in binary: a token earned over 6 s may add up to 0.9999999.
constexpr double rounding = 1e-9;
}  // namespace

keyed_buckets::keyed_buckets(bucket_settings settings)
    : settings_(settings), unlimited_(settings.per_second <= 0 || settings.burst <= 0) {
  settings_.burst = std::max(settings_.burst, 1.0);
  settings_.max_keys = std::max<std::size_t>(settings_.max_keys, 1);
}

double keyed_buckets::tokens_at(const bucket& b, clock::time_point now) const {
  const std::chrono::duration<double> quiet = now - b.at;
  return std::min(settings_.burst, b.tokens + std::max(quiet.count(), 0.0) * settings_.per_second);
}

keyed_buckets::clock::duration keyed_buckets::until_one(double tokens) const {
  const double seconds = (1.0 - tokens) / settings_.per_second;
  return std::chrono::ceil<clock::duration>(std::chrono::duration<double>(std::max(seconds, 0.0)));
}

keyed_buckets::clock::duration keyed_buckets::wait(std::string_view key, clock::time_point now) const {
  if (unlimited_) return clock::duration::zero();
  const auto it = buckets_.find(key.substr(0, max_key_bytes));
  if (it == buckets_.end()) return clock::duration::zero();  // a key not held has a full bucket
  const double tokens = tokens_at(it->second, now);
  return tokens + rounding >= 1.0 ? clock::duration::zero() : until_one(tokens);
}

// Forgets the keys whose bucket has refilled (they know nothing a new full bucket would not). True when there
// is room for one more key.
bool keyed_buckets::make_room(clock::time_point now) {
  if (buckets_.size() < settings_.max_keys) return true;
  if (now < next_sweep_) return false;
  next_sweep_ = now + std::chrono::seconds(1);
  std::erase_if(buckets_, [&](const auto& entry) {
    return tokens_at(entry.second, now) + rounding >= settings_.burst;
  });
  return buckets_.size() < settings_.max_keys;
}

keyed_buckets::clock::duration keyed_buckets::take(std::string_view key, clock::time_point now) {
  if (unlimited_) return clock::duration::zero();
  key = key.substr(0, max_key_bytes);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    // No room: refuse rather than forget a key that is being limited (a flood of new keys must not wash out
    // the bucket of the key it hides). The caller waits until the next sweep may free a place.
    if (!make_room(now)) return std::max(until_one(0.0), next_sweep_ - now);
    it = buckets_.emplace(std::string(key), bucket{settings_.burst, now}).first;
  }
  bucket& b = it->second;
  b.tokens = tokens_at(b, now);
  b.at = now;
  if (b.tokens + rounding < 1.0) return until_one(b.tokens);
  b.tokens = std::max(b.tokens - 1.0, 0.0);
  return clock::duration::zero();
}

}  // namespace loa::api
