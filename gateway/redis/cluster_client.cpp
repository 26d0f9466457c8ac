#include "gateway/redis/cluster_client.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "gateway/redis/command_route.hpp"
#include "gateway/redis/exec.hpp"

namespace loa::redis::detail {
namespace {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;
constexpr auto awaitable_tuple = asio::as_tuple(asio::use_awaitable);

// The script of each command that is a script call, so that a part sent to one primary loads it there.
std::vector<const script*> scripts_of(const request& req) {
  std::vector<const script*> out(req.size(), nullptr);
  for (const auto& call : req.script_calls()) out[call.command] = call.called;
  return out;
}

// What is left of the request's time: zero means "no timeout" for a request, so an expired one is 1 ms.
std::chrono::milliseconds left_until(clock::time_point deadline) {
  if (deadline == clock::time_point::max()) return std::chrono::milliseconds(0);
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
  return std::max(left, std::chrono::milliseconds(1));
}

reply error_reply(std::string text) {
  return reply::make_text(reply::kind::error, std::move(text));
}

}  // namespace

cluster_client::cluster_client(boost::asio::any_io_executor ex, settings s)
    : ex_(std::move(ex)), settings_(std::move(s)), refresh_timer_(ex_) {}

cluster_client::~cluster_client() {
  for (auto& [address, n] : nodes_) n.conn->cancel();
}

std::size_t cluster_client::queued() const noexcept {
  std::size_t n = map_waiters_.size();
  for (const auto& [address, nd] : nodes_) n += nd.conn->queued();
  return n;
}

settings cluster_client::node_settings(const endpoint& at) const {
  settings s = settings_;
  s.host = at.host;
  s.port = at.port;
  s.unix_socket.clear();
  s.sentinels.clear();
  s.cluster.clear();
  s.db = 0;  // a cluster has only database 0
  return s;
}

void cluster_client::run(run_handler handler) {
  if (running_) {
    asio::post(ex_, [h = std::move(handler)]() mutable { std::move(h)(error::already_running); });
    return;
  }
  running_ = true;
  ++run_id_;
  run_handler_.emplace(std::move(handler));
  last_error_ = {};
  state_ = state::idle;
  update_state();
  asio::co_spawn(
      ex_, [self = shared_from_this()] { return self->keep_map(); }, asio::detached);
}

void cluster_client::cancel() {
  if (running_) finish_run(error::stopped);
}

void cluster_client::finish_run(std::error_code why) {
  running_ = false;
  ++run_id_;
  refresh_timer_.cancel();
  for (auto* t : map_waiters_) t->cancel();
  for (auto& [address, n] : nodes_) n.conn->cancel();
  nodes_.clear();
  map_.reset();
  address_.clear();
  if (why != error::stopped) last_error_ = why;
  state_ = state::stopped;
  if (observer_) {
    asio::post(ex_,
               [weak = weak_from_this(), change = state_change{state::stopped, why, last_error_detail_}] {
                 if (auto self = weak.lock(); self && self->observer_) self->observer_(change);
               });
  }
  if (run_handler_) {
    asio::post(ex_, [h = std::move(*run_handler_), why]() mutable { std::move(h)(why); });
    run_handler_.reset();
  }
}

// The slot map, read again every cluster_refresh_interval while every primary is ready, every
// cluster_retry_delay otherwise or when asked (refresh_soon).
asio::awaitable<void> cluster_client::keep_map() {
  const auto id = run_id_;
  while (running_ && run_id_ == id) {
    refresh_requested_ = false;
    const bool ok = co_await refresh();
    if (!running_ || run_id_ != id) co_return;
    const bool healthy = ok && state_ == state::ready && !refresh_requested_;
    refresh_timer_.expires_after(healthy ? settings_.cluster_refresh_interval
                                         : settings_.cluster_retry_delay);
    co_await refresh_timer_.async_wait(awaitable_tuple);
  }
}

void cluster_client::refresh_soon() {
  refresh_requested_ = true;
  refresh_timer_.cancel();
}

// Asks the primaries that answer, then the seeds, then any other node known, until one gives a map.
asio::awaitable<bool> cluster_client::refresh() {
  std::vector<endpoint> candidates;
  auto add = [&](const endpoint& e) {
    const auto a = address_of(e);
    for (const auto& c : candidates)
      if (address_of(c) == a) return;
    candidates.push_back(e);
  };
  for (const auto& [address, n] : nodes_)
    if (!n.retired && n.conn->current_state() == state::ready) add(n.at);
  for (const auto& seed : settings_.cluster) add(seed);
  for (const auto& [address, n] : nodes_) add(n.at);
  std::string failures;
  for (const auto& at : candidates) {
    std::string why;
    auto map = co_await ask_slots(at, why);
    if (!running_) co_return false;
    if (map) {
      apply(std::move(*map));
      co_return true;
    }
    if (!failures.empty()) failures += "; ";
    failures += address_of(at) + ": " + why;
  }
  last_error_ = error::no_slot_map;
  last_error_detail_ = std::move(failures);
  update_state();
  co_return false;
}

asio::awaitable<std::optional<slot_map>> cluster_client::ask_slots(const endpoint& at, std::string& why) {
  auto self = shared_from_this();
  request req;
  req.push("CLUSTER", "SLOTS");
  req.timeout = settings_.connect_timeout;
  std::shared_ptr<connection> conn;
  bool temporary = false;
  if (auto it = nodes_.find(address_of(at));
      it != nodes_.end() && it->second.conn->current_state() == state::ready) {
    conn = it->second.conn;
  } else {
    // A short-lived connection, one attempt: a seed, or a node whose own connection is down.
    auto s = node_settings(at);
    s.max_connect_attempts = 1;
    conn = std::make_shared<connection>(ex_, s);
    conn->async_run([](std::error_code) {});
    temporary = true;
  }
  auto [ec, resp] = co_await conn->async_exec(std::move(req), awaitable_tuple);
  std::string detail = temporary ? conn->last_error_detail() : std::string();
  if (temporary) conn->cancel();
  if (resp.empty()) {
    why = ec.message() + (detail.empty() ? "" : " (" + detail + ")");
    co_return std::nullopt;
  }
  co_return parse_cluster_slots(resp[0], at, why);
}

void cluster_client::apply(slot_map map) {
  for (auto& [address, n] : nodes_) n.retired = true;
  for (const auto& primary : map.primaries) node_for(primary).retired = false;
  address_.clear();
  for (const auto& a : map.addresses) address_ += (address_.empty() ? "" : ",") + a;
  map_ = std::make_shared<const slot_map>(std::move(map));
  drop_retired();
  for (auto* t : map_waiters_) t->cancel();
  update_state();
}

// MOVED: the slot is on `to` from now on; the full map follows (refresh_soon).
void cluster_client::patch(std::uint16_t slot, const endpoint& to) {
  if (!map_) return;
  auto map = std::make_shared<slot_map>(*map_);
  const auto address = address_of(to);
  auto at = std::find(map->addresses.begin(), map->addresses.end(), address);
  if (at == map->addresses.end()) {
    map->primaries.push_back(to);
    map->addresses.push_back(address);
    at = std::prev(map->addresses.end());
  }
  map->owner[slot] = static_cast<std::int16_t>(at - map->addresses.begin());
  node_for(to).retired = false;
  map_ = std::move(map);
}

cluster_client::node& cluster_client::node_for(const endpoint& at) {
  const auto address = address_of(at);
  auto [it, inserted] = nodes_.try_emplace(address);
  if (!inserted) return it->second;
  node& n = it->second;
  n.at = at;
  // Not a primary of the map (an ASK target) until apply() or patch() says so: dropped when idle.
  n.retired =
      !map_ || std::find(map_->addresses.begin(), map_->addresses.end(), address) == map_->addresses.end();
  n.conn = std::make_shared<connection>(ex_, node_settings(at));
  n.conn->set_observer([weak = weak_from_this(), address](const state_change& change) {
    if (auto self = weak.lock()) self->on_node_change(address, change);
  });
  n.conn->async_run([weak = weak_from_this(), address, id = run_id_](std::error_code ec) {
    auto self = weak.lock();
    if (!self || !self->running_ || self->run_id_ != id) return;
    // A password the node refuses will not get better: the whole cluster stops, as one server would.
    if (ec == error::auth_failed || ec == error::select_failed) {
      self->last_error_detail_ = address + " refused the handshake";
      self->finish_run(ec);
    }
  });
  return n;
}

void cluster_client::on_node_change(const std::string& address, const state_change& change) {
  if (!running_ || !nodes_.contains(address)) return;
  if (change.why) {
    last_error_ = change.why;
    last_error_detail_ = address + ": " + (change.detail.empty() ? change.why.message() : change.detail);
  }
  // A primary that stops answering may be failing over: read the map until it names another.
  if (change.now != state::ready && change.now != state::connecting) refresh_soon();
  update_state();
}

void cluster_client::part_done(const std::string& address) {
  auto it = nodes_.find(address);
  if (it == nodes_.end()) return;
  if (it->second.in_flight > 0) --it->second.in_flight;
  if (it->second.retired) drop_retired();
}

// Former primaries: dropped once nothing sent to them waits for an answer, or at once when they are down
// (what waits on them was not sent: it fails with error::stopped and execute() sends it to the new owner).
void cluster_client::drop_retired() {
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    auto& n = it->second;
    if (n.retired && (n.in_flight == 0 || n.conn->current_state() != state::ready)) {
      n.conn->cancel();
      it = nodes_.erase(it);
    } else {
      ++it;
    }
  }
}

