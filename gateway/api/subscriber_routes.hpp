// /v1 routes for subscribers and groups (CONTRACT.md's `loa subscribers` and `loa groups`); docs/API.md.
#pragma once

#include "gateway/api/auth.hpp"
#include "gateway/api/http.hpp"
#include "gateway/broadcast/subscriber_store.hpp"

namespace loa::api {

/// Adds the subscriber and group routes; `auth` and `store` must outlive the router.
void add_subscriber_routes(router& routes, authenticator& auth, broadcast::subscriber_store& store);

}  // namespace loa::api
