#include "gateway/campaign/driver.hpp"

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>

#include "gateway/store/subscriber_store.hpp"
#include "gateway/campaign/driver_impl.hpp"
#include "gateway/carrier_link.hpp"

namespace loa::gateway {
namespace {

namespace asio = boost::asio;
using clock = campaign::engine_clock;
using namespace std::chrono_literals;

constexpr auto receipt_grace = 1h;  // receipts may lag the validity period by this much

std::size_t index_of(campaign::timer_id id) {
  return static_cast<std::size_t>(id);
}

std::string reason(const smpp::submit_outcome& o) {
  std::string r =
      o.command_status ? fmt::format("0x{:08X} {}", o.command_status, o.error.message()) : o.error.message();
  std::replace(r.begin(), r.end(), '|', '/');
  return r;
}

}  // namespace

campaign_driver::impl::impl(campaign_context& c, broadcast::campaign_spec s,
                            std::function<void(campaign::end_reason)> e)
    : cx(c),
      spec(std::move(s)),
      ended(std::move(e)),
      timers{asio::steady_timer(c.io), asio::steady_timer(c.io), asio::steady_timer(c.io)} {}

void campaign_driver::impl::info(std::string_view s) const {
  if (cx.info) cx.info(s);
}

void campaign_driver::impl::warn(std::string_view s) const {
  if (cx.warn) cx.warn(s);
}

void campaign_driver::impl::prepare_lanes() {
  const auto policy = segments::parse_accents(spec.accents).value_or(segments::accents::keep);
  const auto reference = concat_reference(spec.id);
  validity = spec.validity_s > 0 ? std::chrono::seconds(spec.validity_s) : cx.cfg.limits.validity;
  for (auto& [name, pool] : cx.carriers) {
    lane l;
    l.pool = pool.get();
    const auto& carrier = pool->config();
    l.receipt_mode = receipt_mode_for(carrier);
    l.sender = !spec.sender.empty() ? spec.sender : carrier.sender ? *carrier.sender : cx.cfg.sender;
    segments::message m;
    if (const auto status = split_notice(spec.text, carrier, cx.cfg.limits, policy, reference, m)) {
      l.message = std::move(m);
    } else {
      l.unsendable = segments::describe(status, m);
      warn(fmt::format("campaign {}: cannot be sent through {}: {}", spec.id, name, l.unsendable));
    }
    lanes.emplace(name, std::move(l));
  }
}

campaign::engine_settings campaign_driver::impl::settings() const {
  campaign::engine_settings s;
  s.campaign = spec.id;
  s.owner = cx.owner;
  s.uncertain = cx.cfg.limits.resend_uncertain ? campaign::uncertain_policy::resend
                                               : campaign::uncertain_policy::report;
  s.validity = validity;
  s.min_grace = cx.cfg.limits.uncertain_grace;
  // About 512 recipients per read, as estimated at creation.
  const std::uint64_t per_bucket =
      std::max<std::uint64_t>(1, spec.estimated_recipients / broadcast::buckets_per_ward);
  s.buckets_per_read = std::clamp<std::uint64_t>(512 / per_bucket, 1, broadcast::buckets_per_chunk);
  for (const auto& [name, l] : lanes)
    s.lanes.push_back({name, l.message ? static_cast<int>(l.message->parts.size()) : 1, l.unsendable});
  return s;
}

void campaign_driver::impl::take(campaign::engine_actions actions) {
  for (auto& a : actions) todo.push_back(std::move(a));
  drain();
}

// Performs the engine's actions in order. An event that comes while they are performed (a submit answered
// inline, a pool reporting capacity) only queues what the engine asks next; carriers are reported once the
// actions in hand are done, so that the engine hears the capacity left after its submits.
void campaign_driver::impl::drain() {
  if (draining) return;
  draining = true;
  while (!closed) {
    if (!todo.empty()) {
      auto a = std::move(todo.front());
      todo.pop_front();
      perform(std::move(a));
    } else if (!changed.empty()) {
      const auto carrier = *changed.begin();
      changed.erase(changed.begin());
      report_carrier(carrier);
    } else {
      break;
    }
  }
  draining = false;
}

void campaign_driver::impl::perform(campaign::engine_action a) {
  namespace act = campaign::action;
  if (const auto* t = std::get_if<act::arm_timer>(&a))
    arm(t->id, t->after);
  else if (const auto* s = std::get_if<act::submit>(&a))
    submit(*s);
  else if (const auto* f = std::get_if<act::finished>(&a))
    finish(f->why);
  else
    perform_store(std::move(a));
}

void campaign_driver::impl::arm(campaign::timer_id id, campaign::duration after) {
  const auto i = index_of(id);
  // The engine asks for its wake after every answer, mostly for the same time (the outcomes' linger): a wake
  // already set no later stays. Waking early only makes the engine look again and ask anew; re-arming cost a
  // cancelled wait and a timerfd_settime per answer.
  if (id == campaign::timer_id::wake && waiting[i] &&
      timers[i].expiry() <= boost::asio::steady_timer::clock_type::now() + after)
    return;
  const auto generation = ++armed[i];
  waiting[i] = true;
  timers[i].expires_after(after);  // cancels the previous wait: its handler sees an old generation
  timers[i].async_wait([self = weak_from_this(), id, i, generation](boost::system::error_code) {
    auto me = self.lock();
    if (!me || me->closed || me->armed[i] != generation) return;
    me->waiting[i] = false;
    me->take(me->machine->on_timer(id, clock::now()));
  });
}

void campaign_driver::impl::submit(const campaign::action::submit& s) {
  auto& l = lanes.at(s.carrier);
  const auto key = s.carrier + "/" + s.number;
  if (bodies_for != key) {
    const submit_context context{l.sender, s.number, true, validity};
    bodies = submit_bodies(*l.message, l.pool->config(), context);
    bodies_for = key;
  }
  auto body = bodies.at(static_cast<std::size_t>(s.part - 1));
  l.pool->submit(std::move(body), [self = weak_from_this(), token = s.token,
                                   carrier = s.carrier](const smpp::submit_outcome& o) {
    if (auto me = self.lock()) me->answered(token, carrier, o);
  });
}

void campaign_driver::impl::answered(std::uint64_t token, const std::string& carrier,
                                     const smpp::submit_outcome& o) {
  if (closed) return;
  campaign::answer a;
  switch (o.kind) {
    case smpp::outcome_kind::accepted:
      a.kind = campaign::answer_kind::accepted;
      // Normalised as its receipt's id will be: the record keys the receipt mapping by it.
      a.message_id = smpp::normalise_receipt_id(o.message_id, lanes.at(carrier).receipt_mode,
                                                smpp::id_origin::submit_resp);
      if (cx.submitted) cx.submitted(carrier, broadcast::campaign_keys::receipt(carrier, a.message_id));
      break;
    case smpp::outcome_kind::retry_later:
      a.kind = campaign::answer_kind::retry_later;
      a.retry_after = o.retry_after;
      break;
    case smpp::outcome_kind::permanent:
      a.kind = campaign::answer_kind::refused;
      a.reason = reason(o);
      break;
    case smpp::outcome_kind::uncertain:
      a.kind = campaign::answer_kind::uncertain;
      a.reason = reason(o);
      break;
  }
  take(machine->on_answer(token, a, clock::now()));
}

void campaign_driver::impl::report_carrier(const std::string& carrier) {
  const auto it = lanes.find(carrier);
  if (it == lanes.end()) return;
  const auto* pool = it->second.pool;
  const auto delay = cx.receipt_delay ? cx.receipt_delay(carrier) : campaign::duration{};
  auto actions = machine->on_carrier(carrier, pool->binds_up(), pool->free_capacity(), delay, clock::now());
  for (auto& a : actions) todo.push_back(std::move(a));
}

std::string campaign_driver::impl::route(const std::string& number) const {
  std::string carrier(cx.router.carrier_for(number));
  if (!lanes.count(carrier)) carrier = cx.cfg.routing.default_carrier;
  return carrier;
}

std::int64_t campaign_driver::impl::receipt_deadline_s() const {
  const auto deadline = std::chrono::system_clock::now() + validity + receipt_grace;
  return std::chrono::duration_cast<std::chrono::seconds>(deadline.time_since_epoch()).count();
}

void campaign_driver::impl::finish(campaign::end_reason why) {
  closed = true;
  todo.clear();
  for (auto& t : timers) t.cancel();
  auto self = shared_from_this();
  auto tell = [self, why] {
    asio::post(self->cx.io, [self, why] {
      // A copy: the callee may destroy the driver, whose destructor drops `ended`.
      if (auto f = self->ended) f(why);
    });
  };
  switch (why) {
    case campaign::end_reason::done:
      info(fmt::format("campaign {}: every chunk settled: done", spec.id));
      break;
    case campaign::end_reason::cancelled:
      // After the validity period (and a grace) what still waits for a receipt counts as expired.
      asio::co_spawn(
          cx.io,
          [self, tell]() -> asio::awaitable<void> {
            if (auto ec =
                    co_await self->cx.store.set_receipt_deadline(self->spec.id, self->receipt_deadline_s()))
              self->warn(fmt::format("campaign {}: its receipt deadline was not set ({})", self->spec.id,
                                     ec.message()));
            tell();
          },
          asio::detached);
      return;
    case campaign::end_reason::stopped:
      info(fmt::format("campaign {}: stopped here; its work handed back", spec.id));
      break;
    case campaign::end_reason::held:
      info(fmt::format("campaign {}: waits for an approver; its work handed back", spec.id));
      break;
  }
  tell();
}

campaign_driver::campaign_driver(campaign_context& context, broadcast::campaign_spec spec,
                                 std::function<void(campaign::end_reason)> ended)
    : impl_(std::make_shared<impl>(context, std::move(spec), std::move(ended))) {}

campaign_driver::~campaign_driver() {
  // Store calls and submit callbacks still running find it closed and do nothing.
  impl_->closed = true;
  impl_->ended = nullptr;
  for (auto& t : impl_->timers) t.cancel();
}

void campaign_driver::start() {
  auto& p = *impl_;
  p.prepare_lanes();
  p.machine.emplace(p.settings());
  p.open_store();
  p.info(fmt::format("campaign {}: running (as {})", p.spec.id, p.cx.owner));
  auto actions = p.machine->start(clock::now());
  for (const auto& [name, l] : p.lanes) p.changed.insert(name);
  p.take(std::move(actions));
}

void campaign_driver::stop() {
  if (!impl_->closed) impl_->take(impl_->machine->stop(clock::now()));
}

void campaign_driver::cancel() {
  if (!impl_->closed) impl_->take(impl_->machine->cancel(clock::now()));
}

void campaign_driver::carrier_changed(std::string_view carrier) {
  auto& p = *impl_;
  if (p.closed || !p.lanes.count(carrier)) return;
  p.changed.emplace(carrier);
  p.drain();
}

bool campaign_driver::offer_receipt(std::string_view carrier, const std::string& number,
                                    const std::string& id) {
  auto& p = *impl_;
  if (p.closed) return false;
  campaign::engine_actions out;
  const bool resolved = p.machine->on_receipt(std::string(carrier), number, id, clock::now(), out);
  p.take(std::move(out));
  return resolved;
}

std::vector<lane_report> campaign_driver::lanes() const {
  std::vector<lane_report> out;
  if (!impl_->machine) return out;
  const auto steady_now = clock::now();
  const auto wall_now = std::chrono::system_clock::now();
  for (auto& st : impl_->machine->status()) {
    lane_report r;
    if (st.since) {
      const auto at =
          wall_now - std::chrono::duration_cast<std::chrono::system_clock::duration>(steady_now - *st.since);
      r.waiting_since_s = std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
    }
    r.lane = std::move(st);
    out.push_back(std::move(r));
  }
  return out;
}

const std::string& campaign_driver::id() const noexcept {
  return impl_->spec.id;
}

}  // namespace loa::gateway
