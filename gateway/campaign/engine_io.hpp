// What the campaign engine (engine.hpp) is told and what it asks for: its settings, the results the driver
// reports back, and the actions it returns. Plain values only: no Asio, no Redis, no SMPP types; the driver
// translates (smpp::submit_outcome -> answer, store replies -> claim_result, ...).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace loa::campaign {

using engine_clock = std::chrono::steady_clock;
using time_point = engine_clock::time_point;
using duration = engine_clock::duration;

/// limits.uncertain: what becomes of a part written to a bind whose answer was lost, once no receipt
/// resolved it within the grace period.
enum class uncertain_policy { resend, report };

/// One carrier this gateway has binds to: one lane of the campaign.
struct lane_settings {
  std::string carrier;
  int parts = 1;           ///< SMS parts of the campaign's text through this carrier
  std::string unsendable;  ///< why the text cannot go through this carrier ("" when it can): refused at once
};

/// Everything the engine needs to know; the defaults are production's, tests shorten them.
struct engine_settings {
  std::string campaign;  ///< the campaign id
  std::string owner;     ///< this gateway run ("GATEWAY/RUN"), written into the records it claims
  std::vector<lane_settings> lanes;
  uncertain_policy uncertain = uncertain_policy::resend;
  duration validity = std::chrono::hours(24);  ///< the grace for uncertain parts never exceeds it
  duration min_grace = std::chrono::minutes(1);
  std::uint64_t buckets_per_read = 8;  ///< buckets per read of a chunk
  std::size_t lane_memory = 4096;      ///< unclaimed numbers a lane keeps in memory; beyond, parked in Redis
  std::size_t claim_batch = 500;       ///< numbers per claim
  std::size_t park_batch = 500;        ///< numbers per parcel
  std::size_t record_batch = 4000;     ///< outcomes per record
  std::size_t units_held_max = 4;      ///< chunks held at once
  std::size_t parcels_held_max = 8;    ///< parcels a lane holds at once (taken only while it is hungry)
  /// Units held open only by parts waiting for a receipt or their grace (a crash's uncertain parts), held
  /// beside units_held_max rather than in it, so the reading goes on meanwhile; at most this many.
  std::size_t waiting_units_max = 16;
  duration heartbeat_every = std::chrono::seconds(1);
  duration heartbeat_ttl =
      std::chrono::seconds(3);                    ///< a run silent this long is dead: its work is taken over
  duration poll_every = std::chrono::seconds(1);  ///< state check; asking again for work when none was free
  duration record_linger =
      std::chrono::milliseconds(20);  ///< a small batch of outcomes waits this for company
  duration store_retry =
      std::chrono::milliseconds(500);              ///< a failed store request is issued again after this
  duration park_after = std::chrono::seconds(5);   ///< a lane throttled this long parks what it holds
  /// A lane that has left a chunk's number unclaimed this long while another lane waits for work parks
  /// every chunk number it holds (a fast lane claims what it reads within moments).
  duration pin_after = std::chrono::seconds(1);
  duration stop_grace = std::chrono::seconds(15);  ///< on stop, how long to wait for the binds' answers
};

/// A carrier's answer to one submit_sm.
enum class answer_kind {
  accepted,     ///< message_id set
  retry_later,  ///< throttled or not taken: resend after retry_after (the carrier is throttling)
  refused,      ///< for good: recorded R
  uncertain,    ///< written, no answer (timeout, bind closed)
};

/// What the driver reports for a submit.
struct answer {
  answer_kind kind = answer_kind::accepted;
  std::string message_id;
  duration retry_after{};
  std::string reason;  ///< why refused or uncertain
};

/// A number read from a chunk and routed (driver: broadcast::router) to a carrier.
struct routed {
  std::string number;
  std::string carrier;
};

/// A chunk (a range of buckets of every ward, an entry of loa:{c:ID}:chunks) handed to this run.
struct chunk_grant {
  std::string entry;
  std::uint64_t from = 0, to = 0;  ///< buckets [from, to)
  std::string previous;            ///< the run that held it before ("" when new)
};

/// A parcel (a parked batch of one carrier's numbers, an entry of loa:{c:ID}:backlog:CARRIER).
struct parcel_grant {
  std::string entry;
  std::vector<std::string> numbers;
  std::string previous;
};

/// What the claim script found for one number.
struct claim_result {
  enum class kind {
    fresh,    ///< a new record, every part C (claimed, not written)
    settled,  ///< nothing left to do (every part has its answer)
    taken,    ///< a record of a dead run (or of this run) now owned by us: `parts` says what is left
    busy,     ///< held by a live run: it finishes it
  } what = kind::fresh;
  std::string parts;  ///< taken: the letters (C: send, I: written and unanswered, others: settled)
  /// taken with I parts: how long ago (Redis's clock) the record was last marked submitting, so that their
  /// grace counts from then rather than from this take-over; 0 when unknown (a record written before marks
  /// were timed): the grace then counts from now.
  duration marked_ago{};
};

