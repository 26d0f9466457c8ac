// A simulated world for the campaign engine: a model of the Redis layout the engine assumes (engine.hpp:
// chunks, backlog parcels, records with C/I letters, heartbeats), carriers with a window, a latency and
// receipts, and gateways that each drive one engine as the Asio driver will. Time is simulated; a gateway
// can crash after any step (a store request applied or a submit written) and be restarted as a new run.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gateway/campaign/engine.hpp"

namespace sim {

using namespace loa::campaign;
using namespace std::chrono_literals;

/// The store: what Redis holds for one campaign.
struct store {
  struct entry {
    std::string id;
    std::uint64_t from = 0, to = 0;
    std::vector<std::string> numbers;  // a parcel's
    std::string holder;                // the run that holds it, or held it last when released
    bool delivered = false, acked = false, released = false;
  };
  struct record {
    std::string carrier, parts, owner;
    std::optional<time_point>
        marked;  // the latest mark (the script's marked_ms): a take-over's grace counts from it
  };
  std::vector<entry> chunks;
  std::map<std::string, std::vector<entry>> backlog;  // carrier -> parcels
  std::map<std::string, record> records;
  std::map<std::string, time_point> alive;  // run -> heartbeat deadline
  std::map<std::uint64_t, std::vector<std::string>> buckets;
  std::map<std::string, std::string> route;  // number -> carrier
  loa::broadcast::campaign_state state = loa::broadcast::campaign_state::running;
  std::map<std::pair<std::string, std::string>, std::string> dlr;  // (carrier, id) -> number
  std::map<std::pair<std::string, std::string>, std::vector<std::string>>
      unmatched;  // (carrier, number) -> ids
  std::uint64_t parked_total = 0, resent = 0;
  std::vector<std::pair<std::string, std::string>> takes;  // (taker, entry) in order
  std::vector<time_point> take_times;
  std::vector<std::string> previous_holders;
};

/// One carrier as one gateway's binds see it.
struct carrier {
  std::string name;
  std::size_t window = 10;
  duration latency = 100ms;
  duration receipt_delay = 2s;
  bool up = true, throttling = false, receipts = true;
  std::size_t in_window = 0;
};

struct world;

/// One gateway process: its binds and its current run's engine.
struct gateway {
  std::string name;
  std::map<std::string, carrier> carriers;
  std::unique_ptr<engine> machine;
  std::string owner;
  int run = 0;
  std::uint64_t generation = 0;  // bumped by a crash: callbacks of a dead run are dropped
  std::map<timer_id, time_point> timers;
  std::optional<end_reason> ended;
  std::set<std::uint64_t> unanswered;  // submit tokens written and not yet answered
  std::map<std::uint64_t, std::pair<std::string, int>> token_part;
};

/// What the handsets received.
struct delivery {
  std::string gateway, carrier, number;
  int part = 1;
  time_point at;
};

struct world {
  world();
  store db;
  std::vector<std::unique_ptr<gateway>> gateways;
  time_point now;
  std::vector<delivery> deliveries;          // every submit written and taken by the SMSC
  std::size_t steps = 0;                     // store requests applied and submits written, all gateways
  std::optional<std::size_t> crash_at_step;  // crash gateway crash_who when `steps` reaches this
  std::size_t crash_who = 0;
  std::optional<std::size_t> cancel_at_step;
  std::optional<std::size_t> hold_at_read;  // the read that moves the campaign to awaiting_approval
  std::size_t reads = 0;
  std::optional<std::size_t>
      fail_every;  // one store request in n fails (Redis away), drawn from a fixed seed
  std::size_t store_calls = 0;
  std::minstd_rand failures{12345};
  std::size_t written_after_cancel = 0;
  bool cancelled = false;
  std::set<std::pair<std::string, int>> written_unanswered_at_crash;  // I in Redis and written to a bind
  std::set<std::pair<std::string, int>> marked_unwritten_at_crash;    // I in Redis, never written
  std::set<std::pair<std::string, int>> written;                      // every part ever written
  duration store_latency = 1ms;

  /// Recipients 0..n-1, carrier chosen by weights (e.g. {{"A",6},{"B",3},{"C",1}}), over `chunk_count`
  /// chunks of `buckets_per_chunk` buckets.
  void populate(std::size_t n, const std::vector<std::pair<std::string, int>>& weights,
                std::size_t chunk_count, std::uint64_t buckets_per_chunk);
  /// A gateway with these carriers; its engine built from `settings` (campaign, owner and lanes set here).
  gateway& add_gateway(const std::string& name, std::vector<carrier> carriers, engine_settings settings,
                       int parts = 1);
  /// Starts (or restarts, as a new run) gateway i.
  void start(std::size_t i);
  /// The gateway dies: its pending work and answers vanish; the carriers keep what was written.
  void crash(std::size_t i);
  void stop(std::size_t i);
  /// A carrier's binds of gateway i go down (what was in the window is answered uncertain) or up.
  void set_up(std::size_t i, const std::string& carrier, bool up);
  /// Runs events until `until` or until nothing is left.
  void run_until(time_point until);
  void at(time_point t, std::function<void()> f);

  /// Parts delivered per (number, part).
  std::map<std::pair<std::string, int>, int> received() const;
  /// The last delivery time on `carrier`, as seconds since the start.
  double finished_s(const std::string& carrier) const;
  time_point start_time;
  bool done() const;

  engine_settings base;
  std::map<std::string, int> parts_of;

 private:
  struct event {
    time_point t;
    std::uint64_t seq;
    std::function<void()> f;
    bool operator>(const event& o) const { return t != o.t ? t > o.t : seq > o.seq; }
  };
  std::priority_queue<event, std::vector<event>, std::greater<>> queue_;
  std::uint64_t seq_ = 0, message_ = 0;
  void perform(std::size_t i, engine_actions actions);
  void perform_one(std::size_t i, engine_action a);
  void step_done(std::size_t i);
  void maybe_cancel(bool next_turn);
  void report_capacity(std::size_t i, const std::string& carrier);
  void receipt(const std::string& carrier, const std::string& number, const std::string& id);
  // Store operations (the scripts).
  std::optional<chunk_grant> take_chunk(const std::string& owner, bool& finished);
  std::optional<parcel_grant> take_parcel(const std::string& owner, const std::string& carrier);
  bool dead(const std::string& owner) const;
  bool same_gateway(const std::string& a, const std::string& b) const;
  bool ack(const std::string& carrier, const std::string& entry);
};

}  // namespace sim
