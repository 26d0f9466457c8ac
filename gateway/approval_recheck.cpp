#include "gateway/approval_recheck.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "gateway/broadcast/approval_rule.hpp"
#include "gateway/broadcast/audit_store.hpp"

namespace loa::gateway {

boost::asio::awaitable<std::error_code> recheck_approval(campaign_context& cx, const broadcast::campaign_spec& spec,
                                                         const std::vector<broadcast::campaign_state>& from,
                                                         bool& needs_approval, bool& held) {
  using broadcast::campaign_state;
  needs_approval = held = false;
  if (!spec.approved_by.empty()) co_return std::error_code{};  // an approval covers the campaign as approved
  const auto above = static_cast<std::uint64_t>(std::max(0, cx.cfg.approval.above_recipients));
  const bool fanout_held = std::find(from.begin(), from.end(), campaign_state::awaiting_approval) != from.end();
  std::uint64_t audience = 0;
  if (auto ec = co_await cx.store.count_audience(spec, audience)) co_return ec;
  auto reason = broadcast::approval_needed_now(spec, audience, above);
  // Held by the fan-out while subscribers were removed meanwhile: it stays held, for what was counted then.
  if (!reason && fanout_held)
    reason = fmt::format("the audience passed {} recipients while it was sent ({} now)", above, audience);
  if (!reason) co_return std::error_code{};
  needs_approval = true;
  std::optional<campaign_state> before;
  if (auto ec = co_await cx.store.hold(spec.id, *reason, audience, above, from, before)) co_return ec;
  held = before && std::find(from.begin(), from.end(), *before) != from.end();
  if (!held) co_return std::error_code{};
  if (cx.warn)
    cx.warn(fmt::format("campaign {}: waits for an approver: {} (was {})", spec.id, *reason,
                        fanout_held ? "running" : broadcast::to_string(*before)));
  if (cx.audit) {
    broadcast::audit_entry e;
    e.who = "gateway";
    e.role = "system";
    e.action = "held_for_approval";
    e.wards = spec.wards;
    e.campaign = spec.id;
    e.recipients = static_cast<std::int64_t>(audience);
    e.detail = fmt::format("{}; was {}", *reason, fanout_held ? "running" : broadcast::to_string(*before));
    if (auto ec = co_await cx.audit->append(e); ec && cx.warn)
      cx.warn(fmt::format("campaign {}: the audit entry of its hold was not written: {}", spec.id, ec.message()));
  }
  co_return std::error_code{};
}

}  // namespace loa::gateway
