// Citizens' messages (MO): a deliver_sm that is not a receipt, decoded from its data_coding, and long ones
// joined again from their parts (UDH 8/16-bit reference, SAR TLVs, or message_payload).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "gateway/smpp/pdu.hpp"

namespace loa::smpp {

/// One whole citizen's message.
struct mo_message {
  std::string from;  ///< source_addr as the carrier sent it
  std::string to;    ///< destination_addr (our short code or brandname)
  std::string text;  ///< UTF-8
  std::uint8_t data_coding = 0;
  std::size_t parts = 1;  ///< how many SMS it came in
  bool complete = true;   ///< false when parts never arrived and what came is handed over anyway
};

/// Bounds of the reassembly: a citizen (or a carrier) who sends first parts and never the rest must not grow
/// the gateway without limit nor hold its thread.
struct reassembly_limits {
  std::chrono::seconds timeout{std::chrono::minutes(5)};  ///< how long parts wait for their siblings
  std::size_t max_messages = 1'000;                       ///< incomplete messages held at once
  std::size_t max_bytes = 1'000'000;                      ///< octets of their parts held at once
};

/// Joins the parts of concatenated MO messages. One per bind's io_context thread. Every call costs O(log n)
/// in the messages held (expire: O(log n) per message handed over); the oldest gives way when a bound is
/// reached.
class mo_reassembler {
 public:
  using clock = std::chrono::steady_clock;

  explicit mo_reassembler(reassembly_limits limits = {});

  /// Takes one deliver_sm body (not a receipt) that arrived at `now` (never earlier than the previous
  /// call's). Returns the message when it is whole (at once for a single part); nullopt while parts are
  /// missing.
  std::optional<mo_message> add(const short_message& sm, clock::time_point now);

  /// Messages whose parts stopped coming (held for the timeout), handed over incomplete: the text of the
  /// parts that came, in order.
  std::vector<mo_message> expire(clock::time_point now);

  /// Messages waiting for parts.
  std::size_t pending() const noexcept { return pending_.size(); }
  /// Octets of the parts they hold.
  std::size_t pending_bytes() const noexcept { return bytes_; }
  /// Incomplete messages dropped unread since start because a bound was reached (oldest first).
  std::uint64_t dropped() const noexcept { return dropped_; }
  /// Incomplete messages handed over by expire() since start.
  std::uint64_t expired() const noexcept { return expired_; }
  /// When the oldest incomplete message times out; nullopt when none waits.
  std::optional<clock::time_point> next_expiry() const;

 private:
  using key =
      std::tuple<std::string, std::string, std::uint16_t, std::uint8_t>;  // from, to, reference, total
  struct partial {
    std::string from, to;
    std::uint8_t data_coding = 0;
    std::uint8_t total = 0;
    std::map<std::uint8_t, std::vector<std::uint8_t>> bodies;  // by sequence number
    std::size_t bytes = 0;                                     // octets in bodies
    clock::time_point first_seen;
    std::uint64_t serial = 0;  // its key in age_
  };
  using partial_map = std::map<key, partial>;
  static mo_message join(const partial& p, bool complete);
  void erase(partial_map::iterator it);

  reassembly_limits limits_;
  partial_map pending_;
  std::map<std::uint64_t, partial_map::iterator> age_;  // by serial: oldest first (they arrive in time order)
  std::uint64_t next_serial_ = 0;
  std::size_t bytes_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t expired_ = 0;
};

}  // namespace loa::smpp
