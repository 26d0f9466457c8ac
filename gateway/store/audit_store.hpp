// Who did what, when: every state-changing API call (send, cancel, approve, import, subscriber changes,
// opt-out, forget) as an entry of a Redis Stream. Each entry goes to the global stream and to the stream of
// every ward it concerns, so `loa audit --ward W` reads one stream, in time order, by the entries' ids
// (stream ids are the milliseconds they were written at). Key schema: docs/REDIS.md.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "gateway/redis/connection.hpp"

namespace loa::broadcast {

struct audit_entry {
  std::string id;              ///< the stream id, "MS-SEQ" (set when read)
  std::int64_t at_ms = 0;      ///< Unix milliseconds (from the id when read)
  std::string who;             ///< operator name
  std::string role;            ///< sender | approver | admin
  std::string action;          ///< send, cancel, approve, import, subscriber_add, ...
  std::vector<std::string> wards;
  std::string campaign;        ///< campaign id, "" when none
  std::int64_t recipients = -1;  ///< how many people it touches; -1 when it does not apply
  std::string text;            ///< a notice's text
  std::string detail;          ///< the rest, for people ("key weekly-47", "imported 120, updated 3")
  std::string remote;          ///< the caller's address
  /// Written so that each ward's stream names that ward alone in `wards` (the global stream names them all):
  /// for a change to a citizen's number, which other wards hold it is not the ward's business.
  bool ward_alone = false;
};

namespace audit_keys {
inline constexpr std::string_view global = "loa:audit";
std::string ward(std::string_view ward);
}  // namespace audit_keys

class audit_store {
 public:
  explicit audit_store(redis::connection& connection);

  /// Appends `e` to the global stream and to each of its wards' (capped at about a million and 100,000
  /// entries; older ones go first).
  boost::asio::awaitable<std::error_code> append(const audit_entry& e);
  /// Entries of `ward` ("" for the global stream) written at or after `since_ms`, oldest first; at most
  /// `limit`, the most recent ones when there are more (`truncated` then).
  boost::asio::awaitable<std::error_code> read(std::string_view ward, std::int64_t since_ms, std::size_t limit,
                                               std::vector<audit_entry>& out, bool& truncated);

 private:
  redis::connection& connection_;
};

}  // namespace loa::broadcast
