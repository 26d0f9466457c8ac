// When a send needs a second person (approval.above_recipients): the one rule the API applies at creation and
// the gateway applies again when the campaign becomes due and while it is fanned out. The fan-out script
// (gateway/store/lua/lib/hold.lua, hold_for_approval) applies the second form inside Redis.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "gateway/broadcast/campaign.hpp"

namespace loa::broadcast {

/// At creation: an urgent send, or one whose estimate (the groups' sizes summed, an upper bound) is above
/// `above`. The reason, or nullopt when it may go without approval.
inline std::optional<std::string> approval_needed_at_creation(const campaign_spec& spec, std::uint64_t above) {
  if (spec.urgent) return std::string("urgent");
  if (spec.estimated_recipients > above)
    return fmt::format("an estimated {} recipients > {}", spec.estimated_recipients, above);
  return std::nullopt;
}

/// Later (when it becomes due; when its fan-out counts its recipients): an approval covers the campaign as
/// approved; an unapproved one whose exact audience `audience` is above `above` waits for an approver.
inline std::optional<std::string> approval_needed_now(const campaign_spec& spec, std::uint64_t audience,
                                                      std::uint64_t above) {
  if (!spec.approved_by.empty() || audience <= above) return std::nullopt;
  return fmt::format("the audience grew to {} recipients > {} after it was created", audience, above);
}

}  // namespace loa::broadcast
