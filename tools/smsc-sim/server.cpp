#include "tools/smsc-sim/server.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "tools/smsc-sim/session.hpp"

namespace loa::sim {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
// Receipts held per system_id while no receiver is bound; beyond this the oldest go (a demo, not a store).
constexpr std::size_t max_waiting_receipts = 100000;
}  // namespace

server::server(asio::io_context& io, options opts, message_log& log, std::vector<mo_message> mo)
    : opts_(std::move(opts)),
      log_(log),
      acceptor_(io),
      tokens_(opts_.tps),
      refilled_(std::chrono::steady_clock::now()),
      outcomes_(opts_.fail_rate, opts_.seed),
      receipts_(io, std::chrono::milliseconds(opts_.receipt_delay_ms),
                [this](receipt_job j) { deliver(std::move(j)); }),
      started_(std::chrono::steady_clock::now()),
      mo_(std::move(mo)),
      mo_timer_(io) {}

server::~server() = default;

std::uint16_t server::listen() {
  const tcp::endpoint ep(asio::ip::make_address(opts_.host), opts_.port);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen();
  accept_next();
  return acceptor_.local_endpoint().port();
}

void server::accept_next() {
  acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || stopped_) return;
      std::cerr << "loa-smsc-sim: accept: " << ec.message() << '\n';
    } else {
      const auto id = next_session_++;
      auto s = std::make_shared<session>(std::move(socket), *this, id);
      sessions_[id] = s;
      s->start();
    }
    if (!stopped_) accept_next();
  });
}

void server::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  mo_timer_.cancel();
  for (auto& [id, weak] : sessions_)
    if (auto s = weak.lock()) s->close();
  sessions_.clear();
}

message_ids server::next_ids() {
  const auto n = next_id_++;
  auto format = [n](id_base base) {
    char buf[32];
    if (base == id_base::hex)
      std::snprintf(buf, sizeof buf, "%08llX", static_cast<unsigned long long>(n));
    else
      std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(n));
    return std::string(buf);
  };
  return {format(opts_.ids), format(opts_.receipt_ids)};
}

bool server::take_submit_token() {
  if (opts_.tps <= 0) return true;
  // A token bucket holding at most one second's worth: bursts up to --tps, then --tps per second.
  const auto now = std::chrono::steady_clock::now();
  const std::chrono::duration<double> elapsed = now - refilled_;
  refilled_ = now;
  tokens_ = std::min(opts_.tps, tokens_ + elapsed.count() * opts_.tps);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

void server::receipt_for(receipt_job job, bool immediately) {
  outcomes_.pick(job);
  if (job.failures_only && job.state == smpp::receipt_state::delivered) return;
  if (immediately)
    deliver(std::move(job));
  else
    receipts_.schedule(std::move(job));
}

void server::deliver(receipt_job job) {
  if (stopped_) return;
  const auto done = std::chrono::system_clock::now();
  // The submitting session first (a transceiver), else any receiver or transceiver of the same system_id.
  std::shared_ptr<session> target;
  if (auto it = sessions_.find(job.origin_session); it != sessions_.end())
    if (auto s = it->second.lock(); s && s->can_receive()) target = s;
  if (!target) {
    for (auto& [id, weak] : sessions_) {
      auto s = weak.lock();
      if (s && s->can_receive() && s->system_id() == job.system_id) {
        target = s;
        break;
      }
    }
  }
  if (!target) {
    auto& queue = waiting_[job.system_id];
    if (queue.size() >= max_waiting_receipts) queue.erase(queue.begin());
    queue.push_back(std::move(job));
    return;
  }
  target->deliver(make_receipt_pdu(job, done));
}

bool server::refuse_bind() {
  ++bind_attempts_;
  if (bind_attempts_ <= opts_.refuse_binds) return true;
  return opts_.refuse_binds_ms != 0 &&
         std::chrono::steady_clock::now() - started_ < std::chrono::milliseconds(opts_.refuse_binds_ms);
}

void server::bound_receiver(const std::shared_ptr<session>& s) {
  if (!mo_started_ && !mo_.empty()) {
    mo_started_ = true;
    mo_arm();
  } else if (mo_blocked_) {
    mo_blocked_ = false;
    mo_due();
  }
  auto it = waiting_.find(s->system_id());
  if (it == waiting_.end()) return;
  auto jobs = std::move(it->second);
  waiting_.erase(it);
  const auto done = std::chrono::system_clock::now();
  for (const auto& job : jobs) s->deliver(make_receipt_pdu(job, done));
}

void server::mo_arm() {
  if (mo_next_ >= mo_.size() || stopped_) return;
  // Even a zero delay waits for the next turn of the loop, so the bind_resp goes out before the first MO.
  mo_timer_.expires_after(std::chrono::milliseconds(mo_[mo_next_].delay_ms));
  mo_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) mo_due();
  });
}

void server::mo_due() {
  if (stopped_ || mo_next_ >= mo_.size()) return;
  // Round robin over whoever can receive now; all parts of one MO go to the same bind, as an SMSC does.
  std::vector<std::shared_ptr<session>> receivers;
  for (auto& [id, weak] : sessions_)
    if (auto s = weak.lock(); s && s->can_receive()) receivers.push_back(std::move(s));
  if (receivers.empty()) {
    mo_blocked_ = true;  // held until a receiver binds again
    return;
  }
  const auto& target = receivers[mo_turn_++ % receivers.size()];
  std::error_code ec;
  auto parts = mo_parts(mo_[mo_next_], mo_reference_++, ec);  // checked at load: cannot fail here
  // Logged (and flushed) before the first part leaves, so a client holding the parts finds the line.
  log_.mo_delivered(target->system_id(), mo_[mo_next_].from, mo_[mo_next_].to, mo_[mo_next_].text,
                    parts.size());
  for (auto& m : parts) target->deliver(std::move(m));
  ++mo_next_;
  mo_arm();
}

void server::closed(std::uint64_t session_id) {
  sessions_.erase(session_id);
}

}  // namespace loa::sim
