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

/// Joins the parts of concatenated MO messages. One per bind's io_context thread.
class mo_reassembler {
 public:
  using clock = std::chrono::steady_clock;

  /// Parts wait at most `keep` for their siblings; at most `max_pending` messages wait at once (the oldest
  /// is handed over incomplete when more arrive).
  explicit mo_reassembler(std::chrono::seconds keep = std::chrono::minutes(10),
                          std::size_t max_pending = 10'000);

  /// Takes one deliver_sm body (not a receipt). Returns the message when it is whole (at once for a single
  /// part); nullopt while parts are missing.
  std::optional<mo_message> add(const short_message& sm, clock::time_point now);

  /// Messages whose parts stopped coming, handed over incomplete (text of the parts that came, in order).
  std::vector<mo_message> expire(clock::time_point now);

  /// Messages waiting for parts.
  std::size_t pending() const noexcept { return pending_.size(); }

 private:
  struct partial {
    std::string from, to;
    std::uint8_t data_coding = 0;
    std::uint8_t total = 0;
    std::map<std::uint8_t, std::vector<std::uint8_t>> bodies;  // by sequence number
    clock::time_point first_seen;
  };
  using key =
      std::tuple<std::string, std::string, std::uint16_t, std::uint8_t>;  // from, to, reference, total
  static mo_message join(partial& p, bool complete);

  std::chrono::seconds keep_;
  std::size_t max_pending_;
  std::map<key, partial> pending_;
};

}  // namespace loa::smpp
