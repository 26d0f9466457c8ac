#include "tools/smsc-sim/server.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "tools/smsc-sim/session.hpp"

namespace loa::sim {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// The server side of --tls-cert/--tls-key: TLS 1.2 at least, the certificate chain and its key.
std::unique_ptr<asio::ssl::context> load_tls(const options& o) {
  if (o.tls_cert.empty()) return nullptr;
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  context->use_certificate_chain_file(o.tls_cert, ec);
  if (ec) throw bad_tls_file("--tls-cert " + o.tls_cert + ": cannot load: " + ec.message());
  context->use_private_key_file(o.tls_key, asio::ssl::context::pem, ec);
  if (ec) throw bad_tls_file("--tls-key " + o.tls_key + ": cannot load: " + ec.message());
  return context;
}

}  // namespace

server::server(asio::io_context& io, options opts, message_log& log, std::vector<mo_message> mo)
    : opts_(std::move(opts)),
      log_(log),
      acceptor_(io),
      tls_(load_tls(opts_)),
      limit_(opts_.tps, opts_.tps_counting, std::chrono::steady_clock::now()),
      outcomes_(opts_.fail_rate, opts_.seed),
      receipts_(io, std::chrono::milliseconds(opts_.receipt_delay_ms),
                [this](receipt_job j) { deliver(std::move(j)); }),
      store_(opts_.store_max),
      drop_log_timer_(io),
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
  drop_log_timer_.cancel();
  for (auto& [id, weak] : sessions_)
    if (auto s = weak.lock()) {
      s->report_receipt_stats();
      s->close();
    }
  sessions_.clear();
  receivers_.clear();
  if (dropped_unlogged_ != 0) log_dropped();
  if (store_.size() != 0)
    std::cerr << "loa-smsc-sim: " << store_.size()
              << " deliver_sm still kept for binds that did not come back\n";
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

void server::receipt_for(receipt_job job, bool immediately) {
  outcomes_.pick(job);
  if (opts_.faults.receipt_error && job.state != smpp::receipt_state::delivered) job.error = *opts_.faults.receipt_error;
  if (job.failures_only && job.state == smpp::receipt_state::delivered) return;
  if (immediately)
    deliver(std::move(job));
  else
    receipts_.schedule(std::move(job));
}

void server::deliver(receipt_job job) {
  if (stopped_) return;
  auto p = encode_deliver(make_receipt_pdu(job, std::chrono::system_clock::now()));
  if (p.empty()) return;
  // The submitting session first (a transceiver), else the receivers and transceivers of the same system_id
  // in turn (a transmitter's receipts come over a receiver bind), else the store until one binds.
  std::shared_ptr<session> target;
  if (auto it = sessions_.find(job.origin_session); it != sessions_.end())
    if (auto s = it->second.lock(); s && s->can_receive()) target = std::move(s);
  if (!target) target = next_receiver(job.system_id);
  if (target) return target->deliver(std::move(p));
  note_dropped(job.system_id, store_.push_back(job.system_id, std::move(p)));
}

std::shared_ptr<session> server::next_receiver(const std::string& system_id) {
  auto it = receivers_.find(system_id);
  if (it == receivers_.end()) return nullptr;
  auto& r = it->second;
  for (std::size_t tried = 0, n = r.binds.size(); tried < n; ++tried) {
    if (auto s = r.binds[r.turn++ % n].lock(); s && s->can_receive()) return s;
  }
  return nullptr;
}

void server::note_dropped(const std::string& system_id, std::size_t n) {
  if (n == 0) return;
  dropped_ += n;
  dropped_unlogged_ += n;
  dropped_last_ = system_id;
  if (drop_log_armed_) return;  // the timer reports them
  // The first drop is reported at once, later ones at most once a second: a flood does not flood stderr.
  log_dropped();
  arm_drop_log();
}

void server::arm_drop_log() {
  drop_log_armed_ = true;
  drop_log_timer_.expires_after(std::chrono::seconds(1));
  drop_log_timer_.async_wait([this](const boost::system::error_code& ec) {
    drop_log_armed_ = false;
    if (ec || dropped_unlogged_ == 0) return;  // a quiet second: the next drop is reported at once
    log_dropped();
    arm_drop_log();
  });
}

void server::log_dropped() {
  std::cerr << "loa-smsc-sim: store full (" << store_.max() << " deliver_sm kept): dropped "
            << dropped_unlogged_ << " oldest, the last for system_id \"" << dropped_last_ << "\"; "
            << dropped_ << " in all\n";
  dropped_unlogged_ = 0;
}

bool server::refuse_bind() {
  ++bind_attempts_;
  if (bind_attempts_ <= opts_.refuse_binds) return true;
  return opts_.refuse_binds_ms != 0 &&
         std::chrono::steady_clock::now() - started_ < std::chrono::milliseconds(opts_.refuse_binds_ms);
}

void server::bound_receiver(const std::shared_ptr<session>& s) {
  receivers_[s->system_id()].binds.push_back(s);
  // What was kept for this system_id first (it is older than anything still to come), in the order kept.
  for (auto& p : store_.take(s->system_id())) s->deliver(std::move(p));
  if (!mo_started_ && !mo_.empty()) {
    mo_started_ = true;
    mo_arm();
  } else if (mo_blocked_) {
    mo_blocked_ = false;
    mo_due();
  }
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
  if (const auto first = mo_[mo_next_].first_parts; first != 0 && first < parts.size()) parts.resize(first);
  // Logged (and flushed) before the first part leaves, so a client holding the parts finds the line.
  log_.mo_delivered(target->system_id(), mo_[mo_next_].from, mo_[mo_next_].to, mo_[mo_next_].text,
                    parts.size());
  for (auto& m : parts)
    if (auto p = encode_deliver(std::move(m)); !p.empty()) target->deliver(std::move(p));
  ++mo_next_;
  mo_arm();
}

void server::closed(std::uint64_t session_id, const std::string& system_id,
                    std::deque<encoded_pdu> unanswered) {
  sessions_.erase(session_id);
  if (auto it = receivers_.find(system_id); it != receivers_.end()) {
    auto& binds = it->second.binds;
    std::erase_if(binds, [session_id](const std::weak_ptr<session>& w) {
      const auto s = w.lock();
      return !s || s->id() == session_id;
    });
    if (binds.empty()) receivers_.erase(it);
  }
  if (stopped_ || unanswered.empty()) return;
  // Never answered: the client may never have seen them. Another receiving bind of the system_id gets them
  // all, in order; else they wait, ahead of what came due since, for the next one.
  if (auto s = next_receiver(system_id)) {
    for (auto& p : unanswered) s->deliver(std::move(p));
    return;
  }
  note_dropped(system_id, store_.push_front(system_id, std::move(unanswered)));
}

}  // namespace loa::sim
