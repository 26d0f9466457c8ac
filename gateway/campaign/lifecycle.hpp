// A campaign's states and the moves between them, in one place: the API (create, approve, cancel), the
// scheduler (due, quiet hours over), the approval rule (hold) and the fan-out (finish) all ask this table,
// and the Lua scripts that move a campaign take their compare-and-set `from` sets from sources(). The states
// are CONTRACT.md's (broadcast::campaign_state); this file holds only the rules.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "gateway/broadcast/campaign.hpp"

namespace loa::campaign {

using broadcast::campaign_state;

/// Why a campaign moves.
enum class cause {
  create,      // the API wrote it: to awaiting_approval, scheduled, waiting or running
  approve,     // a second person approved it: out of awaiting_approval to where it is due
  hold,        // the approval rule applied again found it unapproved and too large (approval_rule.hpp)
  due,         // its --at time came: scheduled -> waiting
  quiet_over,  // quiet hours are over (or it is urgent): waiting -> running
  finish,      // its last chunk and parcel settled: running -> done
  cancel,      // an official cancelled it: any active state -> cancelled
};

/// "create", "approve", ... (the enumerator's name).
std::string_view to_string(cause c) noexcept;

/// The states `c` may move a campaign from (empty for create: it has none yet). What a compare-and-set script
/// checks before it writes.
std::vector<campaign_state> sources(cause c);
/// True when `c` may move a campaign in `from` (nullopt: not created yet) to `to`.
bool allowed(std::optional<campaign_state> from, cause c, campaign_state to) noexcept;

/// Where a campaign that may go now (created without approval, approved, or found due) stands: scheduled
/// until `due`, then waiting while `quiet` (unless `urgent`), then running.
campaign_state where_due(bool due, bool quiet, bool urgent) noexcept;

}  // namespace loa::campaign
