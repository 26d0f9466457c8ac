// The window of one bind: submit_sm requests sent and not yet answered, keyed by sequence number, each with a
// response deadline. Plain data, no clock of its own: the caller passes "now", so tests step time by hand.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace loa::smpp {

/// The clock of every timer and deadline in the session.
using session_clock = std::chrono::steady_clock;

/// One request in flight: who asked for it (the owner's token), when it went out, when we stop waiting.
struct window_entry {
  std::uint32_t sequence = 0;
  std::uint64_t token = 0;
  session_clock::time_point sent_at{};
  session_clock::time_point deadline{};
};

/// Outstanding requests of one bind; responses may come in any order, so they are matched by sequence.
class window {
 public:
  /// A window that holds at most `capacity` requests (at least 1).
  explicit window(std::size_t capacity);

  /// The configured number of slots.
  std::size_t capacity() const { return capacity_; }
  /// Requests in flight.
  std::size_t size() const { return by_sequence_.size(); }
  /// True when no request is in flight.
  bool empty() const { return by_sequence_.empty(); }
  /// True when every slot is taken: the next request must wait.
  bool full() const { return size() >= capacity_; }
  /// Slots free right now.
  std::size_t free_slots() const { return full() ? 0 : capacity_ - size(); }
  /// True when `sequence` is in flight (a new request must not reuse it).
  bool contains(std::uint32_t sequence) const { return by_sequence_.count(sequence) != 0; }

  /// Records a request sent at `now` that expires at `deadline`; false if full or the sequence is in use.
  bool insert(std::uint32_t sequence, std::uint64_t token, session_clock::time_point now,
              session_clock::time_point deadline);
  /// Removes and returns the request answered by a response with this sequence, if it is in flight.
  std::optional<window_entry> take(std::uint32_t sequence);
  /// Removes and returns every request whose deadline is at or before `now`, oldest deadline first.
  std::vector<window_entry> take_expired(session_clock::time_point now);
  /// Removes and returns every request (the bind closed), in the order they were sent.
  std::vector<window_entry> take_all();
  /// The earliest deadline, to arm one timer for the whole window.
  std::optional<session_clock::time_point> next_deadline() const;

 private:
  std::size_t capacity_;
  std::map<std::uint32_t, window_entry> by_sequence_;
  // Ordered by (deadline, sequence) so expiry is O(log n) per entry whatever the window size.
  std::set<std::pair<session_clock::time_point, std::uint32_t>> by_deadline_;
};

}  // namespace loa::smpp
