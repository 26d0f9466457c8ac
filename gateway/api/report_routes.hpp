// /v1 routes for a campaign's delivery report (CONTRACT.md's `loa report`); docs/API.md.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "gateway/api/auth.hpp"
#include "gateway/api/display_names.hpp"
#include "gateway/api/http.hpp"
#include "gateway/broadcast/campaign_reader.hpp"
#include "gateway/broadcast/campaign_report.hpp"
#include "gateway/broadcast/campaign_store.hpp"
#include "gateway/redis/connection.hpp"

namespace loa::api {

/// Adds GET /v1/campaigns/{id}/report and GET /v1/campaigns/{id}/recipients. Times are shown at `utc_offset`.
/// `names`: where the report's names for people come from (ward_names, group_names, created_by_name, both at
/// the top and in "campaign").
void add_report_routes(router& routes, authenticator& auth, broadcast::campaign_store& campaigns,
                       redis::connection& connection, std::chrono::minutes utc_offset, name_sources names = {});

/// The report document of GET /v1/campaigns/{id}/report, made at `generated_at_s` (Unix seconds).
boost::json::object report_document(const broadcast::campaign_spec& spec,
                                    const broadcast::campaign_counts& counts,
                                    const broadcast::campaign_report& report, std::int64_t generated_at_s,
                                    std::chrono::minutes utc_offset);

/// One recipient of GET /v1/campaigns/{id}/recipients.
boost::json::object recipient_document(const broadcast::scanned_recipient& r,
                                       const std::vector<std::string>& campaign_groups,
                                       std::chrono::minutes utc_offset);

}  // namespace loa::api
