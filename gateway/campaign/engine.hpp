// The fan-out of one campaign on this gateway as a sans-io state machine (STYLE practice 1, in the manner of
// smpp::session): fed events (a chunk taken, recipients read, claims recorded, a carrier's capacity, a submit
// answered, a receipt, a timer, cancel, stop) with the time, it returns actions (read, claim, mark
// submitting, submit on carrier C, record, park, ack, release, arm a timer). It never touches Redis, a socket
// or a clock; a thin Asio driver performs the actions against campaign_store and the carrier pools, and
// reports each store request's result (or its failure: every request is idempotent and issued again).
//
// Lanes. One lane per carrier. Numbers are routed when read and queued on their carrier's lane; each lane
// claims, marks and submits only against its own carrier's capacity (free window slots, reported by the
// driver) and pauses on its own throttling. A lane keeps at most `lane_memory` unclaimed numbers in memory;
// a lane that cannot send (not bound; throttled for more than park_after) or is over that limit PARKS the
// rest: the numbers go to its carrier's backlog in Redis, a stream loa:{c:ID}:backlog:CARRIER (NEW) whose
// entries are parcels of up to park_batch numbers, read by the consumer group "gateways" like the chunks.
// Parking also gives back this run's unwritten claims on those numbers (records whose parts are all C).
// Once parked, a number no longer holds its chunk open, so the chunk is acknowledged and the other lanes
// read on; memory stays flat in the campaign's size. A lane that can send again takes parcels of its
// carrier's backlog (any gateway bound to that carrier may) before new chunks are read for it. A lane that
// holds chunks open for pin_after while another lane waits for work is "pinning" (a slow carrier with a few
// numbers in every chunk): from then on it sends only from parcels and parks what chunks give it.
//
// A recipient's parts, in its record loa:{c:ID}:r (letters NEW in Redis: C):
//   C  claimed, not written to any bind: after a crash it goes out again with no doubt
//   I  marked "submitting" in one write per batch just before the batch is written to the binds
//   S/R/U and the receipt letters, as today.
// Only I parts whose answer was lost are uncertain. They wait: a receipt with an unknown message id whose
// source is that number on that carrier resolves the part as accepted (recorded S under that id, so the
// held receipt is applied); after the grace period (3 x the carrier's observed receipt delay, at least
// min_grace, at most the validity) the part is sent again (uncertain_policy::resend) or recorded U (report).
// A unit held open only by such waiting parts does not count against units_held_max (up to
// waiting_units_max of them): the run reads on meanwhile.
//
// Two gateways. Each run writes a heartbeat (loa:{c:ID}:alive, hash run -> deadline ms, NEW; replaces the
// 3 s XCLAIM keep-alive and the 15 s idle) every heartbeat_every with heartbeat_ttl. take_chunk and
// take_parcel give, in order, this gateway's previous run's units, a unit of a run whose heartbeat lapsed,
// a new one; polled every poll_every, so a survivor takes a dead run's work within ttl + poll (4 s by
// default). The claim script takes over a dead run's records (owner rewritten) and says `busy` for a live
// run's. A run whose own heartbeat lapsed stops marking (its records may be taken over: the mark script
// writes only records the run still owns) and asks which units it still holds once Redis answers again.
// stop() waits for the binds' answers, acknowledges what is settled, hands the rest back, and removes
// the heartbeat, so another gateway goes on at once.
//
// The campaign is done when every chunk and every parcel is acknowledged (the meta's `parcels_open` NEW, +1
// per park, -1 per parcel ack); the ack script that settles the last one moves it to done, as today.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/broadcast/campaign.hpp"
#include "gateway/campaign/engine_io.hpp"
#include "gateway/campaign/work_book.hpp"

namespace loa::campaign {

/// The sans-io fan-out of one campaign on this gateway.
class engine {
 public:
  /// An engine that has not begun; start() begins.
  explicit engine(engine_settings settings);

  /// Begin: publish the chunks, beat, ask for work.
  engine_actions start(time_point now);
  /// The carrier's binds now: how many are up, submits that would be written now, its receipt delay.
  engine_actions on_carrier(const std::string& carrier, std::size_t binds_up, std::size_t free,
                            duration receipt_delay, time_point now);
  /// A timer armed by arm_timer expired.
  engine_actions on_timer(timer_id id, time_point now);
  /// The official cancelled the campaign (or on_state found it cancelled).
  engine_actions cancel(time_point now);
  /// Graceful stop of this run.
  engine_actions stop(time_point now);

