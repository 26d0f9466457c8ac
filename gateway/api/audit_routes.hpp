// The audit trail over HTTP: recording each state-changing call (the routes call `audit_recorder::record`
// once the change is made) and reading it back (`loa audit`). docs/API.md.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

#include "config/config.hpp"
#include "gateway/api/auth.hpp"
#include "gateway/api/http.hpp"
#include "gateway/store/audit_store.hpp"

namespace loa::api {

/// Appends entries for the routes. A failed write is logged, never turned into a failure of the call it
/// records: the change is already made by then.
class audit_recorder {
 public:
  audit_recorder(broadcast::audit_store& store, std::function<void(std::string_view)> warn);
  /// Fills in who, role and the caller's address from the request, then appends `entry`.
  boost::asio::awaitable<void> record(const request& r, const config::operator_config& who,
                                      broadcast::audit_entry entry);

 private:
  broadcast::audit_store& store_;
  std::function<void(std::string_view)> warn_;
};

/// Adds GET /v1/wards/{ward}/audit (any operator of the ward) and GET /v1/audit (admins: every entry).
void add_audit_routes(router& routes, authenticator& auth, broadcast::audit_store& store,
                      std::chrono::minutes utc_offset);

/// Reads `since`: "7d", "24h" or "90m" before `now`, a local date "2026-11-20" (its midnight) or a local time
/// as `loa send --at` takes it. Unix milliseconds, or nullopt when it is none of these.
std::optional<std::int64_t> parse_since(std::string_view since, std::chrono::system_clock::time_point now,
                                        std::chrono::minutes utc_offset);

}  // namespace loa::api
