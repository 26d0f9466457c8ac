// A warning a flood repeats (forged receipts, replies dropped unread) is logged at once the first time, then
// at most once per interval with how many were held back, so that an attacker cannot fill the log or hold
// the gateway's one thread writing it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace loa {

class log_throttle {
 public:
  using clock = std::chrono::steady_clock;

  /// At most one line per `interval`.
  explicit log_throttle(std::chrono::seconds interval = std::chrono::seconds(60)) : interval_(interval) {}

  /// One occurrence at `now`: true when it is to be logged, with `held_back` set to the occurrences not
  /// logged since the last line; false (and counted) otherwise.
  bool allow(clock::time_point now, std::uint64_t& held_back) {
    if (last_ && now - *last_ < interval_) {
      ++held_back_;
      return false;
    }
    last_ = now;
    held_back = held_back_;
    held_back_ = 0;
    return true;
  }

 private:
  std::chrono::seconds interval_;
  std::optional<clock::time_point> last_;
  std::uint64_t held_back_ = 0;
};

}  // namespace loa
