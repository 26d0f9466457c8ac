// The approval rule applied again after creation (approval_rule.hpp), on the exact audience: when a
// campaign becomes due (the broadcaster), and when its fan-out counted past the threshold and held it (the
// campaign driver). A held campaign waits in awaiting_approval, with why in its status, and the hold is audited.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <system_error>
#include <vector>

#include "gateway/broadcast/campaign.hpp"
#include "gateway/campaign_context.hpp"

namespace loa::gateway {

/// Counts the exact audience of `spec`. When an unapproved campaign's audience is above
/// approval.above_recipients, it moves from one of `from` to awaiting_approval with the reason and the
/// count (from awaiting_approval: the hold the fan-out made is described), and the call that moved it audits
/// it. `needs_approval`: the rule says it must wait (whoever moved it); `held`: this call moved it.
boost::asio::awaitable<std::error_code> recheck_approval(campaign_context& cx, const broadcast::campaign_spec& spec,
                                                         const std::vector<broadcast::campaign_state>& from,
                                                         bool& needs_approval, bool& held);

}  // namespace loa::gateway