  // Results of store requests, by the request's id.

  /// The chunk stream exists (published now or before): work may be taken.
  engine_actions on_published(std::uint64_t request, time_point now);
  /// The heartbeat was written: this run counts as alive for another ttl.
  engine_actions on_heartbeat(std::uint64_t request, time_point now);
  /// take_chunk found a chunk, none free now (nullopt), or the campaign finished (`finished`).
  engine_actions on_chunk(std::uint64_t request, std::optional<chunk_grant> grant, bool finished,
                          time_point now);
  /// take_parcel found a parcel of the lane's backlog, or none (nullopt: asked again after poll_every).
  engine_actions on_parcel(std::uint64_t request, std::optional<parcel_grant> grant, time_point now);
  /// The numbers of the buckets read, routed; `held`: the read moved the campaign to awaiting_approval.
  engine_actions on_read(std::uint64_t request, std::vector<routed> numbers, bool held, time_point now);
  /// The chunk's data cannot be read (a script error, not Redis being away): handed back with `why`.
  engine_actions on_read_failed(std::uint64_t request, std::string why, time_point now);
  /// One result per number claimed; `refused`: the campaign is not running (nothing claimed).
  engine_actions on_claimed(std::uint64_t request, std::vector<claim_result> results, bool refused,
                            time_point now);
  /// The batch is marked submitting, except `refused` numbers (their records are no longer this run's).
  engine_actions on_marked(std::uint64_t request, const std::vector<std::string>& refused, time_point now);
  /// The outcomes are written: recipients whose every part is answered leave memory.
  engine_actions on_recorded(std::uint64_t request, time_point now);
  /// The parcel is in the carrier's backlog: its numbers no longer hold their units open.
  engine_actions on_parked(std::uint64_t request, time_point now);
  /// An ack or release done; `done_now`: it finished the campaign.
  engine_actions on_acked(std::uint64_t request, bool done_now, time_point now);
  /// keep's answer: per entry asked, whether this run still holds it.
  engine_actions on_kept(std::uint64_t request, const std::vector<bool>& ours, time_point now);
  /// look_up_receipts done (what it found came as on_receipt calls before this).
  engine_actions on_looked_up(std::uint64_t request, time_point now);
  /// The campaign's state (nullopt: no such campaign): cancelled, done or held end the run.
  engine_actions on_state(std::uint64_t request, std::optional<broadcast::campaign_state> state,
                          time_point now);
  /// A store request failed (Redis away): it is issued again later.
  engine_actions on_store_failed(std::uint64_t request, time_point now);
  /// The carrier answered the submit `token`.
  engine_actions on_answer(std::uint64_t token, const answer& a, time_point now);
  /// A receipt on `carrier` whose message id matched nothing, from `number`: true when it resolved an
  /// uncertain part of this campaign (the driver then leaves it to the record that applies it).
  bool on_receipt(const std::string& carrier, const std::string& number, const std::string& message_id,
                  time_point now, engine_actions& out);

  /// Each lane as `loa status --json` shows it.
  std::vector<lane_status> status() const;
  /// True once action::finished was returned.
  bool finished() const { return end_.has_value(); }
  /// Parts sent again since start (uncertain resends).
  std::uint64_t resent_total() const { return resent_total_; }

 private:
  struct queued {
    std::string number;
    std::uint64_t unit = 0;
    time_point since{};  // when read from its chunk (a parcel's: when taken)
  };
  struct lane {
    lane_settings cfg;
    std::deque<queued> unclaimed;                     // read, routed, not claimed
    std::deque<std::pair<time_point, queued>> later;  // held by a live run: ask again then
    std::deque<part_ref> ready;                       // claimed parts (C) waiting to be marked
    bool known = false;                               // the driver reported its binds
    std::size_t binds_up = 0, free = 0;
    duration receipt_delay{};
    std::optional<time_point> down_since, throttled_until, throttled_since;
    std::size_t marking = 0, in_flight = 0, uncertain = 0, sent = 0, parked = 0;
    bool claiming = false, mark_pending = false, taking_parcel = false, backlog_maybe = true;
    bool pinning = false;  // slow enough to pin chunks: sends only from parcels, parks what chunks give it
    std::deque<std::pair<time_point, std::string>> claimed_order;  // (claimed at, number), for pins_since
    time_point next_parcel_ask{};
  };
  struct recipient {
    std::size_t lane = 0;
    std::uint64_t unit = 0;
    std::string parts;            // C, M (in a mark request), I (written), T (to resend: throttled),
                                  // W (uncertain, waiting), B (handed back unwritten), or a final letter
    std::vector<time_point> due;  // per part: when a T or W part is looked at again
    int unrecorded = 0;           // outcomes not yet written
    time_point since{};           // when claimed
    // Taken over with uncertain (W) parts whose receipt look-up has not answered yet: a receipt stored
    // meanwhile may resolve them, so they are not sent again before it answers, even past their grace.
    bool looking = false;
  };
  struct pending {
    engine_action act;
    std::vector<std::uint64_t> units;  // claim, park: the unit of each number
    std::size_t lane = 0;
    std::uint64_t unit = 0;         // read, ack, release: the unit
    std::vector<outcome> outcomes;  // record: what it writes
  };
  // The request an answer is for, taken out of requests_ (nullopt: nothing pending has that id, e.g. after a
  // stop handed everything back).
  std::optional<pending> take_request(std::uint64_t request);


