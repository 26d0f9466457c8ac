// The driver's store half: each store action of the engine becomes one engine_store call, and its result the
// engine's event; a call Redis did not answer becomes on_store_failed (the engine issues it again later).
#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <algorithm>

#include "gateway/approval_recheck.hpp"
#include "gateway/campaign/driver_impl.hpp"

namespace loa::gateway {
namespace {

namespace asio = boost::asio;
namespace act = campaign::action;
using clock = campaign::engine_clock;

}  // namespace

void campaign_driver::impl::open_store() {
  store::engine_store_settings s;
  s.campaign = spec.id;
  s.owner = cx.owner;
  s.validity = validity;
  db.emplace(cx.connection, std::move(s));
}

void campaign_driver::impl::perform_store(campaign::engine_action a) {
  asio::co_spawn(
      cx.io, [self = shared_from_this(), a = std::move(a)]() mutable { return self->ask(std::move(a)); },
      asio::detached);
}

// True when the answer is not for the engine: the driver is closed, or Redis did not answer (the engine hears
// on_store_failed and asks again later).
bool campaign_driver::impl::unanswered(std::error_code ec, std::uint64_t request, std::string_view what) {
  if (closed) return true;
  if (!ec) {
    if (redis_down) info(fmt::format("campaign {}: Redis answers again; going on", spec.id));
    redis_down = false;
    return false;
  }
  if (!redis_down)
    warn(fmt::format("campaign {}: {} failed ({}); paused until Redis answers", spec.id, what, ec.message()));
  redis_down = true;
  take(machine->on_store_failed(request, clock::now()));
  return true;
}

asio::awaitable<void> campaign_driver::impl::ask(campaign::engine_action a) {
  co_await std::visit([this](const auto& x) { return handle(x); }, a);
}

// Never store requests: performed by driver.cpp.
asio::awaitable<void> campaign_driver::impl::handle(const act::arm_timer&) {
  co_return;
}
asio::awaitable<void> campaign_driver::impl::handle(const act::submit&) {
  co_return;
}
asio::awaitable<void> campaign_driver::impl::handle(const act::finished&) {
  co_return;
}

asio::awaitable<void> campaign_driver::impl::handle(const act::publish& x) {
  const auto ec = co_await db->publish();
  if (!unanswered(ec, x.request, "publishing the campaign's chunks"))
    take(machine->on_published(x.request, clock::now()));
}

asio::awaitable<void> campaign_driver::impl::handle(const act::heartbeat& x) {
  const auto ec = co_await db->heartbeat(x.ttl);
  if (!unanswered(ec, x.request, "showing this gateway is alive"))
    take(machine->on_heartbeat(x.request, clock::now()));
}

asio::awaitable<void> campaign_driver::impl::handle(const act::take_chunk& x) {
  store::chunk_answer got;
  const auto ec = co_await db->take_chunk(got);
  if (unanswered(ec, x.request, "taking a chunk of the campaign")) co_return;
  for (const auto& p : got.set_aside)
    warn(fmt::format("campaign {}: buckets {}-{} set aside as poison (not sent): {}", spec.id, p.from,
                     p.to - 1, p.why));
  if (got.grant) note_taken(*got.grant, got.deliveries);
  take(machine->on_chunk(x.request, std::move(got.grant), got.finished, clock::now()));
}

asio::awaitable<void> campaign_driver::impl::handle(const act::take_parcel& x) {
  std::optional<campaign::parcel_grant> got;
  const auto ec = co_await db->take_parcel(x.carrier, got, x.held);
  if (unanswered(ec, x.request, "taking a parcel of a carrier's backlog")) co_return;
  if (got && !got->previous.empty() && got->previous != cx.owner && got->previous != store::released_consumer)
    info(fmt::format("campaign {}: took over {} numbers of {}'s backlog from {}", spec.id,
                     got->numbers.size(), x.carrier, got->previous));
  take(machine->on_parcel(x.request, std::move(got), clock::now()));
}

asio::awaitable<void> campaign_driver::impl::handle(const act::claim& x) {
  store::claim_answer got;
  const auto ec = co_await db->claim(x.carrier, parts_of(x.carrier), x.numbers, got);
  if (!unanswered(ec, x.request, "claiming recipients"))
    take(machine->on_claimed(x.request, std::move(got.results), got.refused, clock::now()));
}

asio::awaitable<void> campaign_driver::impl::handle(const act::mark_submitting& x) {
  std::vector<std::string> refused;
  const auto ec = co_await db->mark_submitting(x.parts, refused);
  if (unanswered(ec, x.request, "marking parts submitting")) co_return;
  if (!refused.empty())
    warn(
        fmt::format("campaign {}: {} recipients were taken over by another gateway while this one was silent",
                    spec.id, refused.size()));
  take(machine->on_marked(x.request, refused, clock::now()));
}

asio::awaitable<void> campaign_driver::impl::handle(const act::record& x) {
  std::vector<std::string> mismatched;  // carriers of held receipts from another number: not applied
  const auto ec = co_await db->record(x.outcomes, x.resent, &mismatched);
  if (unanswered(ec, x.request, "recording answers")) co_return;
  if (cx.receipt_mismatch)
    for (const auto& carrier : mismatched)
      cx.receipt_mismatch(carrier, fmt::format("an early receipt for a part of campaign {}", spec.id));
  take(machine->on_recorded(x.request, clock::now()));
}

asio::awaitable<void> campaign_driver::impl::handle(const act::park& x) {
  const auto ec = co_await db->park(x.carrier, x.numbers, x.request);
  if (!unanswered(ec, x.request, "parking numbers in a carrier's backlog"))
    take(machine->on_parked(x.request, clock::now()));
}

asio::awaitable<void> campaign_driver::impl::handle(const act::ack& x) {
  bool done_now = false;
  const auto ec = co_await db->ack(x.carrier, x.entry, done_now);
  if (!unanswered(ec, x.request, "acknowledging settled work"))
    take(machine->on_acked(x.request, done_now, clock::now()));
}

asio::awaitable<void> campaign_driver::impl::handle(const act::release& x) {
  const auto ec = co_await db->release(x.carrier, x.entry, x.error);
  if (!unanswered(ec, x.request, "handing work back"))
    take(machine->on_acked(x.request, false, clock::now()));
}

asio::awaitable<void> campaign_driver::impl::handle(const act::keep& x) {
  std::vector<std::string> carriers;
  for (const auto& [name, l] : lanes) carriers.push_back(name);
  std::vector<bool> ours;
  const auto ec = co_await db->keep(x.entries, carriers, ours);
  if (unanswered(ec, x.request, "asking which work this gateway still holds")) co_return;
  if (const auto lost = std::count(ours.begin(), ours.end(), false))
    warn(fmt::format(
        "campaign {}: {} units of work were taken over by another gateway; reading no more of them", spec.id,
        lost));
  take(machine->on_kept(x.request, ours, clock::now()));
}

asio::awaitable<void> campaign_driver::impl::handle(const act::check_state& x) {
  std::optional<broadcast::campaign_state> state;
  const auto ec = co_await db->check_state(state);
  if (unanswered(ec, x.request, "reading the campaign's state")) co_return;
  if (!state || *state == broadcast::campaign_state::cancelled) {
    if (!cancel_seen) info(fmt::format("campaign {}: cancelled", spec.id));
    cancel_seen = true;
  }
  take(machine->on_state(x.request, state, clock::now()));
}

asio::awaitable<void> campaign_driver::impl::handle(const act::look_up_receipts& x) {
  std::vector<store::receipt_found> found;
  const auto ec = co_await db->look_up_receipts(x.carrier, x.numbers, found);
  if (unanswered(ec, x.request, "looking up receipts")) co_return;
  for (const auto& f : found) {
    campaign::engine_actions out;
    machine->on_receipt(x.carrier, f.number, f.message_id, clock::now(), out);
    take(std::move(out));
    if (closed) co_return;
  }
  take(machine->on_looked_up(x.request, clock::now()));
}

// Reads buckets of a chunk and routes their numbers. A read the chunk's data makes fail is handed back (set
// aside as poison after max_deliveries); a read that held the campaign for approval has its audience counted
// for the approver and the hold audited.
asio::awaitable<void> campaign_driver::impl::handle(const act::read& x) {
  store::read_answer got;
  const auto approval_above = static_cast<std::int64_t>(cx.cfg.approval.above_recipients);
  const auto ec = co_await db->read(spec, x.from, x.to, approval_above, got);
  if (unanswered(ec, x.request, "reading recipients")) co_return;
  if (!got.failed.empty()) {
    auto why = fmt::format("reading buckets {}-{}: {}", x.from, x.to - 1, got.failed);
    std::replace(why.begin(), why.end(), '|', '/');
    const auto d = deliveries.find(x.entry);
    warn(fmt::format("campaign {}: {} (delivery {}); handed back", spec.id, why,
                     d == deliveries.end() ? 1 : d->second));
    take(machine->on_read_failed(x.request, std::move(why), clock::now()));
    co_return;
  }
  std::vector<campaign::routed> numbers;
  numbers.reserve(got.numbers.size());
  for (auto& n : got.numbers) {
    auto carrier = route(n);
    numbers.push_back({std::move(n), std::move(carrier)});
  }
  take(machine->on_read(x.request, std::move(numbers), got.held, clock::now()));
  if (!got.held) co_return;
  // This read counted the audience past the threshold and held the campaign (in the same script).
  bool needed = false, described = false;
  const std::vector<broadcast::campaign_state> from{
      broadcast::campaign_state::awaiting_approval};  // named: g++ 12
  if (auto e = co_await recheck_approval(cx, spec, from, needed, described))
    warn(
        fmt::format("campaign {}: counting its audience for the approver failed ({})", spec.id, e.message()));
}

void campaign_driver::impl::note_taken(const campaign::chunk_grant& g, std::uint64_t delivery) {
  deliveries[g.entry] = delivery;
  const auto range = fmt::format("buckets {}-{}", g.from, g.to - 1);
  if (g.previous == store::released_consumer)
    info(fmt::format("campaign {}: took {}, handed back by another run (delivery {})", spec.id, range,
                     delivery));
  else if (g.previous == cx.owner)
    info(fmt::format("campaign {}: took {} again (delivery {})", spec.id, range, delivery));
  else if (!g.previous.empty() && g.previous != store::released_consumer)
    info(
        fmt::format("campaign {}: took over {} from {} (delivery {})", spec.id, range, g.previous, delivery));
}

int campaign_driver::impl::parts_of(const std::string& carrier) const {
  const auto it = lanes.find(carrier);
  return it != lanes.end() && it->second.message ? static_cast<int>(it->second.message->parts.size()) : 1;
}

}  // namespace loa::gateway
