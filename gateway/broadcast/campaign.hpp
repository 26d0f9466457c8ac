// A notice campaign: what was asked for, where it stands, and its counts (docs/REDIS.md, docs/API.md).
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loa::broadcast {

/// CONTRACT.md's campaign states.
enum class campaign_state { awaiting_approval, scheduled, waiting, running, done, cancelled };

std::string_view to_string(campaign_state s) noexcept;
std::optional<campaign_state> parse_campaign_state(std::string_view name) noexcept;
/// Every state's name, separated by ", " (what a refusal of an unknown state lists).
std::string campaign_state_names();
/// True for the states a gateway still has work in (everything but done and cancelled).
constexpr bool is_active(campaign_state s) noexcept {
  return s != campaign_state::done && s != campaign_state::cancelled;
}

/// What the official asked for. Stored once at creation; afterwards only `state` changes, and the approval
/// fields when it is held for or released by an approver.
struct campaign_spec {
  std::string id;
  std::vector<std::string> wards;
  std::vector<std::string> groups;
  std::string text;
  std::string accents = "keep";     ///< keep | strip | auto
  std::string sender;               ///< empty: the carrier's or the configuration's brandname
  std::int64_t created_at_ms = 0;   ///< Unix milliseconds
  std::int64_t due_at_s = 0;        ///< Unix seconds of --at; 0 when sent at once
  bool urgent = false;              ///< sent inside quiet hours (recorded)
  std::int64_t validity_s = 0;      ///< SMPP validity period
  std::string key;                  ///< idempotency key, "" when none
  std::string created_by;           ///< operator name
  campaign_state state = campaign_state::running;
  std::uint64_t estimated_recipients = 0;  ///< sum of the groups' sizes at creation (an upper bound)
  std::string corrects;  ///< a correction: the campaign whose recipients it goes to ("" otherwise)
  std::string resends;   ///< a resend: the campaign whose failed or expired recipients it goes to ("" otherwise)
  std::uint64_t audience = 0;  ///< the exact audience counted at creation (after opt-outs); 0 when not counted
  /// Set by a cancel: the exact audience then, and how many of it were never sent (no record claimed).
  bool cancel_counted = false;
  std::uint64_t cancel_audience = 0, cancelled_not_sent = 0;
  std::string approved_by;      ///< the approver who released it ("" while nobody has)
  std::string approval_reason;  ///< why it waits (or waited) for approval; "" when it never had to
  std::uint64_t approval_recipients = 0;  ///< its exact audience when it was held because it grew (else 0)
};

/// One carrier's share of the counts.
struct carrier_counts {
  std::uint64_t submitted = 0, delivered = 0, failed = 0, expired = 0, uncertain = 0;
  std::uint64_t settled_submitted = 0, settled_unsubmitted = 0;
  std::uint64_t pending() const noexcept { return submitted - std::min(submitted, settled_submitted); }
};

/// Counts per recipient (a recipient is one number: all the parts of its message).
/// `submitted` is cumulative: the carrier accepted every part. delivered, failed, expired and uncertain are
/// final and exclusive. queued = not yet submitted nor settled; pending = submitted, waiting for receipts.
struct campaign_counts {
  std::uint64_t recipients = 0;      ///< fanned out so far (final once fanout_done)
  std::uint64_t skipped_optout = 0;  ///< in the groups, but opted out
  std::uint64_t parts = 0;           ///< SMS parts of the recipients claimed so far
  std::uint64_t resent = 0;          ///< parts sent again after a crash or a dropped bind (possible duplicates)
  std::uint64_t poison_chunks = 0;   ///< chunks set aside after too many deliveries (their rest is not sent)
  carrier_counts total;
  std::map<std::string, carrier_counts> by_carrier;
  bool fanout_done = false;

  std::uint64_t queued() const noexcept {
    const auto settled = total.submitted + total.settled_unsubmitted;
    return recipients > settled ? recipients - settled : 0;
  }
  std::uint64_t pending() const noexcept { return total.pending(); }
};

/// The state of one part in a recipient's record (docs/REDIS.md).
namespace part_state {
inline constexpr char claimed = 'C';    ///< claimed by the campaign engine, not written to any bind yet
inline constexpr char in_flight = 'I';  ///< claimed; handed to a carrier or about to be
inline constexpr char submitted = 'S';  ///< the carrier accepted it; waiting for its receipt
inline constexpr char rejected = 'R';   ///< the carrier refused it for good at submit
inline constexpr char uncertain = 'U';  ///< sent, but the answer was lost (crash, bind dropped)
inline constexpr char delivered = 'D';
inline constexpr char failed = 'F';     ///< the receipt said undeliverable, rejected, deleted or unknown
inline constexpr char expired = 'E';
}  // namespace part_state

}  // namespace loa::broadcast
