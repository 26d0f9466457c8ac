#include "sim.hpp"

#include <algorithm>

namespace sim {

namespace {
bool all_c(const std::string& parts) {
  return std::all_of(parts.begin(), parts.end(), [](char c) { return c == 'C'; });
}
bool open_part(char c) {
  return c == 'C' || c == 'I';
}
}  // namespace

world::world() : now(time_point{} + std::chrono::hours(1)), start_time(now) {
  base.heartbeat_every = 1s;
  base.heartbeat_ttl = 3s;
  base.poll_every = 1s;
  base.min_grace = 10s;
  base.validity = std::chrono::hours(1);
  base.buckets_per_read = 2;
  base.lane_memory = 200;
  base.claim_batch = 50;
  base.park_batch = 100;
  base.park_after = 2s;
}

void world::populate(std::size_t n, const std::vector<std::pair<std::string, int>>& weights,
                     std::size_t chunk_count, std::uint64_t buckets_per_chunk) {
  int total = 0;
  for (const auto& w : weights) total += w.second;
  const auto buckets = chunk_count * buckets_per_chunk;
  for (std::size_t i = 0; i < n; ++i) {
    const auto number = "849" + std::to_string(10000000 + i);
    int pick = static_cast<int>(i % static_cast<std::size_t>(total));
    std::string carrier;
    for (const auto& w : weights) {
      if (pick < w.second) {
        carrier = w.first;
        break;
      }
      pick -= w.second;
    }
    db.route[number] = carrier;
    db.buckets[(i * 7919) % buckets].push_back(number);  // spread over the buckets
  }
  for (std::size_t c = 0; c < chunk_count; ++c)
    db.chunks.push_back(
        {"c" + std::to_string(c), c * buckets_per_chunk, (c + 1) * buckets_per_chunk, {}, "", false, false});
}

gateway& world::add_gateway(const std::string& name, std::vector<carrier> carriers, engine_settings settings,
                            int parts) {
  auto g = std::make_unique<gateway>();
  g->name = name;
  settings.lanes.clear();
  for (auto& c : carriers) {
    settings.lanes.push_back({c.name, parts, ""});
    parts_of[c.name] = parts;
    g->carriers.emplace(c.name, std::move(c));
  }
  base = settings;
  gateways.push_back(std::move(g));
  return *gateways.back();
}

void world::at(time_point t, std::function<void()> f) {
  queue_.push({t, seq_++, std::move(f)});
}

void world::start(std::size_t i) {
  auto& g = *gateways[i];
  ++g.run;
  ++g.generation;
  g.owner = g.name + "/" + std::to_string(g.run);
  g.ended.reset();
  g.timers.clear();
  g.unanswered.clear();
  auto settings = base;
  settings.campaign = "7";
  settings.owner = g.owner;
  settings.lanes.clear();
  for (auto& [name, c] : g.carriers) {
    settings.lanes.push_back({name, parts_of[name], ""});
    c.in_window = 0;  // a new process: new binds
  }
  g.machine = std::make_unique<engine>(settings);
  perform(i, g.machine->start(now));
  for (const auto& [name, c] : g.carriers) report_capacity(i, name);
}

void world::crash(std::size_t i) {
  auto& g = *gateways[i];
  for (const auto& [number, r] : db.records)
    if (r.owner == g.owner)
      for (std::size_t p = 0; p < r.parts.size(); ++p)
        if (r.parts[p] == 'I') {
          const std::pair<std::string, int> key{number, static_cast<int>(p + 1)};
          (written.count(key) ? written_unanswered_at_crash : marked_unwritten_at_crash).insert(key);
        }
  ++g.generation;
  g.machine.reset();
  g.timers.clear();
  g.unanswered.clear();
}

void world::stop(std::size_t i) {
  auto& g = *gateways[i];
  if (g.machine) perform(i, g.machine->stop(now));
}

void world::set_up(std::size_t i, const std::string& name, bool up) {
  auto& g = *gateways[i];
  auto& c = g.carriers.at(name);
  c.up = up;
  if (!up) {
    // The bind closed: every submit in its window is answered uncertain (the SMSC has them).
    std::vector<std::uint64_t> lost;
    for (auto t : g.unanswered)
      if (g.token_part.count(t) && g.carriers.count(name)) lost.push_back(t);
    for (auto t : lost) {
      const auto& [number, part] = g.token_part[t];
      if (db.route[number] != name) continue;
      g.unanswered.erase(t);
      if (g.machine)
        perform(i, g.machine->on_answer(t, {answer_kind::uncertain, "", {}, "bind closed"}, now));
    }
    c.in_window = 0;
  }
  report_capacity(i, name);
}

void world::report_capacity(std::size_t i, const std::string& name) {
  auto& g = *gateways[i];
  if (!g.machine) return;
  const auto& c = g.carriers.at(name);
  const std::size_t free = c.up && c.window > c.in_window ? c.window - c.in_window : 0;
  perform(i, g.machine->on_carrier(name, c.up ? 1 : 0, free, c.receipt_delay, now));
}

void world::perform(std::size_t i, engine_actions actions) {
  for (auto& a : actions) perform_one(i, std::move(a));
}

// A step begins: a crash at it means the step never happens.
void world::step_done(std::size_t) {
  ++steps;
  if (crash_at_step && steps == *crash_at_step) crash(crash_who);
}

// The official's cancel lands between steps: after a write (the driver writes a submit in the same turn as
// the engine asks for it, so no cancel can fall in between), before a store request is applied.
void world::maybe_cancel(bool next_turn) {
  if (cancel_at_step && steps == *cancel_at_step && !cancelled) {
    if (next_turn) {  // the rest of this turn's actions are written first, as the driver does
      cancel_at_step.reset();
      at(now, [this] {
        cancel_at_step = steps;
        maybe_cancel(false);
      });
      return;
    }
    cancelled = true;
    db.state = loa::broadcast::campaign_state::cancelled;
    for (std::size_t k = 0; k < gateways.size(); ++k)
      if (gateways[k]->machine) perform(k, gateways[k]->machine->cancel(now));
  }
}

void world::perform_one(std::size_t i, engine_action act) {
  auto& g = *gateways[i];
  const auto gen = g.generation;
  auto live = [this, i, gen] { return gateways[i]->generation == gen && gateways[i]->machine; };
  if (auto* t = std::get_if<action::arm_timer>(&act)) {
    const auto due = now + t->after;
    g.timers[t->id] = due;
    at(due, [this, i, live, id = t->id, due] {
      auto& gw = *gateways[i];
      if (!live() || !gw.timers.count(id) || gw.timers[id] != due) return;
      gw.timers.erase(id);
      perform(i, gw.machine->on_timer(id, now));
    });
    return;
  }
  if (auto* f = std::get_if<action::finished>(&act)) {
    g.ended = f->why;
    return;
  }
  if (auto* s = std::get_if<action::submit>(&act)) {
    step_done(i);
    if (!live()) return;
    if (cancelled) ++written_after_cancel;
    written.insert({s->number, s->part});
    maybe_cancel(true);
    auto& c = g.carriers.at(s->carrier);
    ++c.in_window;
    g.unanswered.insert(s->token);
    g.token_part[s->token] = {s->number, s->part};
    const bool takes = c.up && !c.throttling;
    loa::campaign::answer reply;
    if (takes) {
      reply.kind = answer_kind::accepted;
      reply.message_id = "m" + std::to_string(++message_);
      deliveries.push_back({g.name, s->carrier, s->number, s->part, now});
      if (c.receipts)
        at(now + c.receipt_delay,
           [this, car = s->carrier, n = s->number, id = reply.message_id] { receipt(car, n, id); });
    } else {
      reply.kind = answer_kind::retry_later;
      reply.retry_after = 1s;
    }
    at(now + c.latency, [this, i, live, token = s->token, car = s->carrier, reply] {
      auto& gw = *gateways[i];
      if (!live() || !gw.unanswered.count(token)) return;
      gw.unanswered.erase(token);
      auto& cc = gw.carriers.at(car);
      if (cc.in_window > 0) --cc.in_window;
      perform(i, gw.machine->on_answer(token, reply, now));
      report_capacity(i, car);
    });
    return;
  }
  // A store request: applied (one script) after the store's latency, then its answer reported.
  at(now + store_latency, [this, i, live, act = std::move(act)] {
    if (!live()) return;
    step_done(i);
    if (!live()) return;  // crashed before this step
    maybe_cancel(false);
    if (!live()) return;
    ++store_calls;
    if (fail_every && failures() % *fail_every == 0) {  // Redis did not answer: nothing applied
      const auto request = std::visit(
          [](const auto& x) -> std::uint64_t {
            if constexpr (requires { x.request; }) return x.request;
            return 0;
          },
          act);
      perform(i, gateways[i]->machine->on_store_failed(request, now));
      return;
    }
    auto& gw = *gateways[i];
    auto& e = *gw.machine;
    const auto& me = gw.owner;
    if (auto* a = std::get_if<action::publish>(&act)) {
      perform(i, e.on_published(a->request, now));
      return;
    }
    if (auto* a = std::get_if<action::heartbeat>(&act)) {
      if (a->ttl == duration::zero())
        db.alive.erase(me);
      else
        db.alive[me] = now + a->ttl;
      perform(i, e.on_heartbeat(a->request, now));
      return;
    }
    if (auto* a = std::get_if<action::take_chunk>(&act)) {
      bool finished = false;
      auto grant = take_chunk(me, finished);
      perform(i, e.on_chunk(a->request, grant, finished, now));
      return;
    }
    if (auto* a = std::get_if<action::take_parcel>(&act)) {
      perform(i, e.on_parcel(a->request, take_parcel(me, a->carrier), now));
      return;
    }
    if (auto* a = std::get_if<action::read>(&act)) {
      std::vector<routed> out;
      for (auto b = a->from; b < a->to; ++b)
        for (const auto& n : db.buckets[b]) out.push_back({n, db.route[n]});
      // The fan-out script applies the approval rule as it counts: past the threshold it holds the campaign.
      bool held = false;
      if (hold_at_read && ++reads == *hold_at_read && db.state == loa::broadcast::campaign_state::running) {
        db.state = loa::broadcast::campaign_state::awaiting_approval;
        held = true;
      }
      perform(i, e.on_read(a->request, std::move(out), held, now));
      return;
    }
    if (auto* a = std::get_if<action::claim>(&act)) {
      if (db.state != loa::broadcast::campaign_state::running) {
        perform(i, e.on_claimed(a->request, {}, true, now));
        return;
      }
      std::vector<claim_result> results;
      for (const auto& n : a->numbers) {
        auto it = db.records.find(n);
        if (it == db.records.end()) {
          db.records[n] = {a->carrier, std::string(static_cast<std::size_t>(parts_of[a->carrier]), 'C'), me,
                           std::nullopt};
          results.push_back({claim_result::kind::fresh, ""});
          continue;
        }
        auto& r = it->second;
        if (std::none_of(r.parts.begin(), r.parts.end(), open_part))
          results.push_back({claim_result::kind::settled, ""});
        else if (r.owner != me && !dead(r.owner) && !same_gateway(r.owner, me))
          results.push_back({claim_result::kind::busy, ""});
        else {
          r.owner = me;
          claim_result taken{claim_result::kind::taken, r.parts};
          if (r.marked && r.parts.find('I') != std::string::npos) taken.marked_ago = now - *r.marked;
          results.push_back(std::move(taken));
        }
      }
      perform(i, e.on_claimed(a->request, std::move(results), false, now));
      return;
    }
    if (auto* a = std::get_if<action::mark_submitting>(&act)) {
      std::vector<std::string> refused;
      for (const auto& p : a->parts) {
        auto& r = db.records[p.number];
        if (r.owner != me) {
          refused.push_back(p.number);
          continue;
        }
        auto& letter = r.parts[static_cast<std::size_t>(p.part - 1)];
        if (letter == 'C' || letter == 'I') r.marked = now;
        if (letter == 'C') letter = 'I';
      }
      perform(i, e.on_marked(a->request, refused, now));
      return;
    }
    if (auto* a = std::get_if<action::record>(&act)) {
      for (const auto& o : a->outcomes) {
        auto& r = db.records[o.number];
        auto& letter = r.parts[static_cast<std::size_t>(o.part - 1)];
        if (letter != 'I' && letter != 'C') continue;  // idempotent: only an open part moves
        if (o.letter == 'C' && letter != 'I') continue;
        letter = o.letter;
        if (o.letter == 'S') {
          db.dlr[{o.carrier, o.message_id}] = o.number;
          auto& held = db.unmatched[{o.carrier, o.number}];
          if (std::find(held.begin(), held.end(), o.message_id) != held.end()) letter = 'D';
        }
      }
      db.resent += a->resent;
      perform(i, e.on_recorded(a->request, now));
      return;
    }
    if (auto* a = std::get_if<action::park>(&act)) {
      for (const auto& n : a->numbers) {
        auto it = db.records.find(n);
        if (it != db.records.end() && it->second.owner == me && all_c(it->second.parts)) db.records.erase(it);
      }
      auto& list = db.backlog[a->carrier];
      list.push_back({"p" + std::to_string(list.size()), 0, 0, a->numbers, "", false, false});
      db.parked_total += a->numbers.size();
      perform(i, e.on_parked(a->request, now));
      return;
    }
    if (auto* a = std::get_if<action::ack>(&act)) {
      perform(i, e.on_acked(a->request, ack(a->carrier, a->entry), now));
      return;
    }
    if (auto* a = std::get_if<action::release>(&act)) {
      auto& list = a->carrier.empty() ? db.chunks : db.backlog[a->carrier];
      for (auto& en : list)
        if (en.id == a->entry && en.holder == me) en.released = true;
      perform(i, e.on_acked(a->request, false, now));
      return;
    }
    if (auto* a = std::get_if<action::keep>(&act)) {
      std::vector<bool> ours;
      for (const auto& id : a->entries) {
        bool mine = false;
        for (const auto& en : db.chunks) mine |= en.id == id && en.holder == me;
        for (const auto& [car, list] : db.backlog)
          for (const auto& en : list) mine |= en.id == id && en.holder == me;
        ours.push_back(mine);
      }
      perform(i, e.on_kept(a->request, ours, now));
      return;
    }
    if (auto* a = std::get_if<action::look_up_receipts>(&act)) {
      for (const auto& n : a->numbers)
        for (const auto& id : db.unmatched[{a->carrier, n}]) {
          if (db.dlr.count({a->carrier, id})) continue;
          engine_actions out;
          if (gw.machine->on_receipt(a->carrier, n, id, now, out)) perform(i, std::move(out));
        }
      if (live()) perform(i, gateways[i]->machine->on_looked_up(a->request, now));
      return;
    }
    if (auto* a = std::get_if<action::check_state>(&act)) {
      perform(i, e.on_state(a->request, db.state, now));
    }
  });
}

void world::receipt(const std::string& carrier, const std::string& number, const std::string& id) {
  if (auto it = db.dlr.find({carrier, id}); it != db.dlr.end()) {
    auto& parts = db.records[number].parts;
    for (auto& c : parts)
      if (c == 'S') {
        c = 'D';
        break;
      }
    return;
  }
  // Unknown id: held in Redis beside its number, and offered to the running engines of that carrier.
  db.unmatched[{carrier, number}].push_back(id);
  for (std::size_t k = 0; k < gateways.size(); ++k) {
    auto& g = *gateways[k];
    if (!g.machine || !g.carriers.count(carrier)) continue;
    engine_actions out;
    if (g.machine->on_receipt(carrier, number, id, now, out)) {
      perform(k, std::move(out));
      break;
    }
  }
}

// A gateway restarted: its earlier runs are gone, whatever their heartbeat says.
bool world::same_gateway(const std::string& a, const std::string& b) const {
  return a.substr(0, a.find('/')) == b.substr(0, b.find('/'));
}

bool world::dead(const std::string& owner) const {
  auto it = db.alive.find(owner);
  return it == db.alive.end() || it->second < now;
}

std::optional<chunk_grant> world::take_chunk(const std::string& owner, bool& finished) {
  finished = db.state == loa::broadcast::campaign_state::done;
  if (finished) return std::nullopt;
  const auto gw = owner.substr(0, owner.find('/'));
  auto pick = [&](auto pred) -> store::entry* {
    for (auto& en : db.chunks)
      if (!en.acked && pred(en)) return &en;
    return nullptr;
  };
  store::entry* en = pick([&](const store::entry& x) {
    return !x.holder.empty() && x.holder != owner && x.holder.substr(0, x.holder.find('/')) == gw;
  });
  if (!en)
    en =
        pick([&](const store::entry& x) { return !x.holder.empty() && x.holder != owner && dead(x.holder); });
  if (!en) en = pick([&](const store::entry& x) { return x.released; });
  if (!en) en = pick([&](const store::entry& x) { return !x.delivered; });
  if (!en) return std::nullopt;
  chunk_grant g{en->id, en->from, en->to, en->holder};
  db.takes.push_back({owner, en->id});
  db.take_times.push_back(now);
  db.previous_holders.push_back(en->holder);
  en->holder = owner;
  en->delivered = true;
  en->released = false;
  return g;
}

std::optional<parcel_grant> world::take_parcel(const std::string& owner, const std::string& carrier) {
  for (auto& en : db.backlog[carrier]) {
    if (en.acked) continue;
    if (en.holder.empty() || en.released ||
        (en.holder != owner && (dead(en.holder) || same_gateway(en.holder, owner)))) {
      parcel_grant g{en.id, en.numbers, en.holder};
      en.holder = owner;
      en.released = false;
      en.delivered = true;
      return g;
    }
  }
  return std::nullopt;
}

bool world::ack(const std::string& carrier, const std::string& entry) {
  auto& list = carrier.empty() ? db.chunks : db.backlog[carrier];
  for (auto& en : list)
    if (en.id == entry) {
      en.acked = true;
      en.holder.clear();
    }
  bool all = std::all_of(db.chunks.begin(), db.chunks.end(), [](const auto& x) { return x.acked; });
  for (const auto& [car, l] : db.backlog)
    all &= std::all_of(l.begin(), l.end(), [](const auto& x) { return x.acked; });
  if (all && db.state == loa::broadcast::campaign_state::running) {
    db.state = loa::broadcast::campaign_state::done;
    return true;
  }
  return false;
}

void world::run_until(time_point until) {
  while (!queue_.empty() && queue_.top().t <= until) {
    auto ev = queue_.top();
    queue_.pop();
    now = ev.t;
    ev.f();
  }
  if (now < until) now = until;
}

std::map<std::pair<std::string, int>, int> world::received() const {
  std::map<std::pair<std::string, int>, int> out;
  for (const auto& d : deliveries) ++out[{d.number, d.part}];
  return out;
}

double world::finished_s(const std::string& carrier) const {
  time_point last = start_time;
  for (const auto& d : deliveries)
    if (d.carrier == carrier) last = std::max(last, d.at);
  return std::chrono::duration<double>(last - start_time).count();
}

bool world::done() const {
  return db.state == loa::broadcast::campaign_state::done;
}

}  // namespace sim