void cluster_client::update_state() {
  if (!running_) return;
  bool all_ready = map_ != nullptr;
  if (map_) {
    for (const auto& a : map_->addresses) {
      auto it = nodes_.find(a);
      if (it == nodes_.end() || it->second.conn->current_state() != state::ready) all_ready = false;
    }
  }
  const state now = all_ready ? state::ready : (last_error_ ? state::waiting_to_retry : state::connecting);
  if (now == state_) return;
  state_ = now;
  if (now == state::ready) ++connects_;
  if (!observer_) return;
  state_change change{now, now == state::ready ? std::error_code() : last_error_,
                      now == state::ready ? std::string() : last_error_detail_};
  asio::post(ex_, [weak = weak_from_this(), change = std::move(change)] {
    if (auto self = weak.lock(); self && self->observer_) self->observer_(change);
  });
}

asio::awaitable<bool> cluster_client::wait_for_map(clock::time_point deadline) {
  auto self = shared_from_this();
  asio::steady_timer t(ex_);
  t.expires_at(deadline);
  map_waiters_.push_back(&t);
  const auto me = std::prev(map_waiters_.end());
  co_await t.async_wait(awaitable_tuple);
  map_waiters_.erase(me);
  co_return map_ != nullptr;
}

// Sends each part to its node at once, each through exec() (NOSCRIPT handled on that node), and returns
// their outcomes in order.
asio::awaitable<std::vector<cluster_client::part_result>> cluster_client::send_parts(
    std::vector<std::pair<endpoint, request>> parts) {
  auto self = shared_from_this();
  struct gather {
    explicit gather(const asio::any_io_executor& ex, std::size_t n) : left(n), results(n), done(ex) {
      done.expires_at(clock::time_point::max());
    }
    std::size_t left;
    std::vector<part_result> results;
    asio::steady_timer done;
  };
  if (parts.size() == 1) {
    // One primary (most requests: the stores keep each in one slot): no task and no gathering needed.
    auto& n = node_for(parts[0].first);
    ++n.in_flight;
    auto conn = n.conn;
    const auto address = address_of(parts[0].first);
    auto [ec, resp] = co_await redis::exec(*conn, std::move(parts[0].second));
    part_done(address);
    std::vector<part_result> one;
    one.push_back({ec, std::move(resp)});
    co_return one;
  }
  auto g = std::make_shared<gather>(ex_, parts.size());
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto& n = node_for(parts[i].first);
    ++n.in_flight;
    const auto address = address_of(parts[i].first);
    asio::co_spawn(
        ex_,
        [conn = n.conn, req = std::move(parts[i].second)]() mutable {
          return redis::exec(*conn, std::move(req));
        },
        [self, g, i, address](std::exception_ptr e, std::pair<std::error_code, response> r) {
          g->results[i] = e ? part_result{error::stopped, {}} : part_result{r.first, std::move(r.second)};
          self->part_done(address);
          if (--g->left == 0) g->done.cancel();
        });
  }
  while (g->left > 0) co_await g->done.async_wait(awaitable_tuple);
  co_return std::move(g->results);
}

