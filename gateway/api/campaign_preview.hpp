// `loa send --dry-run`: who a notice would reach and what it would cost, without sending anything. The same
// audience scripts as the fan-out read the subscribers (or, for a correction, the earlier campaign's
// recipients), so the preview counts exactly what a send made now would count.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "gateway/api/campaign_routes.hpp"
#include "gateway/api/http.hpp"

namespace loa::api {

/// The preview document of POST /v1/campaigns with "dry_run": true (docs/API.md).
boost::asio::awaitable<response> preview_campaign(broadcast::campaign_store& campaigns,
                                                  const campaign_hooks& hooks,
                                                  const broadcast::campaign_spec& spec, const campaign_plan& plan);

}  // namespace loa::api
