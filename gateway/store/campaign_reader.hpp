// Reads a campaign's recipients back for its report (docs/REDIS.md): the records, each with the groups its
// subscriber is in now. One script call per step of about a thousand records, never one round trip each.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "gateway/broadcast/campaign.hpp"
#include "gateway/store/campaign_store.hpp"
#include "gateway/redis/connection.hpp"

namespace loa::broadcast {

/// One recipient's record and what its subscriber record says of its groups.
struct scanned_recipient {
  std::string number;
  recipient_record record;
  /// The stored groups ("a;b") of the subscriber in the first of the campaign's wards that holds the
  /// number; nullopt when none does any more (removed or forgotten since).
  std::optional<std::string> groups;
};

class campaign_reader {
 public:
  explicit campaign_reader(redis::connection& connection);

  /// One step of a scan (HSCAN) of the campaign's records: `cursor` "0" starts it and is set to where the
  /// next step starts, "0" again when the scan is complete. `count` is a hint: a step may hold more or fewer,
  /// and a record may come twice in one scan (callers that count keep each number once).
  boost::asio::awaitable<std::error_code> scan(const campaign_spec& spec, std::string& cursor,
                                               std::size_t count, std::vector<scanned_recipient>& out);

 private:
  redis::connection& connection_;
};

}  // namespace loa::broadcast
