// GET /v1/campaigns: the campaigns a caller may see (CONTRACT.md's `loa campaigns`), newest first; docs/API.md.
#pragma once

#include <chrono>

#include "gateway/api/auth.hpp"
#include "gateway/api/display_names.hpp"
#include "gateway/api/http.hpp"
#include "gateway/broadcast/campaign_store.hpp"

namespace loa::api {

/// Adds GET /v1/campaigns?ward=W&state=S&since=T&limit=N: the campaigns of which the caller may act on every
/// ward, read from the wards' campaign indexes, newest first, each as its status document.
void add_campaign_list_route(router& routes, authenticator& auth, broadcast::campaign_store& campaigns,
                             std::chrono::minutes utc_offset, name_sources names = {});

}  // namespace loa::api
