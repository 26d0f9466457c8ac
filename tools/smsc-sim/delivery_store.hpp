// deliver_sm the simulator owes a system_id while none of its binds can receive (receipts that came due, MOs,
// and deliver_sm a bind never answered before it went away), kept as a real SMSC keeps them until the next
// receiver or transceiver bind of that system_id. Each is encoded once; its sequence_number is written when
// sent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/smpp/pdu.hpp"

namespace loa::sim {

/// One encoded deliver_sm; octets 12-15 (sequence_number) are filled in by the session that sends it.
using encoded_pdu = std::vector<std::uint8_t>;

/// Encodes a deliver_sm with sequence_number 0; empty when it cannot be encoded (reported on stderr).
encoded_pdu encode_deliver(smpp::short_message m);

/// The sequence_number in an encoded PDU's header.
inline std::uint32_t sequence_of(const encoded_pdu& p) noexcept {
  return std::uint32_t{p[12]} << 24 | std::uint32_t{p[13]} << 16 | std::uint32_t{p[14]} << 8 | p[15];
}

/// Writes `sequence` into an encoded PDU's header.
inline void set_sequence(encoded_pdu& p, std::uint32_t sequence) noexcept {
  p[12] = static_cast<std::uint8_t>(sequence >> 24);
  p[13] = static_cast<std::uint8_t>(sequence >> 16);
  p[14] = static_cast<std::uint8_t>(sequence >> 8);
  p[15] = static_cast<std::uint8_t>(sequence);
}

/// deliver_sm kept per system_id, oldest first, at most `max` in all. Beyond that the oldest of the system_id
/// being added to go (a store is for binds that come back, not for ever).
class delivery_store {
 public:
  /// `max` >= 1.
  explicit delivery_store(std::size_t max) : max_(max) {}

  /// Keeps `p` after what is kept for `system_id`; returns how many were dropped to stay within the cap.
  std::size_t push_back(const std::string& system_id, encoded_pdu p);

  /// Keeps `ps` (oldest first) before what is kept for `system_id`: they were sent before anything kept now
  /// came due, and never answered. Returns how many were dropped to stay within the cap.
  std::size_t push_front(const std::string& system_id, std::deque<encoded_pdu> ps);

  /// Takes everything kept for `system_id`, oldest first (empty when nothing is).
  std::deque<encoded_pdu> take(const std::string& system_id);

  /// deliver_sm kept, all system_ids together.
  std::size_t size() const noexcept { return size_; }

  /// The cap.
  std::size_t max() const noexcept { return max_; }

 private:
  std::size_t trim(std::deque<encoded_pdu>& q);

  std::unordered_map<std::string, std::deque<encoded_pdu>> kept_;
  std::size_t size_ = 0;
  std::size_t max_;
};

}  // namespace loa::sim
