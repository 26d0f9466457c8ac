// The simulator's record of accepted messages: one JSON line per submit_sm, and one per complete message once
// all its parts arrived (UDH 8/16-bit, SAR TLVs), so that tests and demos see the text a handset would show.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "gateway/smpp/pdu.hpp"

namespace loa::sim {

/// Writes JSON lines to a file; does nothing without a file. Lines are flushed in batches: a session calls
/// flush() after handling each chunk read from its socket and before sending the answers, so whoever holds a
/// submit_sm_resp finds its line on disk, without one write(2) per message at 100,000 messages a second.
class message_log {
 public:
  /// No file: records nothing (reassembly still runs, so counters stay right).
  message_log() = default;
  /// Opens `path` for appending; throws std::runtime_error when it cannot (start-up only).
  explicit message_log(const std::string& path);

  /// Records one accepted submit_sm (its message id given) and, when it completes a message, the whole
  /// message.
  void accepted(const std::string& system_id, const std::string& message_id, const smpp::short_message& m);

  /// Records one MO (citizen's message) delivered to a bind of `system_id` in `parts` deliver_sm.
  void mo_delivered(const std::string& system_id, const std::string& from, const std::string& to,
                    const std::string& text, std::size_t parts);

  /// Writes out what is buffered.
  void flush();

  /// Number of complete messages seen (single-part, payload or reassembled).
  std::uint64_t complete_messages() const noexcept { return complete_; }

  /// Partial concatenated messages still waiting for parts.
  std::size_t pending_messages() const noexcept { return partial_.size(); }

 private:
  struct key {
    std::string system_id, source, destination;
    std::uint16_t reference;
    std::uint8_t total;
    auto operator<=>(const key&) const = default;
  };
  struct partial {
    std::map<std::uint8_t, std::string> texts;  // sequence -> decoded text of that part
    std::vector<std::string> ids;               // message ids of the parts, in arrival order
    std::string method;                         // udh8 | udh16 | sar
    std::uint64_t arrival = 0;                  // order of the first part, to drop the oldest when full
  };
  void write(const std::string& line);
  void complete(const std::string& system_id, const smpp::short_message& m, const std::string& text,
                std::size_t parts, const std::string& method, const std::vector<std::string>& ids);

  std::ofstream out_;
  bool enabled_ = false;
  bool dirty_ = false;  // lines written since the last flush
  std::map<key, partial> partial_;
  std::uint64_t complete_ = 0;
  std::uint64_t arrivals_ = 0;
};

}  // namespace loa::sim
