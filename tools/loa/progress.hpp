// A campaign's progress for people: the status document of GET /v1/campaigns/{id} as a one-line bar (a
// terminal), as plain log lines (a file, a pipe, cron's mail) and as the summary at the end. Pure: the caller
// passes the times in and prints what comes back, so every string here is tested exactly.
#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tools/loa/cli.hpp"

namespace loa::cli::progress {

using clock = std::chrono::steady_clock;

/// One row of "by_carrier".
struct carrier_counts {
  std::string name;
  std::uint64_t submitted = 0, delivered = 0, failed = 0, expired = 0, uncertain = 0, pending = 0;
  bool operator==(const carrier_counts&) const = default;
};

/// One entry of "lanes": a carrier's lane on the gateway that answered.
struct lane_counts {
  std::string carrier;
  std::uint64_t queued = 0, parked = 0, in_flight = 0, uncertain = 0, sent = 0;
  std::string waiting_reason, waiting_since;  ///< empty when null or absent
  bool operator==(const lane_counts&) const = default;
};

/// What the CLI shows of a status document. A missing field reads as 0 (or empty), so an older or newer
/// gateway still prints.
struct counts {
  std::string id;
  std::string state;
  std::string due_at;  ///< empty when null or absent
  std::string approval_reason;  ///< why it waits (or waited) for an approver; empty when null or absent
  std::string wards;   ///< "long-thuy (Phường Long Thủy)": the wards with their display names; empty when absent
  std::string groups;  ///< the groups likewise
  std::string sender;  ///< who sent it, by display name (created_by_name, else created_by)
  std::string waiting_reason;  ///< approval | scheduled | quiet_hours | carrier_down; empty when it does not wait
  std::string waiting_until;   ///< when it moves on by itself (local ISO time); empty when unknown
  std::string waiting_since;   ///< since when the carrier is down (local ISO time); empty when unknown
  std::vector<std::string> waiting_carriers;  ///< the carriers down that hold it
  std::vector<std::string> approvers;         ///< who may release it: "Trần Thị Lan (lan)"
  std::optional<std::uint64_t> not_sent;      ///< of a cancelled campaign: recipients never sent (as counted)
  bool fanout_done = false;
  std::uint64_t recipients = 0, estimated_recipients = 0, skipped_optout = 0, queued = 0, submitted = 0,
                pending = 0, delivered = 0, failed = 0, expired = 0, uncertain = 0, parts = 0;
  std::vector<carrier_counts> by_carrier;  ///< sorted by name
  std::vector<lane_counts> lanes;          ///< as the gateway listed them

  /// Recipients once the fan-out is done, else the estimate (or those found so far, if more).
  std::uint64_t total() const;
  /// Recipients with a final outcome: delivered, failed, expired or uncertain.
  std::uint64_t settled() const { return delivered + failed + expired + uncertain; }
  /// Final outcomes other than delivered.
  std::uint64_t not_delivered() const { return failed + expired + uncertain; }
  /// Nothing more will happen: done or cancelled, and no receipt outstanding.
  bool finished() const;
  bool operator==(const counts&) const = default;
};

counts read_counts(const boost::json::value& status);

/// A state for people: "awaiting_approval" reads "awaiting approval".
std::string state_words(std::string_view state);

/// Why it waits, one line for people ("waits until 06:30 (quiet hours)", "carrier vinaphone not bound since
/// 10:42", "waits for approval by Trần Thị Lan (lan)"); empty when it does not wait.
std::string waiting_line(const counts& c);

/// 1234567 -> "1,234,567".
std::string thousands(std::uint64_t n);

/// Recipients submitted per second, over the last few seconds of polls.
class rate_meter {
 public:
  void add(clock::time_point at, std::uint64_t submitted);
  /// Empty until the polls span a second.
  std::optional<double> per_second() const;

 private:
  std::deque<std::pair<clock::time_point, std::uint64_t>> samples_;
};

/// The bar for a terminal, at most `columns - 1` characters (writing the last column wraps some terminals):
/// `[######++....]  5,230/10,000  delivered 4,900  failed 12  pending 318  1,820/s`. The fraction is
/// submitted of all recipients (`~10,000` while that total is an estimate); '#' are settled recipients, '+'
/// those awaiting a receipt. Fields that do not fit are left out, least useful first (uncertain, expired,
/// pending, the rate).
std::string bar_line(const counts& c, std::optional<double> rate, std::size_t columns = 80);

/// What redraws `line` in place over the previous one of `previous` characters: \r, the line, and blanks over
/// what the previous line had beyond it.
std::string redraw(std::string_view line, std::size_t previous);

/// Log lines for a file or pipe (no \r there): one when the counts changed, at most every `every`.
class log_lines {
 public:
  explicit log_lines(clock::time_point start, clock::duration every = std::chrono::seconds(5));
  /// The line for this poll, if one is due. `last` (the final poll) skips the interval, so the log ends on
  /// the final counts.
  std::optional<std::string> next(const counts& c, clock::time_point now, bool last = false);

 private:
  clock::time_point start_;
  clock::duration every_;
  std::optional<counts> logged_;
  clock::time_point logged_at_;
};

/// The human block of `loa status` and the end of --wait: counts, a table by carrier, then one line per lane
/// of the gateway that answered (while it fans the campaign out).
std::string summary(const counts& c);

/// When following stops although the campaign is not finished. Receipts can take hours, so the wait for them
/// is bounded: `timeout` after the campaign is done (or cancelled). Before that, `timeout` without any change
/// also stops it (a campaign that waits for approval, for its time, or for a carrier that is down).
class wait_deadline {
 public:
  explicit wait_deadline(clock::duration timeout) : timeout_(timeout) {}
  /// Whether to stop at `now`, given the latest poll.
  bool passed(const counts& c, clock::time_point now);

 private:
  clock::duration timeout_;
  std::optional<clock::time_point> done_since_;
  std::optional<counts> last_;
  clock::time_point changed_at_;
};

/// How following a campaign ended: CONTRACT.md's exit code and the sentence that says why.
struct verdict {
  exit_code code = exit_code::done;
  std::string message;
};

/// 0 only when it finished with nothing failed, expired, uncertain or unsent; else 4. `gave_up_after` is set
/// when the wait stopped before the campaign finished.
verdict judge(const counts& c, std::optional<std::chrono::seconds> gave_up_after = std::nullopt);

}  // namespace loa::cli::progress
