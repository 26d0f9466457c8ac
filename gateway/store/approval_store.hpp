// The second person's release of a send that waits for approval (CONTRACT.md `loa approve`), as one
// compare-and-set in Redis: a campaign cancelled a moment before is not brought back to life.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string_view>
#include <system_error>

#include "gateway/broadcast/campaign.hpp"
#include "gateway/redis/connection.hpp"

namespace loa::broadcast {

class approval_store {
 public:
  explicit approval_store(redis::connection& connection);
  /// Moves campaign `id` from awaiting_approval to `next`, recording who approved it and when. `before` is
  /// the state it had (nullopt: no such campaign); it changed only when that was awaiting_approval.
  boost::asio::awaitable<std::error_code> approve(std::string_view id, campaign_state next,
                                                  std::string_view approver, std::int64_t now_ms,
                                                  std::optional<campaign_state>& before);

 private:
  redis::connection& connection_;
};

}  // namespace loa::broadcast
