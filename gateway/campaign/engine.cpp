// The engine's events, its store requests, the work units it holds and how it ends. The lanes' own steps
// (park, claim, mark, submit, answers) are in lanes.cpp.
#include "gateway/campaign/engine.hpp"

#include <algorithm>
#include <type_traits>

namespace loa::campaign {

namespace {
template <class T>
concept store_request = requires(T t) {
  t.request;
};

// Requests whose answer the end waits for (a heartbeat, a state check or a look-up may be left behind).
bool work_request(const engine_action& a) {
  return std::holds_alternative<action::take_chunk>(a) || std::holds_alternative<action::take_parcel>(a) ||
         std::holds_alternative<action::read>(a) || std::holds_alternative<action::claim>(a) ||
         std::holds_alternative<action::mark_submitting>(a) || std::holds_alternative<action::record>(a) ||
         std::holds_alternative<action::park>(a) || std::holds_alternative<action::ack>(a) ||
         std::holds_alternative<action::release>(a);
}
}  // namespace

std::string_view to_string(lane_block b) noexcept {
  switch (b) {
    case lane_block::none:
      return "";
    case lane_block::not_bound:
      return "not bound";
    case lane_block::throttled:
      return "throttled by the carrier";
    case lane_block::unsendable:
      return "cannot be sent through this carrier";
  }
  return "";
}

engine::engine(engine_settings settings) : s_(std::move(settings)) {
  for (const auto& l : s_.lanes) {
    lanes_.emplace_back();
    lanes_.back().cfg = l;
  }
}

std::uint64_t engine::issue(engine_actions& out, engine_action act) {
  return issue(out, std::move(act), pending{});
}

std::uint64_t engine::issue(engine_actions& out, engine_action act, pending r) {
  const auto id = next_request_++;
  std::visit(
      [id](auto& a) {
        if constexpr (store_request<std::decay_t<decltype(a)>>) a.request = id;
      },
      act);
  r.act = act;
  requests_.emplace(id, std::move(r));
  out.push_back(std::move(act));
  return id;
}

engine_actions engine::start(time_point now) {
  engine_actions out;
  last_beat_ok_ = now;
  next_take_ = now;
  issue(out, action::publish{});
  issue(out, action::heartbeat{0, s_.heartbeat_ttl});
  out.push_back(action::arm_timer{timer_id::heartbeat, s_.heartbeat_every});
  out.push_back(action::arm_timer{timer_id::poll, s_.poll_every});
  pump(out, now);
  return out;
}

engine_actions engine::on_carrier(const std::string& carrier, std::size_t binds_up, std::size_t free,
                                  duration receipt_delay, time_point now) {
  engine_actions out;
  if (auto* l = lane_of(carrier)) {
    l->known = true;
    l->binds_up = binds_up;
    l->free = free;
    if (receipt_delay > duration::zero()) l->receipt_delay = receipt_delay;
    if (binds_up == 0 && !l->down_since) l->down_since = now;
    if (binds_up > 0) l->down_since.reset();
  }
  pump(out, now);
  return out;
}

engine_actions engine::on_timer(timer_id id, time_point now) {
  engine_actions out;
  if (end_) return out;
  if (id == timer_id::heartbeat) {
    if (fenced(now)) lapsed_ = true;  // our work may have been taken over: ask once Redis answers
    issue(out, action::heartbeat{0, s_.heartbeat_ttl});
    out.push_back(action::arm_timer{timer_id::heartbeat, s_.heartbeat_every});
  } else if (id == timer_id::poll) {
    if (!checking_) {
      checking_ = true;
      issue(out, action::check_state{});
    }
    out.push_back(action::arm_timer{timer_id::poll, s_.poll_every});
  } else {
    while (!retries_.empty() && retries_.front().first <= now) {
      const auto rid = retries_.front().second;
      retries_.pop_front();
      if (auto it = requests_.find(rid); it != requests_.end()) out.push_back(it->second.act);
    }
  }
  pump(out, now);
  return out;
}

engine_actions engine::cancel(time_point now) {
  engine_actions out;
  wind_down(out, end_reason::cancelled, now);
  pump(out, now);
  return out;
}

engine_actions engine::stop(time_point now) {
  engine_actions out;
  if (!ending_) stop_deadline_ = now + s_.stop_grace;
  wind_down(out, end_reason::stopped, now);
  pump(out, now);
  return out;
}

void engine::wind_down(engine_actions&, end_reason why, time_point now) {
  // A cancel overrides a stop or a hold: nothing of it is to be handed on.
  if (ending_ && !(why == end_reason::cancelled && *ending_ != end_reason::cancelled)) return;
  if (!ending_ && why != end_reason::stopped) stop_deadline_ = now + s_.stop_grace;
  ending_ = why;
}

engine_actions engine::on_published(std::uint64_t request, time_point now) {
  engine_actions out;
  requests_.erase(request);
  published_ = true;
  pump(out, now);
  return out;
}

engine_actions engine::on_heartbeat(std::uint64_t request, time_point now) {
  engine_actions out;
  requests_.erase(request);
  last_beat_ok_ = now;
  if (lapsed_ && !book_.empty()) {
    // Silent past our ttl: another run may hold some of our units now. Ask which are still ours.
    pending r;
    action::keep k{0, {}};
    for (auto* u : book_.all()) {
      k.entries.push_back(u->entry);
      r.units.push_back(u->id);
    }
    issue(out, k, std::move(r));
  }
  lapsed_ = false;
  pump(out, now);
  return out;
}

engine_actions engine::on_kept(std::uint64_t request, const std::vector<bool>& ours, time_point now) {
  engine_actions out;
  auto req = take_request(request);
  if (!req) return out;
  const auto& units = req->units;
  for (std::size_t i = 0; i < units.size() && i < ours.size(); ++i) {
    if (ours[i]) continue;
    // Its new holder reads it again; what we claimed of it is fenced by the mark script's owner check.
    drop_unit_numbers(units[i]);
    book_.erase(units[i]);
  }
  pump(out, now);
  return out;
}

std::optional<engine::pending> engine::take_request(std::uint64_t request) {
  auto it = requests_.find(request);
  if (it == requests_.end()) return std::nullopt;
  auto taken = std::move(it->second);
  requests_.erase(it);
  return taken;
}

void engine::drop_unit_numbers(std::uint64_t unit) {
  for (auto& l : lanes_) {
    std::erase_if(l.unclaimed, [unit](const queued& q) { return q.unit == unit; });
    std::erase_if(l.later, [unit](const auto& p) { return p.second.unit == unit; });
  }
}

engine_actions engine::on_chunk(std::uint64_t request, std::optional<chunk_grant> grant, bool finished,
                                time_point now) {
  engine_actions out;
  requests_.erase(request);
  taking_ = false;
  if (finished) campaign_done_ = true;
  if (grant)
    book_.add_chunk(*grant);
  else
    next_take_ = now + s_.poll_every;
  pump(out, now);
  return out;
}

engine_actions engine::on_parcel(std::uint64_t request, std::optional<parcel_grant> grant, time_point now) {
  engine_actions out;
  auto req = take_request(request);
  if (!req) return out;
  auto& l = lanes_[req->lane];
  l.taking_parcel = false;
  if (!grant) {
    l.backlog_maybe = false;
    l.next_parcel_ask = now + s_.poll_every;
  } else {
    const auto unit = book_.add_parcel(l.cfg.carrier, *grant);
    book_.opened(unit, grant->numbers.size());
    l.parked -= std::min(l.parked, grant->numbers.size());
    for (auto& n : grant->numbers) l.unclaimed.push_back({std::move(n), unit, now});
  }
  pump(out, now);
  return out;
}

engine_actions engine::on_read(std::uint64_t request, std::vector<routed> numbers, bool held,
                               time_point now) {
  engine_actions out;
  auto req = take_request(request);
  if (!req) return out;
  const auto unit = req->unit;
  const auto& rd = std::get<action::read>(req->act);
  if (auto* u = book_.find(unit)) {
    u->reading = false;
    u->next = std::max(u->next, rd.to);
    for (auto& r : numbers) {
      auto* l = lane_of(r.carrier);
      if (!l) continue;  // the router names only carriers of this gateway
      l->unclaimed.push_back({std::move(r.number), unit, now});
      book_.opened(unit);
    }
  }
  reading_ = false;
  if (held) wind_down(out, end_reason::held, now);  // the read counted it past the approval threshold
  pump(out, now);
  return out;
}

engine_actions engine::on_read_failed(std::uint64_t request, std::string why, time_point now) {
  engine_actions out;
  auto req = take_request(request);
  if (!req) return out;
  if (auto* u = book_.find(req->unit)) {
    u->reading = false;
    u->failed = std::move(why);  // handed back once what was read of it is settled
  }
  reading_ = false;
  pump(out, now);
  return out;
}

engine_actions engine::on_acked(std::uint64_t request, bool done_now, time_point now) {
  engine_actions out;
  auto req = take_request(request);
  if (!req) return out;
  drop_unit_numbers(req->unit);
  book_.erase(req->unit);
  if (done_now) campaign_done_ = true;
  pump(out, now);
  return out;
}

// The receipts already stored for these numbers came (on_receipt) before this: a take-over's waiting parts
// left unresolved now start their wait, due at once when their grace is over (due_parts skipped them).
engine_actions engine::on_looked_up(std::uint64_t request, time_point now) {
  engine_actions out;
  auto req = take_request(request);
  if (!req) return out;
  for (const auto& number : std::get<action::look_up_receipts>(req->act).numbers) {
    auto it = active_.find(number);
    if (it == active_.end() || !it->second.looking) continue;
    auto& r = it->second;
    r.looking = false;
    for (std::size_t p = 0; p < r.parts.size(); ++p)
      if (r.parts[p] == 'W' && r.due[p] <= now) wait_part(r, number, static_cast<int>(p + 1), 'W', now);
  }
  pump(out, now);
  return out;
}

engine_actions engine::on_state(std::uint64_t request, std::optional<broadcast::campaign_state> state,
                                time_point now) {
  engine_actions out;
  requests_.erase(request);
  checking_ = false;
  using cs = broadcast::campaign_state;
  if (!state || *state == cs::cancelled)
    wind_down(out, end_reason::cancelled, now);
  else if (*state == cs::done)
    campaign_done_ = true;  // another run settled the last unit
  else if (*state != cs::running)
    wind_down(out, end_reason::held, now);  // held for approval
  pump(out, now);
  return out;
}

engine_actions engine::on_store_failed(std::uint64_t request, time_point now) {
  engine_actions out;
  auto it = requests_.find(request);
  if (it == requests_.end()) return out;
  const auto& a = it->second.act;
  // Polls are simply asked again at their next turn; work is issued again as it was.
  if (std::holds_alternative<action::heartbeat>(a) || std::holds_alternative<action::check_state>(a) ||
      std::holds_alternative<action::keep>(a)) {
    if (std::holds_alternative<action::check_state>(a)) checking_ = false;
    if (std::holds_alternative<action::keep>(a)) lapsed_ = true;
    requests_.erase(it);
  } else if (std::holds_alternative<action::take_chunk>(a)) {
    taking_ = false;
    next_take_ = now + s_.store_retry;
    requests_.erase(it);
  } else if (std::holds_alternative<action::take_parcel>(a)) {
    lanes_[it->second.lane].taking_parcel = false;
    lanes_[it->second.lane].next_parcel_ask = now + s_.store_retry;
    lanes_[it->second.lane].backlog_maybe = false;
    requests_.erase(it);
  } else {
    retries_.emplace_back(now + s_.store_retry, request);
  }
  pump(out, now);
  return out;
}

bool engine::fenced(time_point now) const {
  return now - last_beat_ok_ > s_.heartbeat_ttl;
}

void engine::pump(engine_actions& out, time_point now) {
  if (end_) return;
  due_parts(now);
  if (!winding_down()) pump_work(out, now);
  for (std::size_t i = 0; i < lanes_.size(); ++i) pump_lane(out, i, now);
  pump_record(out, now);
  pump_units(out);
  maybe_finish(out, now);
  if (!end_) arm_wake(out, now);
}

// Units read to the end whose every open number only waits for a receipt or its grace (a crash's uncertain
// parts): at most waiting_units_max of them. They stay held (acknowledged once those parts settle; after a
// crash of this run another reads them again), but they do not count against units_held_max: the reading
// goes on meanwhile, instead of pausing for the grace.
std::set<std::uint64_t> engine::waiting_units() const {
  std::set<std::uint64_t> out;
  std::size_t uncertain = 0;
  for (const auto& l : lanes_) uncertain += l.uncertain;
  if (uncertain == 0) return out;
  // The W parts are in timed_ (with T parts, and entries of parts that moved on): far fewer than active_.
  std::map<std::uint64_t, std::size_t> waiting;  // unit -> its numbers that only wait
  std::set<std::string_view> seen;
  for (const auto& [due, p] : timed_) {
    if (!seen.insert(p.number).second) continue;
    const auto it = active_.find(p.number);
    if (it == active_.end()) continue;
    const auto& r = it->second;
    if (r.parts.find('W') != std::string::npos && r.parts.find_first_of("CMIT") == std::string::npos)
      ++waiting[r.unit];
  }
  for (const auto& [id, n] : waiting) {
    if (out.size() >= s_.waiting_units_max) break;
    const auto* u = book_.find(id);
    if (u && u->read_to_end() && !u->reading && !u->acking && u->open == n) out.insert(id);
  }
  return out;
}

// Takes parcels for lanes that can send and have room, then reads chunks (taking one when none is left to
// read) while some lane that can send is hungry. A lane that cannot send never makes us read.
void engine::pump_work(engine_actions& out, time_point now) {
  if (!published_ || fenced(now) || campaign_done_) return;
  const auto aside = waiting_units();
  std::vector<bool> wants(lanes_.size(), false);  // lanes that want chunks read for them
  for (std::size_t i = 0; i < lanes_.size(); ++i) {
    auto& l = lanes_[i];
    if (!hungry(l, now)) continue;
    if (l.taking_parcel) continue;
    // Parcels first, several at once (a slow lane's may be small), those kept open only by parts waiting for
    // their grace not counted.
    if (l.backlog_maybe && l.cfg.unsendable.empty() &&
        book_.parcels(l.cfg.carrier, aside).size() < s_.parcels_held_max) {
      l.taking_parcel = true;
      pending r;
      r.lane = i;
      issue(out, action::take_parcel{0, l.cfg.carrier, book_.parcels(l.cfg.carrier)}, std::move(r));
      continue;
    }
    wants[i] = true;
  }
  const auto wanting = static_cast<std::size_t>(std::count(wants.begin(), wants.end(), true));
  if (wanting == 0 || reading_) return;
  if (!book_.readable() && book_.chunks(aside) >= s_.units_held_max) {
    // Every chunk held is read, and held open by numbers waiting on slower lanes. A lane that has held a
    // chunk open for pin_after (pins_since) while another lane waits for work is pinning from now on: it
    // parks every chunk number it holds unclaimed, whatever their count, and claims only from parcels, which
    // pin no chunk; the chunks are acknowledged and the reading goes on. A lane backed up past twice its
    // hungry mark parks what is beyond that mark. A fast lane claims what it reads within moments: left alone.
    for (std::size_t i = 0; i < lanes_.size(); ++i) {
      auto& l = lanes_[i];
      if (!l.cfg.unsendable.empty()) continue;
      const bool other_wants = wanting > (wants[i] ? 1u : 0u);
      if (!l.pinning && other_wants) {
        const auto since = pins_since(i);
        l.pinning = since && now - *since >= s_.pin_after;
      }
      if (l.pinning)
        park_some(out, i, 0, true);
      else if (l.unclaimed.size() > 8 * capacity(l))
        park_some(out, i, 4 * capacity(l), true);
    }
    return;
  }
  if (auto* u = book_.readable()) {
    u->reading = true;
    reading_ = true;
    pending r;
    r.unit = u->id;
    issue(out, action::read{0, u->entry, u->next, std::min(u->next + s_.buckets_per_read, u->to)},
          std::move(r));
  } else if (!taking_ && book_.chunks(aside) < s_.units_held_max && now >= next_take_) {
    taking_ = true;
    issue(out, action::take_chunk{});
  }
}

// Claims are in time order: drops from the front those answered (or only waiting for a receipt), gone, or
// claimed again since; the front is then the lane's oldest open claim of a chunk number.
void engine::drop_answered_claims(lane& l) {
  while (!l.claimed_order.empty()) {
    const auto& [since, number] = l.claimed_order.front();
    const auto it = active_.find(number);
    if (it != active_.end() && it->second.since == since && it->second.parts.find_first_of("CMIT") != std::string::npos)
      return;
    l.claimed_order.pop_front();
  }
}

bool engine::from_chunk(std::uint64_t unit) const {
  const auto* u = book_.find(unit);
  return u && u->is_chunk();
}

// Since when the lane holds a chunk open: its oldest number of a chunk, unclaimed (read then) or claimed and
// not yet answered (claimed then); nullopt when it holds none.
std::optional<time_point> engine::pins_since(std::size_t index) {
  auto& l = lanes_[index];
  std::optional<time_point> at;
  for (const auto& q : l.unclaimed)
    if (from_chunk(q.unit)) {
      at = q.since;
      break;
    }
  drop_answered_claims(l);
  if (!l.claimed_order.empty() && (!at || l.claimed_order.front().first < *at)) at = l.claimed_order.front().first;
  return at;
}

void engine::pump_units(engine_actions& out) {
  if (ending_ == end_reason::cancelled) return;  // a cancelled campaign's chunks need nobody
  for (auto* u : book_.to_ack()) {
    u->acking = true;
    pending r;
    r.unit = u->id;
    issue(out, action::ack{0, u->carrier, u->entry}, std::move(r));
  }
  for (auto* u : book_.to_release_failed()) {
    u->acking = true;
    pending r;
    r.unit = u->id;
    issue(out, action::release{0, u->carrier, u->entry, u->failed}, std::move(r));
  }
}

void engine::pump_record(engine_actions& out, time_point now) {
  if (record_pending_ || outcomes_.empty()) return;
  std::size_t busy = 0;
  for (const auto& l : lanes_) busy += l.in_flight + l.marking;
  // Small batches wait a little for company: one script carries thousands as cheaply as one.
  if (outcomes_.size() < s_.record_batch && busy > 0 && !winding_down() &&
      now - first_outcome_ < s_.record_linger)
    return;
  const auto n = std::min(outcomes_.size(), s_.record_batch);
  pending r;
  r.outcomes.assign(outcomes_.begin(), outcomes_.begin() + static_cast<std::ptrdiff_t>(n));
  outcomes_.erase(outcomes_.begin(), outcomes_.begin() + static_cast<std::ptrdiff_t>(n));
  if (!outcomes_.empty()) first_outcome_ = now;
  record_pending_ = true;
  action::record rec{0, r.outcomes, resent_};  // built before r is moved into the request
  issue(out, std::move(rec), std::move(r));
  resent_ = 0;
}

engine_actions engine::on_recorded(std::uint64_t request, time_point now) {
  engine_actions out;
  auto it = requests_.find(request);
  if (it == requests_.end()) return out;
  const auto written = std::move(it->second.outcomes);
  requests_.erase(it);
  record_pending_ = false;
  for (const auto& o : written) {
    auto rec = active_.find(o.number);
    if (rec == active_.end()) continue;
    --rec->second.unrecorded;
    release_if_settled(o.number);
  }
  pump(out, now);
  return out;
}

void engine::arm_wake(engine_actions& out, time_point now) {
  std::optional<time_point> at;
  auto consider = [&at](time_point t) {
    if (!at || t < *at) at = t;
  };
  auto ahead = [&consider, now](time_point t) {  // a condition, not a queue: only while still to come
    if (t > now) consider(t);
  };
  if (!retries_.empty()) consider(retries_.front().first);
  if (!outcomes_.empty() && !record_pending_) consider(first_outcome_ + s_.record_linger);
  for (const auto& l : lanes_) {
    if (l.throttled_until) consider(*l.throttled_until);
    if (l.throttled_since) ahead(*l.throttled_since + s_.park_after);
    if (!l.later.empty()) consider(l.later.front().first);
    if (!l.backlog_maybe) consider(l.next_parcel_ask);
  }
  if (!timed_.empty()) consider(timed_.begin()->first);  // perhaps a part that moved on: one wake for nothing
  if (ending_) ahead(stop_deadline_);
  if (!taking_) ahead(next_take_);
  if (at) out.push_back(action::arm_timer{timer_id::wake, std::max(*at - now, duration::zero())});
}

void engine::maybe_finish(engine_actions& out, time_point now) {
  std::size_t busy = 0;
  for (const auto& l : lanes_) busy += l.in_flight + l.marking;
  bool work_out = false;
  for (const auto& [id, r] : requests_) work_out |= work_request(r.act);
  const bool late = ending_ && now >= stop_deadline_;
  if (campaign_done_ && !ending_) {
    if (busy == 0 && outcomes_.empty() && !work_out) {
      end_ = end_reason::done;
      out.push_back(action::finished{*end_});
    }
    return;
  }
  if (!ending_) return;
  if (!outcomes_.empty() || record_pending_) return;  // what was answered is always written first
  if (busy > 0 && !late) return;
  if (*ending_ == end_reason::cancelled) {
    if (work_out && !late) return;
    end_ = end_reason::cancelled;
    out.push_back(action::finished{*end_});
    return;
  }
  // Stopped or held: settled units are acknowledged (pump_units), the rest handed back at once.
  for (auto* u : book_.all()) {
    if (u->acking || u->reading) continue;
    u->acking = true;
    pending r;
    r.unit = u->id;
    issue(out, action::release{0, u->carrier, u->entry, ""}, std::move(r));
  }
  for (const auto& [id, r] : requests_) work_out |= work_request(r.act);
  if (work_out && !late) return;
  issue(out, action::heartbeat{0, duration::zero()});  // gone: nobody waits for our ttl
  end_ = *ending_;
  out.push_back(action::finished{*end_});
}

std::vector<lane_status> engine::status() const {
  std::vector<lane_status> out;
  for (const auto& l : lanes_) {
    lane_status st;
    st.carrier = l.cfg.carrier;
    st.queued = l.unclaimed.size() + l.later.size() + l.ready.size();
    st.parked = l.parked;
    st.in_flight = l.in_flight;
    st.uncertain = l.uncertain;
    st.sent = l.sent;
    if (!l.cfg.unsendable.empty()) {
      st.why = lane_block::unsendable;
    } else if (!l.known || l.binds_up == 0) {
      st.why = lane_block::not_bound;
      st.since = l.down_since;
    } else if (l.throttled_since) {
      st.why = lane_block::throttled;
      st.since = l.throttled_since;
    }
    out.push_back(std::move(st));
  }
  return out;
}

}  // namespace loa::campaign
