// /v1 routes for subscribers and groups (CONTRACT.md's `loa subscribers` and `loa groups`); docs/API.md.
#pragma once

#include <chrono>

#include "gateway/api/audit_routes.hpp"
#include "gateway/api/auth.hpp"
#include "gateway/api/http.hpp"
#include "gateway/store/subscriber_store.hpp"

namespace loa::api {

/// Adds the subscriber and group routes; `auth`, `store` and `audit` (where changes are recorded; nullptr:
/// nowhere) must outlive the router. Times (a reply's received_at) are written in `utc_offset`.
void add_subscriber_routes(router& routes, authenticator& auth, broadcast::subscriber_store& store,
                           audit_recorder* audit = nullptr, std::chrono::minutes utc_offset = std::chrono::hours(7));

}  // namespace loa::api