  // engine.cpp: requests, work units, the step that issues what can go now, the end.
  std::uint64_t issue(engine_actions& out, engine_action act);
  std::uint64_t issue(engine_actions& out, engine_action act, pending r);
  void pump(engine_actions& out, time_point now);
  void pump_work(engine_actions& out, time_point now);
  void pump_units(engine_actions& out);
  void pump_record(engine_actions& out, time_point now);
  void arm_wake(engine_actions& out, time_point now);
  void maybe_finish(engine_actions& out, time_point now);
  void wind_down(engine_actions& out, end_reason why, time_point now);
  bool winding_down() const { return ending_.has_value(); }
  bool fenced(time_point now) const;
  void drop_unit_numbers(std::uint64_t unit);
  std::set<std::uint64_t> waiting_units() const;
  // lanes.cpp: per lane, park, claim, mark, submit, answers, uncertain parts.
  bool usable(const lane& l, time_point now) const;
  bool hungry(const lane& l, time_point now) const;
  std::size_t capacity(const lane& l) const;
  std::optional<time_point> pins_since(std::size_t index);
  void drop_answered_claims(lane& l);
  bool from_chunk(std::uint64_t unit) const;
  void pump_lane(engine_actions& out, std::size_t index, time_point now);
  void park_some(engine_actions& out, std::size_t index, std::optional<std::size_t> keep, bool chunks_only);
  void claim_some(engine_actions& out, std::size_t index, time_point now);
  void mark_some(engine_actions& out, std::size_t index, time_point now);
  void add_claimed(std::size_t index, const std::string& number, std::uint64_t unit, std::string parts,
                   duration marked_ago, time_point now, std::vector<std::string>& look_up);
  void due_parts(time_point now);
  void settle_part(const std::string& number, int part, char letter, std::string message_id,
                   std::string reason, time_point now);
  void release_if_settled(const std::string& number);
  // Part `part` (1-based) of `r` becomes T or W, looked at again at `due`.
  void wait_part(recipient& r, const std::string& number, int part, char letter, time_point due);
  duration grace(const lane& l) const;
  lane* lane_of(const std::string& carrier);

  engine_settings s_;
  std::vector<lane> lanes_;
  std::unordered_map<std::string, recipient> active_;                      // claimed numbers, by number
  // When each T or W part is due to be looked at again, soonest first, so that a pump (one per answer) looks
  // at those due rather than at every claimed number. An entry whose part has moved on since is skipped.
  std::multimap<time_point, part_ref> timed_;
  std::unordered_map<std::uint64_t, std::pair<std::string, int>> tokens_;  // submit token -> number, part
  work_book book_;
  std::map<std::uint64_t, pending> requests_;                 // store requests in flight
  std::deque<std::pair<time_point, std::uint64_t>> retries_;  // failed requests to issue again
  std::vector<outcome> outcomes_;                             // to record
  time_point first_outcome_{};
  std::uint64_t resent_ = 0, resent_total_ = 0;
  std::uint64_t next_request_ = 1, next_token_ = 1;
  bool published_ = false, taking_ = false, reading_ = false, record_pending_ = false, checking_ = false;
  bool campaign_done_ = false;
  time_point next_take_{}, last_beat_ok_{}, stop_deadline_{};
  bool lapsed_ = false;  // the heartbeat lapsed: keep asked once it answers again
  std::optional<end_reason> ending_, end_;
};

}  // namespace loa::campaign