void cluster_client::exec(request req, exec_handler handler) {
  auto ex = asio::get_associated_executor(handler, ex_);
  asio::co_spawn(
      ex_,
      [self = shared_from_this(), req = std::move(req)]() mutable { return self->execute(std::move(req)); },
      asio::bind_executor(
          ex, [h = std::move(handler)](std::exception_ptr e, std::pair<std::error_code, response> r) mutable {
            // execute() throws only what allocation throws; say the request did not go through.
            if (e) r = {error::stopped, response{}};
            std::move(h)(r.first, std::move(r.second));
          }));
}

asio::awaitable<std::pair<std::error_code, response>> cluster_client::execute(request req) {
  using kind = command_route::kind;
  if (req.empty()) co_return std::pair{std::error_code(error::empty_request), response{}};
  const auto offsets = command_offsets(req);
  const auto scripts = scripts_of(req);
  const std::size_t n = req.size();
  std::vector<command_route> routes(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = command_at(req, offsets, i);
    if (c.empty() || c[0].empty()) co_return std::pair{std::error_code(error::empty_request), response{}};
    routes[i] = route_of(c);
    if (routes[i].how == kind::transaction)
      co_return std::pair{std::error_code(error::unsupported_command), response{}};
    if (routes[i].how == kind::cross_slot)
      co_return std::pair{std::error_code(error::cross_slot), response{}};
  }
  const auto timeout = req.timeout.value_or(settings_.request_timeout);
  const auto deadline = timeout.count() > 0 ? clock::now() + timeout : clock::time_point::max();
  if (!map_ && !co_await wait_for_map(deadline))
    co_return std::pair{std::error_code(running_ ? error::timeout : error::stopped), response{}};

  // Keyless commands go with the keyed command before them (else after them, else to the first primary);
  // WAIT goes at the end of every part; FLUSHALL and the like to every primary.
  const bool any_keyed =
      std::any_of(routes.begin(), routes.end(), [](auto& r) { return r.how == kind::slot; });
  std::vector<int> slot_of(n, -1);  // -1: the first primary
  std::vector<std::size_t> everywhere, waits;
  int previous = -1;
  for (std::size_t i = 0; i < n; ++i) {
    if (routes[i].how == kind::slot) previous = routes[i].slot;
    slot_of[i] = previous;
  }
  int next = -1;
  for (std::size_t i = n; i-- > 0;) {
    if (routes[i].how == kind::slot) next = routes[i].slot;
    if (slot_of[i] < 0) slot_of[i] = next;
  }
  struct pending_cmd {
    std::size_t cmd;
    std::optional<endpoint> ask;
  };
  std::vector<pending_cmd> pending;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = command_at(req, offsets, i);
    if (routes[i].how == kind::every_primary)
      everywhere.push_back(i);
    else if (any_keyed && routes[i].how == kind::keyless && is_wait(c[0]))
      waits.push_back(i);
    else
      pending.push_back({i, std::nullopt});
  }
  std::vector<std::optional<reply>> out(n);

  if (!everywhere.empty()) {
    std::vector<std::pair<endpoint, request>> parts;
    const auto map = map_;
    for (const auto& primary : map->primaries) {
      request part;
      part.timeout = left_until(deadline);
      for (auto i : everywhere) part.push_copy(command_at(req, offsets, i), scripts[i]);
      parts.emplace_back(primary, std::move(part));
    }
    auto results = co_await send_parts(std::move(parts));
    for (auto& r : results) {
      if (r.ec && r.ec != error::server_error) co_return std::pair{r.ec, response{}};
      for (std::size_t k = 0; k < everywhere.size() && k < r.resp.size(); ++k) {
        auto& slot = out[everywhere[k]];
        if (!slot || (r.resp[k].is_error() && !slot->is_error())) slot = std::move(r.resp[k]);
      }
    }
  }

  std::optional<reply> wait_reply;  // the smallest count WAIT gave on the primaries written to
  auto delay = settings_.cluster_retry_delay;
  for (unsigned round = 0; !pending.empty(); ++round) {
    if (!running_) co_return std::pair{std::error_code(error::stopped), response{}};
    if (deadline != clock::time_point::max() && clock::now() >= deadline)
      co_return std::pair{std::error_code(error::timeout), response{}};
    struct entry {
      std::size_t cmd, pos;
      std::optional<endpoint> ask;
    };
    struct group {
      endpoint at;
      request part;
      std::vector<entry> entries;
      std::size_t wait_pos = 0;
    };
    std::map<std::string, group> groups;
    std::vector<pending_cmd> again;
    bool pause = false, moved = false;
    const auto map = map_;
    for (auto& p : pending) {
      endpoint at;
      if (p.ask) {
        at = *p.ask;
      } else {
        const int slot = slot_of[p.cmd];
        const auto owner = slot < 0 ? std::int16_t{0} : map->owner[static_cast<std::size_t>(slot)];
        if (owner < 0) {
          out[p.cmd] =
              error_reply("CLUSTERDOWN Hash slot " + std::to_string(slot) + " is served by no primary");
          again.push_back(p);
          pause = moved = true;
          continue;
        }
        at = map->primaries[static_cast<std::size_t>(owner)];
      }
      auto& g = groups[address_of(at)];
      g.at = at;
      if (p.ask) g.part.push("ASKING");
      g.entries.push_back({p.cmd, g.part.size(), p.ask});
      g.part.push_copy(command_at(req, offsets, p.cmd), scripts[p.cmd]);
    }
    std::vector<std::pair<endpoint, request>> parts;
    std::vector<group*> sent;
    for (auto& [address, g] : groups) {
      g.wait_pos = g.part.size();
      if (!waits.empty()) g.part.push_copy(command_at(req, offsets, waits.back()));
      g.part.timeout = left_until(deadline);
      parts.emplace_back(g.at, std::move(g.part));
      sent.push_back(&g);
    }
    auto results = co_await send_parts(std::move(parts));
    for (std::size_t k = 0; k < sent.size(); ++k) {
      auto& g = *sent[k];
      auto& r = results[k];
      if (r.ec == error::stopped && running_) {
        // The node was dropped (no longer a primary) before the part was sent: send it to the new owner.
        for (const auto& e : g.entries) again.push_back({e.cmd, std::nullopt});
        pause = true;
        continue;
      }
      if (r.ec && r.ec != error::server_error) co_return std::pair{r.ec, response{}};
      bool ran = false;  // a command of this part ran here (was not redirected): its WAIT counts
      for (const auto& e : g.entries) {
        if (e.pos >= r.resp.size()) co_return std::pair{std::error_code(error::protocol), response{}};
        auto& rep = r.resp[e.pos];
        const auto rd = parse_redirect(rep, g.at);
        switch (rd.how) {
          case redirect::kind::none:
            ran = true;
            break;
          case redirect::kind::moved:
            patch(rd.slot, rd.to);
            again.push_back({e.cmd, std::nullopt});
            moved = true;
            break;
          case redirect::kind::ask:
            again.push_back({e.cmd, rd.to});
            break;
          case redirect::kind::tryagain:
            again.push_back({e.cmd, std::nullopt});
            pause = true;
            break;
          case redirect::kind::clusterdown:
            again.push_back({e.cmd, std::nullopt});
            pause = moved = true;
            break;
        }
        out[e.cmd] = std::move(rep);  // the redirection stays the answer if the tries run out
      }
      // A part whose commands were all redirected wrote nothing here (a demoted primary even answers its
      // WAIT with an error): its WAIT says nothing.
      if (ran && !waits.empty() && g.wait_pos < r.resp.size()) {
        auto& w = r.resp[g.wait_pos];
        if (!wait_reply || w.is_error() || (!wait_reply->is_error() && w.integer() < wait_reply->integer()))
          wait_reply = std::move(w);
      }
    }
    if (moved) refresh_soon();
    pending = std::move(again);
    if (pending.empty() || round + 1 > settings_.cluster_max_redirects) break;
    if (pause) {
      asio::steady_timer t(ex_);
      t.expires_after(deadline == clock::time_point::max() ? delay : std::min(delay, left_until(deadline)));
      co_await t.async_wait(awaitable_tuple);
      delay = std::min(delay * 2, std::chrono::milliseconds(1000));
    }
  }

  std::vector<reply> replies;
  replies.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (std::find(waits.begin(), waits.end(), i) != waits.end())
      replies.push_back(wait_reply ? *wait_reply : reply::make_integer(0));
    else
      replies.push_back(out[i] ? std::move(*out[i]) : reply{});
  }
  response resp(std::move(replies));
  const std::error_code ec = resp.first_error() ? std::error_code(error::server_error) : std::error_code();
  co_return std::pair{ec, std::move(resp)};
}

