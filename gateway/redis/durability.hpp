// Writes that must survive a failover (the claims of a campaign: a claim lost with its primary lets another
// gateway claim and send the same number again). WAIT n timeout is appended to the very request that writes:
// sent on the same connection, it cannot be answered by a new primary after a reconnect (a WAIT sent alone
// there would count replicas for writes this client never made on it, and confirm nothing).
// See docs/SCALING.md "Redis Sentinel" for what the servers must set alongside (min-replicas-to-write 1).
#pragma once

#include <system_error>

#include "gateway/redis/connection.hpp"

namespace loa::redis {

/// Appends WAIT settings::wait_replicas settings::wait_timeout to `req` when wait_replicas is above 0.
inline void add_replica_wait(request& req, const connection& c) {
  if (c.wait_replicas() > 0) req.push("WAIT", c.wait_replicas(), c.wait_timeout().count());
}

/// For a request built with add_replica_wait and answered without error: error::not_replicated when WAIT
/// counted fewer replicas than asked (the writes are on the primary, not yet on a replica), else success.
inline std::error_code check_replica_wait(const response& resp, const connection& c) {
  if (c.wait_replicas() <= 0) return {};
  if (resp.empty() || resp[resp.size() - 1].integer() < c.wait_replicas()) return error::not_replicated;
  return {};
}

}  // namespace loa::redis