/// One part's outcome to record.
struct outcome {
  std::string carrier;
  std::string number;
  int part = 1;            ///< 1-based
  char letter = 'S';       ///< S accepted, R refused, U uncertain, C handed back unwritten
  std::string message_id;  ///< S: the carrier's id (the driver normalises it into the receipt key)
  std::string reason;
};

/// One part of one number.
struct part_ref {
  std::string number;
  int part = 1;  ///< 1-based
};

/// Why a lane is not sending.
enum class lane_block { none, not_bound, throttled, unsendable };

/// A lane as `loa status --json` shows it.
struct lane_status {
  std::string carrier;
  std::size_t queued = 0;     ///< unclaimed in memory plus claimed and not yet written
  std::size_t parked = 0;     ///< numbers this run parked in Redis and has not taken back
  std::size_t in_flight = 0;  ///< written, waiting for the carrier's answer
  std::size_t uncertain = 0;  ///< written, answer lost, waiting for a receipt or the grace period
  std::size_t sent = 0;       ///< parts accepted by the carrier
  lane_block why = lane_block::none;
  std::optional<time_point> since;  ///< when `why` began (the driver prints it as wall time)
};

/// "not bound", "throttled by the carrier", "cannot be sent through this carrier", "".
std::string_view to_string(lane_block b) noexcept;

/// The engine's timers; arming an id replaces its previous deadline.
enum class timer_id {
  heartbeat,  ///< time to show this run is alive
  poll,       ///< check the campaign's state; ask again for work
  wake,       ///< the earliest lane deadline: throttle over, grace over, outcomes to write, a store retry
};

/// How the engine ended.
enum class end_reason {
  done,       ///< every chunk and parcel settled (here or elsewhere)
  cancelled,  ///< cancelled: what the binds held was answered and recorded
  stopped,    ///< stop(): settled work acknowledged, the rest handed back
  held,       ///< held for approval: as stopped, the campaign waits for an approver
};

namespace action {
// Store requests carry `request`; the driver answers each with its on_... event, or on_store_failed(request).
// Every request is idempotent (the engine may issue it again after a failure).
/// Create the chunk stream unless it exists.
struct publish {
  std::uint64_t request;
};
/// This run is alive for ttl (0: it is gone now).
struct heartbeat {
  std::uint64_t request;
  duration ttl;
};
/// Take a chunk: this gateway's previous run's, a dead run's, or a new one.
struct take_chunk {
  std::uint64_t request;
};
/// Take a parcel of this carrier's backlog other than those `held` (the entries this run holds of it).
struct take_parcel {
  std::uint64_t request;
  std::string carrier;
  std::vector<std::string> held;
};
/// Read buckets [from, to) of a chunk held.
struct read {
  std::uint64_t request;
  std::string entry;
  std::uint64_t from, to;
};
/// Claim these numbers for `carrier` (records with every part C); report on_claimed.
struct claim {
  std::uint64_t request;
  std::string carrier;
  std::vector<std::string> numbers;
};
/// Record these parts "submitting" (C -> I, only where this run owns the record), one write for the batch,
/// before any of them is written to a bind.
struct mark_submitting {
  std::uint64_t request;
  std::string carrier;
  std::vector<part_ref> parts;
};
/// Write this part to a bind of `carrier`; report on_answer(token).
struct submit {
  std::uint64_t token;
  std::string carrier;
  std::string number;
  int part;
};
/// Record outcomes (idempotent); `resent` parts were sent again.
struct record {
  std::uint64_t request;
  std::vector<outcome> outcomes;
  std::uint64_t resent;
};
/// Append these numbers to the carrier's backlog (one parcel) and give back this run's unwritten claims on
/// them (records with every part C), in one script.
struct park {
  std::uint64_t request;
  std::string carrier;
  std::vector<std::string> numbers;
};
/// Acknowledge a settled chunk (carrier "") or parcel.
struct ack {
  std::uint64_t request;
  std::string carrier;
  std::string entry;
};
/// Hand a chunk or parcel back: any run may take it at once; `error` ("" none) is kept for its poison record.
struct release {
  std::uint64_t request;
  std::string carrier;
  std::string entry;
  std::string error;
};
/// Which of these entries does this run still hold (after its heartbeat lapsed)?
struct keep {
  std::uint64_t request;
  std::vector<std::string> entries;
};
/// Receipts that came with an unknown message id from these numbers on this carrier: report on_receipt.
struct look_up_receipts {
  std::uint64_t request;
  std::string carrier;
  std::vector<std::string> numbers;
};
/// Read the campaign's state: report on_state.
struct check_state {
  std::uint64_t request;
};
/// Start (or restart) a timer; report on_timer(id).
struct arm_timer {
  timer_id id;
  duration after;
};
/// The engine has finished; nothing more will be asked.
struct finished {
  end_reason why;
};
}  // namespace action

/// One thing for the driver to do, in order.
using engine_action =
    std::variant<action::publish, action::heartbeat, action::take_chunk, action::take_parcel, action::read,
                 action::claim, action::mark_submitting, action::submit, action::record, action::park,
                 action::ack, action::release, action::keep, action::look_up_receipts, action::check_state,
                 action::arm_timer, action::finished>;
/// The actions of one step.
using engine_actions = std::vector<engine_action>;

}  // namespace loa::campaign