void cluster_client::check(std::chrono::milliseconds limit, check_handler handler) {
  auto ex = asio::get_associated_executor(handler, ex_);
  auto checking = [](std::shared_ptr<cluster_client> self,
                     std::chrono::milliseconds ping_limit) -> asio::awaitable<std::vector<node_check>> {
    std::vector<node_check> out;
    if (!self->map_) {
      out.push_back({"cluster", error::no_slot_map, self->last_error_detail_});
      co_return out;
    }
    const auto map = self->map_;
    std::vector<std::pair<endpoint, request>> parts;
    for (const auto& primary : map->primaries) {
      request ping;
      ping.push("PING");
      ping.timeout = ping_limit;
      parts.emplace_back(primary, std::move(ping));
    }
    auto results = co_await self->send_parts(std::move(parts));
    for (std::size_t i = 0; i < results.size(); ++i) {
      node_check c{map->addresses[i], results[i].ec, {}};
      if (!results[i].resp.empty() && results[i].resp[0].is_error()) {
        c.detail = results[i].resp[0].str();
      } else if (c.ec) {
        // Why the node's connection is down says more than "timeout".
        if (auto it = self->nodes_.find(map->addresses[i]); it != self->nodes_.end())
          c.detail = it->second.conn->last_error_detail();
      }
      out.push_back(std::move(c));
    }
    if (const auto unserved = map->unserved(); unserved > 0)
      out.push_back(
          {"cluster", error::no_slot_map, std::to_string(unserved) + " hash slots are served by no primary"});
    co_return out;
  };
  asio::co_spawn(ex_, checking(shared_from_this(), limit),
                 asio::bind_executor(
                     ex, [h = std::move(handler)](std::exception_ptr e, std::vector<node_check> r) mutable {
                       if (e) r = {{"cluster", error::stopped, {}}};
                       std::move(h)(std::move(r));
                     }));
}

}  // namespace loa::redis::detail
