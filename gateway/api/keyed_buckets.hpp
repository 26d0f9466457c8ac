// Token buckets keyed by a string (an address, the start of a presented token, an operator): each key may
// take `burst` at once and `per_second` after that, and a bucket refills while its key is quiet (a decay, not
// a window that a success or the clock resets). Plain class: the caller passes "now", so tests step a fake
// clock. Bounded against a flood of distinct keys: at most `max_keys` keys, each cut to `max_key_bytes`.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace loa::api {

/// How fast each key may go, and how many keys are remembered.
struct bucket_settings {
  double per_second = 1;          ///< tokens added per second (after a burst)
  double burst = 10;              ///< the bucket's size: what a quiet key may take at once
  std::size_t max_keys = 10'000;  ///< keys held at most; a full bucket's key is forgotten first
};

/// One token bucket per key. Used from one thread (the gateway's io_context).
class keyed_buckets {
 public:
  using clock = std::chrono::steady_clock;
  /// Keys are cut to this many bytes, so a long key costs no more than a short one.
  static constexpr std::size_t max_key_bytes = 64;

  /// Buckets that start full. A rate or a burst at or below 0 is taken as "no limit".
  explicit keyed_buckets(bucket_settings settings);

  /// How long `key` would wait at `now` for one token: zero when it has one. Takes nothing.
  clock::duration wait(std::string_view key, clock::time_point now) const;
  /// Takes one token of `key` and returns zero; or, when it has none (or a new key finds no room), takes
  /// nothing and returns how long to wait before asking again.
  clock::duration take(std::string_view key, clock::time_point now);

  /// Keys held now (for tests of the bound).
  std::size_t size() const noexcept { return buckets_.size(); }
  /// The settings in force.
  const bucket_settings& settings() const noexcept { return settings_; }

 private:
  struct bucket {
    double tokens = 0;
    clock::time_point at;  // when `tokens` was counted
  };
  double tokens_at(const bucket& b, clock::time_point now) const;
  clock::duration until_one(double tokens) const;
  bool make_room(clock::time_point now);

  bucket_settings settings_;
  bool unlimited_;
  std::map<std::string, bucket, std::less<>> buckets_;
  clock::time_point
      next_sweep_{};  // a full map is swept at most once a second: a flood costs no scan per key
};

}  // namespace loa::api
