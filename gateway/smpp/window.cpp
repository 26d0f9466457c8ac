#include "gateway/smpp/window.hpp"

#include <algorithm>

namespace loa::smpp {

window::window(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

bool window::insert(std::uint32_t sequence, std::uint64_t token, session_clock::time_point now,
                    session_clock::time_point deadline) {
  if (full() || contains(sequence)) return false;
  by_sequence_.emplace(sequence, window_entry{sequence, token, now, deadline});
  by_deadline_.emplace(deadline, sequence);
  return true;
}

std::optional<window_entry> window::take(std::uint32_t sequence) {
  auto it = by_sequence_.find(sequence);
  if (it == by_sequence_.end()) return std::nullopt;
  window_entry e = it->second;
  by_deadline_.erase({e.deadline, e.sequence});
  by_sequence_.erase(it);
  return e;
}

std::vector<window_entry> window::take_expired(session_clock::time_point now) {
  std::vector<window_entry> out;
  while (!by_deadline_.empty() && by_deadline_.begin()->first <= now) {
    auto seq = by_deadline_.begin()->second;
    by_deadline_.erase(by_deadline_.begin());
    auto it = by_sequence_.find(seq);
    out.push_back(it->second);
    by_sequence_.erase(it);
  }
  return out;
}

std::vector<window_entry> window::take_all() {
  std::vector<window_entry> out;
  out.reserve(by_sequence_.size());
  for (auto& [seq, e] : by_sequence_) out.push_back(e);
  // Sequence numbers wrap, so "order sent" is the order of sent_at, ties broken by sequence.
  std::stable_sort(out.begin(), out.end(),
                   [](const window_entry& a, const window_entry& b) { return a.sent_at < b.sent_at; });
  by_sequence_.clear();
  by_deadline_.clear();
  return out;
}

std::optional<session_clock::time_point> window::next_deadline() const {
  if (by_deadline_.empty()) return std::nullopt;
  return by_deadline_.begin()->first;
}

}  // namespace loa::smpp
