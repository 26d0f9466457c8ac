// The engine's lanes: one per carrier. Each parks what it cannot hold, claims only as much as its carrier's
// binds take, marks a batch "submitting" before writing it, and handles its carrier's answers and the
// uncertain parts that wait for a receipt or the grace period.
#include <algorithm>

#include "gateway/campaign/engine.hpp"

namespace loa::campaign {

namespace {
bool open_letter(char c) {
  return c == 'C' || c == 'M' || c == 'I' || c == 'T' || c == 'W';
}
}  // namespace

engine::lane* engine::lane_of(const std::string& carrier) {
  for (auto& l : lanes_)
    if (l.cfg.carrier == carrier) return &l;
  return nullptr;
}

std::size_t engine::capacity(const lane& l) const {
  return std::max<std::size_t>(1, l.in_flight + l.free);
}

bool engine::usable(const lane& l, time_point) const {
  return l.cfg.unsendable.empty() && l.known && l.binds_up > 0 && !l.throttled_until;
}

bool engine::hungry(const lane& l, time_point now) const {
  if (!l.cfg.unsendable.empty()) return l.unclaimed.empty();  // refused at once: never holds anything up
  // A throttling carrier is probed with the parts it refused; new work waits until it accepts again.
  return usable(l, now) && !l.throttled_since && l.unclaimed.size() < 4 * capacity(l);
}

duration engine::grace(const lane& l) const {
  return std::clamp<duration>(3 * l.receipt_delay, s_.min_grace, std::max(s_.min_grace, s_.validity));
}

// Throttles that ended, parts whose wait is over, numbers held by a live run to ask about again.
void engine::due_parts(time_point now) {
  for (auto& l : lanes_) {
    // The pause is over; throttled_since stays until the carrier accepts again (how long it has throttled).
    if (l.throttled_until && now >= *l.throttled_until) l.throttled_until.reset();
    while (!l.later.empty() && l.later.front().first <= now) {
      l.unclaimed.push_back(std::move(l.later.front().second));
      l.later.pop_front();
    }
    if (!l.backlog_maybe && now >= l.next_parcel_ask) l.backlog_maybe = true;
  }
  std::vector<std::string> report;
  while (!timed_.empty() && timed_.begin()->first <= now) {
    const auto due = timed_.begin()->first;
    const auto ref = std::move(timed_.begin()->second);
    timed_.erase(timed_.begin());
    const auto it = active_.find(ref.number);
    const auto p = static_cast<std::size_t>(ref.part - 1);
    if (it == active_.end() || p >= it->second.parts.size() || it->second.due[p] != due) continue;  // moved on
    auto& r = it->second;
    const auto& number = ref.number;
    const int part = ref.part;
    auto& l = lanes_[r.lane];
    if (r.looking && r.parts[p] == 'W') continue;  // on_looked_up makes it due again once the look-up answers
    if (r.parts[p] == 'T' && !winding_down()) {
      r.parts[p] = 'C';  // not taken by the carrier: send again (marked again, which is harmless)
      l.ready.push_back({number, part});
    } else if (r.parts[p] == 'W') {
      --l.uncertain;
      if (s_.uncertain == uncertain_policy::resend && !winding_down()) {
        r.parts[p] = 'C';
        l.ready.push_back({number, part});
        ++resent_;
        ++resent_total_;
      } else {
        report.push_back(number + "\x1f" + std::to_string(part));
      }
    }
    // A T part while winding down: pump_lane hands it back (B) in this same pump.
  }
  for (const auto& key : report) {
    const auto cut = key.find('\x1f');
    settle_part(key.substr(0, cut), std::stoi(key.substr(cut + 1)), 'U', "",
                "written to the carrier; no answer and no receipt within the grace period", now);
  }
}

void engine::pump_lane(engine_actions& out, std::size_t index, time_point now) {
  auto& l = lanes_[index];
  if (winding_down()) {
    // Nothing new goes out. Unclaimed numbers stay in their chunks; claimed unwritten ones stay C in Redis
    // (the next run sends them); parts the carrier did not take are written back C.
    l.unclaimed.clear();
    l.later.clear();
    for (const auto& p : l.ready)
      if (auto it = active_.find(p.number); it != active_.end())
        it->second.parts[static_cast<std::size_t>(p.part - 1)] = 'B';
    l.ready.clear();
    std::vector<std::string> numbers;
    for (auto& [number, r] : active_)
      if (r.lane == index) numbers.push_back(number);
    for (const auto& number : numbers) {
      auto& r = active_.at(number);
      for (std::size_t p = 0; p < r.parts.size(); ++p) {
        const int part = static_cast<int>(p + 1);
        if (r.parts[p] == 'T') settle_part(number, part, 'B', "", "", now);
        if (r.parts[p] == 'W' && *ending_ == end_reason::cancelled) {
          --l.uncertain;  // nothing goes out again after a cancel: reported uncertain now
          settle_part(number, part, 'U', "", "written to the carrier before the cancel; answer lost", now);
        }
      }
      release_if_settled(number);
    }
    return;
  }
  if (!l.cfg.unsendable.empty()) {
    claim_some(out, index, now);  // claimed, then recorded refused with the reason
    return;
  }
  const bool throttled_long =
      l.throttled_until && l.throttled_since && now - *l.throttled_since >= s_.park_after;
  if (l.known && (l.binds_up == 0 || throttled_long))
    park_some(out, index, std::nullopt, false);
  else if (l.unclaimed.size() > s_.lane_memory)
    park_some(out, index, s_.lane_memory, false);
  else if (l.pinning && !reading_ && !taking_ && !book_.readable())
    park_some(out, index, 0, true);  // what the chunks held gave it, once they are read and no take is out
  if (usable(l, now)) {
    claim_some(out, index, now);
    mark_some(out, index, now);
  }
}

// Moves numbers to the carrier's backlog in Redis: all it holds unwritten (no `keep`: it cannot send), or
// the unclaimed beyond the first `keep` (with `chunks_only`, only those read from chunks: a parcel's numbers
// pin no chunk, and parking them again would only write them twice).
void engine::park_some(engine_actions& out, std::size_t index, std::optional<std::size_t> keep,
                       bool chunks_only) {
  auto& l = lanes_[index];
  std::vector<queued> take;
  if (!keep) {
    take.assign(l.unclaimed.begin(), l.unclaimed.end());
    l.unclaimed.clear();
    // Claimed and never written: the park script gives the claim back with the number.
    std::vector<std::string> whole;
    for (auto& [number, r] : active_)
      if (r.lane == index && r.unrecorded == 0 &&
          std::all_of(r.parts.begin(), r.parts.end(), [](char c) { return c == 'C'; }))
        whole.push_back(number);
    for (const auto& number : whole) {
      take.push_back({number, active_.at(number).unit});
      active_.erase(number);
    }
    std::erase_if(l.ready, [this](const part_ref& p) { return !active_.count(p.number); });
  } else {
    std::deque<queued> kept;
    while (!l.unclaimed.empty() && l.unclaimed.size() + kept.size() > *keep) {
      auto q = std::move(l.unclaimed.back());
      l.unclaimed.pop_back();
      const auto* u = book_.find(q.unit);
      if (chunks_only && u && !u->is_chunk())
        kept.push_front(std::move(q));
      else
        take.push_back(std::move(q));
    }
    for (auto& q : kept) l.unclaimed.push_back(std::move(q));
  }
  for (std::size_t at = 0; at < take.size(); at += s_.park_batch) {
    const auto end = std::min(take.size(), at + s_.park_batch);
    action::park p{0, l.cfg.carrier, {}};
    pending r;
    r.lane = index;
    for (auto i = at; i < end; ++i) {
      p.numbers.push_back(take[i].number);
      r.units.push_back(take[i].unit);
    }
    issue(out, std::move(p), std::move(r));
  }
}

engine_actions engine::on_parked(std::uint64_t request, time_point now) {
  engine_actions out;
  auto it = requests_.find(request);
  if (it == requests_.end()) return out;
  auto& l = lanes_[it->second.lane];
  // In Redis now: they no longer hold their units open.
  for (const auto unit : it->second.units) book_.closed(unit);
  l.parked += it->second.units.size();
  l.backlog_maybe = true;
  l.next_parcel_ask = now;
  requests_.erase(it);
  pump(out, now);
  return out;
}

void engine::claim_some(engine_actions& out, std::size_t index, time_point now) {
  auto& l = lanes_[index];
  if (l.claiming || l.unclaimed.empty() || fenced(now)) return;
  std::size_t n = l.unclaimed.size();
  if (l.cfg.unsendable.empty()) {
    // Keep the windows full and a quarter window claimed ahead, no more; and while the binds are busy,
    // wait for an eighth to free up (a claim per number would cost more than the message).
    const auto parts = static_cast<std::size_t>(std::max(1, l.cfg.parts));
    const auto target = capacity(l) + (capacity(l) + 3) / 4;
    const auto busy = l.ready.size() + l.marking + l.in_flight;
    const auto room = busy >= target ? 0 : (target - busy) / parts;
    const auto worth = std::max<std::size_t>(1, target / 8 / parts);
    if (room == 0 || (busy > 0 && room < worth)) return;
    n = std::min(n, room);
  }
  n = std::min(n, s_.claim_batch);
  action::claim c{0, l.cfg.carrier, {}};
  pending r;
  r.lane = index;
  // A pinning lane claims only what parcels gave it: its chunk numbers wait to be parked.
  std::deque<queued> skipped;
  while (c.numbers.size() < n && !l.unclaimed.empty()) {
    auto q = std::move(l.unclaimed.front());
    l.unclaimed.pop_front();
    if (l.pinning && from_chunk(q.unit)) {
      skipped.push_back(std::move(q));
      continue;
    }
    c.numbers.push_back(std::move(q.number));
    r.units.push_back(q.unit);
  }
  for (auto it = skipped.rbegin(); it != skipped.rend(); ++it) l.unclaimed.push_front(std::move(*it));
  if (c.numbers.empty()) return;
  l.claiming = true;
  issue(out, std::move(c), std::move(r));
}

engine_actions engine::on_claimed(std::uint64_t request, std::vector<claim_result> results, bool refused,
                                  time_point now) {
  engine_actions out;
  auto req = take_request(request);
  if (!req) return out;
  const auto index = req->lane;
  auto& l = lanes_[index];
  const auto& numbers = std::get<action::claim>(req->act).numbers;
  const auto& units = req->units;
  l.claiming = false;
  if (refused) {
    // Not running (held, cancelled, done): back in line, and learn which now.
    for (std::size_t i = numbers.size(); i-- > 0;) l.unclaimed.push_front({numbers[i], units[i], now});
    if (!checking_) {
      checking_ = true;
      issue(out, action::check_state{});
    }
    pump(out, now);
    return out;
  }
  std::vector<std::string> look_up;
  for (std::size_t i = 0; i < numbers.size() && i < results.size(); ++i) {
    const auto& res = results[i];
    switch (res.what) {
      case claim_result::kind::fresh:
        add_claimed(index, numbers[i], units[i], std::string(static_cast<std::size_t>(l.cfg.parts), 'C'), {},
                    now, look_up);
        break;
      case claim_result::kind::settled:
        book_.closed(units[i]);
        break;
      case claim_result::kind::taken:
        if (active_.count(numbers[i]))
          book_.closed(units[i]);  // read twice: already in hand
        else
          add_claimed(index, numbers[i], units[i], res.parts, res.marked_ago, now, look_up);
        break;
      case claim_result::kind::busy:
        // A live run finishes it; should that run die, its record is ours to take: ask again later.
        l.later.emplace_back(now + s_.heartbeat_ttl, queued{numbers[i], units[i], now});
        break;
    }
  }
  if (!look_up.empty()) issue(out, action::look_up_receipts{0, l.cfg.carrier, std::move(look_up)});
  pump(out, now);
  return out;
}

// A record in hand: C parts go out (or are refused at once when the text cannot go through this carrier), I
// parts were written by a run that is gone and wait for a receipt or the grace period. Their grace counts
// from when they were marked (`marked_ago`, by Redis's clock; 0 when unknown: from now), not from this
// take-over: else every take-over of a gateway killed again and again would start it anew, and nothing
// would go out again until the kills stop. One whose grace is already over is due at once, but only once
// the receipt look-up of this take-over has answered (`looking`).
void engine::add_claimed(std::size_t index, const std::string& number, std::uint64_t unit, std::string parts,
                         duration marked_ago, time_point now, std::vector<std::string>& look_up) {
  auto& l = lanes_[index];
  recipient r;
  r.lane = index;
  r.unit = unit;
  r.since = now;
  r.parts = parts;
  r.due.assign(parts.size(), now);
  const auto due = std::max(now, now - std::max(marked_ago, duration::zero()) + grace(l));
  bool any_open = false, waits = false;
  for (std::size_t p = 0; p < parts.size(); ++p) {
    if (parts[p] == 'I') {
      wait_part(r, number, static_cast<int>(p + 1), 'W', due);
      ++l.uncertain;
      waits = true;
    }
    any_open |= open_letter(r.parts[p]);
  }
  if (!any_open) {
    book_.closed(unit);
    return;
  }
  drop_answered_claims(l);  // kept short: only the claims still open since the oldest open one
  if (from_chunk(unit)) l.claimed_order.emplace_back(now, number);
  r.looking = waits;
  active_.emplace(number, std::move(r));
  if (waits) look_up.push_back(number);
  for (std::size_t p = 0; p < parts.size(); ++p) {
    if (parts[p] != 'C') continue;
    if (!l.cfg.unsendable.empty())
      settle_part(number, static_cast<int>(p + 1), 'R', "", l.cfg.unsendable, now);
    else
      l.ready.push_back({number, static_cast<int>(p + 1)});
  }
}

void engine::mark_some(engine_actions& out, std::size_t index, time_point now) {
  auto& l = lanes_[index];
  if (l.mark_pending || l.ready.empty() || fenced(now)) return;
  const auto n = std::min(l.ready.size(), l.free > l.marking ? l.free - l.marking : 0);
  if (n == 0) return;
  action::mark_submitting m{0, l.cfg.carrier, {}};
  for (std::size_t i = 0; i < n; ++i) {
    auto p = std::move(l.ready.front());
    l.ready.pop_front();
    active_.at(p.number).parts[static_cast<std::size_t>(p.part - 1)] = 'M';
    m.parts.push_back(std::move(p));
  }
  l.marking += n;
  l.mark_pending = true;
  pending r;
  r.lane = index;
  issue(out, std::move(m), std::move(r));
}

engine_actions engine::on_marked(std::uint64_t request, const std::vector<std::string>& refused,
                                 time_point now) {
  engine_actions out;
  auto req = take_request(request);
  if (!req) return out;
  const auto index = req->lane;
  auto& l = lanes_[index];
  const auto& parts = std::get<action::mark_submitting>(req->act).parts;
  l.mark_pending = false;
  for (const auto& p : parts) {
    --l.marking;
    auto rec = active_.find(p.number);
    if (rec == active_.end()) continue;
    if (std::find(refused.begin(), refused.end(), p.number) != refused.end()) {
      // Another run took this record over while our heartbeat lapsed: it is that run's to finish.
      book_.closed(rec->second.unit);
      active_.erase(rec);
      continue;
    }
    if (winding_down()) {
      settle_part(p.number, p.part, 'B', "", "", now);  // marked, never written: back to C
      continue;
    }
    rec->second.parts[static_cast<std::size_t>(p.part - 1)] = 'I';
    const auto token = next_token_++;
    tokens_.emplace(token, std::make_pair(p.number, p.part));
    ++l.in_flight;
    if (l.free > 0) --l.free;
    out.push_back(action::submit{token, l.cfg.carrier, p.number, p.part});
  }
  pump(out, now);
  return out;
}

engine_actions engine::on_answer(std::uint64_t token, const answer& a, time_point now) {
  engine_actions out;
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return out;
  const auto [number, part] = it->second;
  tokens_.erase(it);
  auto rec = active_.find(number);
  if (rec == active_.end()) return out;
  auto& l = lanes_[rec->second.lane];
  if (l.in_flight > 0) --l.in_flight;
  switch (a.kind) {
    case answer_kind::accepted:
      ++l.sent;
      l.throttled_since.reset();
      settle_part(number, part, 'S', a.message_id, "", now);
      break;
    case answer_kind::refused:
      settle_part(number, part, 'R', "", a.reason, now);
      break;
    case answer_kind::retry_later: {
      // The carrier throttles: this lane waits, the others go on.
      const auto until = now + std::max<duration>(a.retry_after, std::chrono::milliseconds(100));
      wait_part(rec->second, number, part, 'T', until);
      if (!l.throttled_since) l.throttled_since = now;
      if (!l.throttled_until || *l.throttled_until < until) l.throttled_until = until;
      break;
    }
    case answer_kind::uncertain:
      wait_part(rec->second, number, part, 'W', now + grace(l));
      ++l.uncertain;
      issue(out, action::look_up_receipts{0, l.cfg.carrier, {number}});
      break;
  }
  pump(out, now);
  return out;
}

bool engine::on_receipt(const std::string& carrier, const std::string& number, const std::string& message_id,
                        time_point now, engine_actions& out) {
  auto rec = active_.find(number);
  if (rec == active_.end() || lanes_[rec->second.lane].cfg.carrier != carrier) return false;
  auto& parts = rec->second.parts;
  const auto p = parts.find('W');
  if (p == std::string::npos) return false;
  // The carrier had it: accepted under this id (the record applies the receipt held beside it).
  auto& l = lanes_[rec->second.lane];
  --l.uncertain;
  ++l.sent;
  settle_part(number, static_cast<int>(p + 1), 'S', message_id, "", now);
  pump(out, now);
  return true;
}

void engine::wait_part(recipient& r, const std::string& number, int part, char letter, time_point due) {
  r.parts[static_cast<std::size_t>(part - 1)] = letter;
  r.due[static_cast<std::size_t>(part - 1)] = due;
  timed_.emplace(due, part_ref{number, part});
}

void engine::settle_part(const std::string& number, int part, char letter, std::string message_id,
                         std::string reason, time_point now) {
  auto& r = active_.at(number);
  r.parts[static_cast<std::size_t>(part - 1)] = letter;
  ++r.unrecorded;
  if (outcomes_.empty()) first_outcome_ = now;
  // B is "handed back unwritten": recorded as C.
  outcomes_.push_back({lanes_[r.lane].cfg.carrier, number, part, letter == 'B' ? 'C' : letter,
                       std::move(message_id), std::move(reason)});
}

// Forgets a recipient whose every part is answered and recorded; it then no longer holds its unit open. One
// handed back unwritten keeps its unit open: the unit is handed back, not acknowledged.
void engine::release_if_settled(const std::string& number) {
  auto it = active_.find(number);
  if (it == active_.end() || it->second.unrecorded > 0) return;
  const auto& parts = it->second.parts;
  if (std::any_of(parts.begin(), parts.end(), open_letter)) return;
  if (parts.find('B') == std::string::npos) book_.closed(it->second.unit);
  active_.erase(it);
}

}  // namespace loa::campaign
