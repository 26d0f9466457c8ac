#include "tools/smsc-sim/session.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <iostream>
#include <utility>

#include "gateway/smpp/codec.hpp"
#include "tools/smsc-sim/server.hpp"

namespace loa::sim {

namespace asio = boost::asio;
using smpp::command_id;

namespace {

// The command_status a generic_nack carries for each decode error.
std::uint32_t nack_status(const std::error_code& ec) {
  if (ec == smpp::error::unknown_command) return smpp::status::invcmdid;
  if (ec == smpp::error::bad_sm_length) return smpp::status::invmsglen;
  if (ec == smpp::error::bad_tlv) return smpp::status::invoptparstream;
  if (ec == smpp::error::bad_command_length || ec == smpp::error::truncated) return smpp::status::invcmdlen;
  return smpp::status::syserr;
}

// The first 20 octets of the text for a receipt's `text:` field, only when it is plain printable ASCII.
std::string text_start(const smpp::short_message& m) {
  if (m.esm_class & smpp::esm::udhi || (m.data_coding != 0 && m.data_coding != 1)) return {};
  std::string s;
  for (auto c : m.message) {
    if (s.size() == 20) break;
    s.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '.');
  }
  return s;
}

}  // namespace

session::session(asio::ip::tcp::socket socket, server& srv, std::uint64_t id)
    : stream_(std::move(socket)), server_(srv), id_(id) {
  boost::system::error_code ec;
  const auto ep = stream_.tcp().remote_endpoint(ec);
  peer_ = ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
  if (auto* tls = srv.tls_context()) {
    stream_.start_tls(*tls);
    handshaking_ = true;
  }
}

void session::start() {
  if (server_.opts().faults.deliver_before_bind) {
    smpp::short_message mo;
    mo.source = {1, 1, "84912345678"};
    mo.destination = {5, 0, "LOA"};
    mo.message = {'H', 'D'};
    // Not kept for redelivery: it is a fault, not something owed to a bind.
    send(smpp::pdu{command_id::deliver_sm, 0, next_sequence_++, std::move(mo)});
  }
  asio::co_spawn(
      stream_.get_executor(), [self = shared_from_this()] { return self->read_loop(); }, asio::detached);
}

asio::awaitable<void> session::read_loop() {
  std::vector<std::uint8_t> buffer;
  std::size_t start = 0;  // first unread octet of buffer
  std::array<std::uint8_t, 64 * 1024> chunk;
  const auto max = server_.opts().max_command_length;
  if (handshaking_) {
    auto [ec] = co_await stream_.tls().async_handshake(asio::ssl::stream_base::server,
                                                       asio::as_tuple(asio::use_awaitable));
    if (ec) {
      // A client that refuses our certificate ends here, before any PDU: say so, as an SMSC's log would.
      std::cerr << "loa-smsc-sim: " << peer_ << ": TLS handshake failed: " << ec.message() << '\n';
      close();
    }
    handshaking_ = false;
    write_next();  // what was queued meanwhile (a fault's deliver_sm)
  }
  while (!closed_) {
    auto [ec, n] = co_await stream_.async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    if (server_.opts().faults.never_answer) continue;
    buffer.insert(buffer.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
    // Answers to every PDU of this chunk go out in one write after it, not one write for the first and a
    // second for the rest.
    in_chunk_ = true;
    while (!closed_ && !close_when_written_) {
      const std::span<const std::uint8_t> unread(buffer.data() + start, buffer.size() - start);
      const auto probe = smpp::probe_frame(unread, max);
      if (probe.state == smpp::frame_state::need_more) break;
      if (probe.state == smpp::frame_state::invalid) {
        // The stream is out of step: nothing after this can be trusted. Say so once and hang up.
        std::cerr << "loa-smsc-sim: " << peer_ << ": command_length " << probe.length << " out of range; hex="
                  << smpp::to_hex(unread.first(std::min<std::size_t>(unread.size(), 64))) << '\n';
        send(smpp::make_generic_nack(0, smpp::status::invcmdlen));
        close_after_write();
        break;
      }
      handle_frame(unread.first(probe.length));
      start += probe.length;
    }
    // One flush per chunk read, not per message, and before the answers go out: a client that has its
    // submit_sm_resp finds the line in the log (tests read it after killing the simulator).
    server_.log().flush();
    in_chunk_ = false;
    write_next();
    if (start == buffer.size()) {
      buffer.clear();
      start = 0;
    } else if (start > 64 * 1024) {
      buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(start));
      start = 0;
    }
  }
  closed_ = true;
  // What was sent and not answered, then what the receipt window held back: all of it in order.
  report_receipt_stats();
  auto owed = std::exchange(unanswered_, {});
  written_at_.clear();
  for (auto& p : held_) owed.push_back(std::move(p));
  held_.clear();
  server_.closed(id_, system_id_, std::move(owed));
}

void session::handle_frame(std::span<const std::uint8_t> frame) {
  auto r = smpp::decode(frame);
  if (!r) {
    std::cerr << "loa-smsc-sim: " << peer_ << ": " << r.ec.message() << ": " << r.detail
              << "; hex=" << smpp::to_hex(frame) << '\n';
    // Responses are not answered (a nack to a response confuses everyone); requests get generic_nack.
    if (!(r.head.command_id & 0x80000000u) || r.ec == smpp::error::unknown_command)
      send(smpp::make_generic_nack(r.head.sequence, nack_status(r.ec)));
    return;
  }
  handle(r.value);
}

void session::respond(const smpp::pdu& request, std::uint32_t status, smpp::body content) {
  send(smpp::pdu{smpp::response_id(request.id), status, request.sequence, std::move(content)});
}

void session::respond_accepted(const smpp::pdu& request, const std::string& message_id) {
  if (closed_) return;
  // The hot path of a benchmark: a submit_sm_resp is the header and one C-octet string (SMPP 3.4 4.4.2), so
  // it is written here straight into the output buffer instead of through libsmpp34 (tests decode it with the
  // codec).
  const auto length = static_cast<std::uint32_t>(smpp::header_size + message_id.size() + 1);
  const std::uint32_t words[4] = {length, static_cast<std::uint32_t>(smpp::response_id(request.id)), 0,
                                  request.sequence};
  for (const auto w : words)
    for (int shift = 24; shift >= 0; shift -= 8) pending_.push_back(static_cast<std::uint8_t>(w >> shift));
  pending_.insert(pending_.end(), message_id.begin(), message_id.end());
  pending_.push_back(0);
  write_next();
}

void session::handle(const smpp::pdu& p) {
  switch (p.id) {
    case command_id::bind_transmitter:
    case command_id::bind_receiver:
    case command_id::bind_transceiver:
      on_bind(p);
      return;
    case command_id::submit_sm:
      on_submit(p);
      return;
    case command_id::data_sm:
      on_data_sm(p);
      return;
    case command_id::enquire_link:
      respond(p, 0, smpp::empty{});
      return;
    case command_id::unbind:
      if (server_.opts().faults.unbind_no_answer) return;
      respond(p, 0, smpp::empty{});
      bound_ = bind_kind::none;
      close_after_write();
      return;
    case command_id::unbind_resp:
      if (unbind_sent_) close();
      return;
    case command_id::deliver_sm_resp:
    case command_id::generic_nack:
      // Answered, whatever the status: the client has it (or refuses it for good).
      answered(p.sequence);
      return;
    case command_id::enquire_link_resp:
      return;
    default:
      // outbind, deliver_sm, responses we never asked for: not something a client sends to an SMSC.
      if (!smpp::is_response(p.id)) send(smpp::make_generic_nack(p.sequence, smpp::status::invcmdid));
      return;
  }
}

void session::on_bind(const smpp::pdu& p) {
  const auto& b = std::get<smpp::bind>(p.content);
  const auto& o = server_.opts();
  const smpp::bind_resp ok{"loa-smsc-sim", 0x34};
  if (bound_ != bind_kind::none) return respond(p, smpp::status::alybnd, smpp::bind_resp{});
  if (server_.refuse_bind()) return respond(p, smpp::status::bindfail, smpp::bind_resp{});
  if (o.faults.bind_error) return respond(p, *o.faults.bind_error, smpp::bind_resp{});
  if (!o.system_id.empty() && b.system_id != o.system_id)
    return respond(p, smpp::status::invsysid, smpp::bind_resp{});
  if (!o.password.empty() && b.password != o.password)
    return respond(p, smpp::status::invpaswd, smpp::bind_resp{});
  bound_ = p.id == command_id::bind_transmitter ? bind_kind::transmitter
           : p.id == command_id::bind_receiver  ? bind_kind::receiver
                                                : bind_kind::transceiver;
  system_id_ = b.system_id;
  bind_limit_ = submit_limit(o.tps_per_bind, o.tps_counting, std::chrono::steady_clock::now());
  respond(p, 0, ok);
  if (can_receive()) server_.bound_receiver(shared_from_this());
}

void session::on_submit(const smpp::pdu& p) {
  const auto& o = server_.opts();
  if (bound_ == bind_kind::none || bound_ == bind_kind::receiver)
    return respond(p, smpp::status::invbndsts, smpp::message_resp{});
  ++submits_seen_;
  if (o.drop_after != 0 && submits_seen_ > o.drop_after) {
    // Submit N+1 is left unanswered on purpose: the client cannot know whether it was taken.
    close();
    return;
  }
  if (o.faults.no_submit_resp) return;
  if (o.faults.generic_nack || o.faults.generic_nack_zero_seq) {
    send(smpp::make_generic_nack(o.faults.generic_nack_zero_seq ? 0 : p.sequence, smpp::status::syserr));
    return;
  }
  if ((o.faults.short_length || o.faults.long_length) && !malformed_sent_) {
    malformed_sent_ = true;
    // A submit_sm_resp header whose command_length is 8 or 0x7FFFFFFF, then the real id octets.
    std::vector<std::uint8_t> bad = smpp::from_hex(o.faults.short_length ? "00000008" : "7fffffff");
    for (auto x : smpp::from_hex("80000004 00000000")) bad.push_back(x);
    for (int i = 24; i >= 0; i -= 8) bad.push_back(static_cast<std::uint8_t>(p.sequence >> i));
    for (auto x : smpp::from_hex("3100")) bad.push_back(x);
    send_raw(std::move(bad));
    return;
  }
  if (o.faults.submit_error) return respond(p, *o.faults.submit_error, smpp::message_resp{});
  if (!take_submit_token()) return respond(p, smpp::status::throttled, smpp::message_resp{});
  accept_message(p, std::get<smpp::short_message>(p.content));
}

void session::on_data_sm(const smpp::pdu& p) {
  if (bound_ == bind_kind::none || bound_ == bind_kind::receiver)
    return respond(p, smpp::status::invbndsts, smpp::message_resp{});
  if (!take_submit_token()) return respond(p, smpp::status::throttled, smpp::message_resp{});
  const auto& d = std::get<smpp::data_message>(p.content);
  smpp::short_message m;
  m.source = d.source;
  m.destination = d.destination;
  m.esm_class = d.esm_class;
  m.registered_delivery = d.registered_delivery;
  m.data_coding = d.data_coding;
  m.tlvs = d.tlvs;
  accept_message(p, m);
}

bool session::take_submit_token() {
  // A submit needs room in this bind's --tps-per-bind and in the server's --tps; one the server refuses does
  // not spend this bind's.
  const auto now = std::chrono::steady_clock::now();
  auto& server_limit = server_.server_limit();
  if (!bind_limit_.has_room(now) || !server_limit.has_room(now)) return false;
  bind_limit_.take();
  server_limit.take();
  return true;
}

void session::accept_message(const smpp::pdu& p, const smpp::short_message& m) {
  const auto& o = server_.opts();
  const auto ids = server_.next_ids();
  server_.log().accepted(system_id_, ids.resp_id, m);
  // registered_delivery bits 0-1: 1 = receipt on success or failure, 2 = on failure only.
  const auto wanted = m.registered_delivery & 0x03;
  std::optional<receipt_job> job;
  if (wanted == 1 || wanted == 2) {
    job = receipt_job{};
    job->system_id = system_id_;
    job->origin_session = id_;
    job->receipt_id = ids.receipt_id;
    job->from = m.destination;
    if (o.faults.receipt_source)
      job->from.addr = receipt_source_for(*o.faults.receipt_source, m.destination.addr);
    job->to = m.source;
    job->text_start = text_start(m);
    job->submitted = std::chrono::system_clock::now();
    job->failures_only = wanted == 2;
  }
  auto send_receipt = [&](bool now) {
    if (job) server_.receipt_for(std::move(*job), now);
  };
  if (o.faults.receipt_before_resp) send_receipt(true);
  respond_accepted(p, ids.resp_id);
  if (!o.faults.receipt_before_resp) send_receipt(false);
  ++submits_answered_;
  if (o.faults.unbind_after && submits_answered_ == *o.faults.unbind_after && !unbind_sent_) {
    unbind_sent_ = true;
    send(smpp::pdu{command_id::unbind, 0, next_sequence_++, smpp::empty{}});
  }
}

void session::deliver(encoded_pdu p) {
  if (p.size() < smpp::header_size) return;
  // A real SMSC leaves at most so many deliver_sm unanswered per bind (--receipt-window): the rest wait their
  // turn, in order. Kept even when closed (not yet reported to the server): the read loop hands them back.
  held_.push_back(std::move(p));
  release_held();
  if (unanswered_.size() + held_.size() > server_.opts().store_max) {
    if (held_.empty()) {
      unanswered_.pop_front();
      written_at_.pop_front();
    } else {
      held_.pop_front();
    }
    if (!unanswered_capped_) {
      unanswered_capped_ = true;
      std::cerr << "loa-smsc-sim: " << peer_ << " (system_id \"" << system_id_ << "\"): over "
                << server_.opts().store_max
                << " deliver_sm unanswered; the oldest are no longer kept for redelivery\n";
    }
  }
}

void session::release_held() {
  const auto window = server_.opts().receipt_window;
  while (!closed_ && !held_.empty() && (window == 0 || unanswered_.size() < window)) {
    auto p = std::move(held_.front());
    held_.pop_front();
    set_sequence(p, next_sequence_++);
    pending_.insert(pending_.end(), p.begin(), p.end());
    unanswered_.push_back(std::move(p));
    written_at_.push_back(deliver_stats::clock::now());
  }
  write_next();
}

void session::answered(std::uint32_t sequence) {
  // Clients answer in order, almost always: the oldest is the one.
  const auto now = deliver_stats::clock::now();
  if (!unanswered_.empty() && sequence_of(unanswered_.front()) == sequence) {
    receipt_stats_.answered(now - written_at_.front(), now, !held_.empty());
    unanswered_.pop_front();
    written_at_.pop_front();
  } else {
    const auto it = std::find_if(unanswered_.begin(), unanswered_.end(),
                                 [sequence](const encoded_pdu& p) { return sequence_of(p) == sequence; });
    if (it != unanswered_.end()) {
      const auto at = written_at_.begin() + (it - unanswered_.begin());
      receipt_stats_.answered(now - *at, now, !held_.empty());
      written_at_.erase(at);
      unanswered_.erase(it);
    }
  }
  release_held();
}

void session::report_receipt_stats() {
  if (receipt_stats_reported_ || !server_.opts().receipt_stats || receipt_stats_.count() == 0) return;
  receipt_stats_reported_ = true;
  std::cerr << "loa-smsc-sim: receipt-stats " << receipt_stats_.json(system_id_) << '\n';
}

bool session::can_receive() const noexcept {
  return !closed_ && (bound_ == bind_kind::receiver || bound_ == bind_kind::transceiver);
}

void session::send(const smpp::pdu& p) {
  if (closed_) return;
  if (auto ec = smpp::encode(p, pending_)) {
    std::cerr << "loa-smsc-sim: cannot encode 0x" << std::hex << static_cast<std::uint32_t>(p.id) << std::dec
              << ": " << ec.message() << '\n';
    return;
  }
  write_next();
}

void session::send_raw(std::vector<std::uint8_t> bytes) {
  if (closed_) return;
  pending_.insert(pending_.end(), bytes.begin(), bytes.end());
  write_next();
}

void session::write_next() {
  if (write_active_ || closed_ || in_chunk_ || handshaking_) return;
  if (pending_.empty()) {
    if (close_when_written_) close();
    return;
  }
  writing_.swap(pending_);
  pending_.clear();
  write_active_ = true;
  asio::async_write(stream_, asio::buffer(writing_),
                    [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                      self->write_active_ = false;
                      self->writing_.clear();
                      if (ec) {
                        self->close();
                        return;
                      }
                      self->write_next();
                    });
}

void session::close_after_write() {
  close_when_written_ = true;
  write_next();
}

void session::close() {
  if (closed_) return;
  closed_ = true;
  bound_ = bind_kind::none;
  stream_.close();
}

}  // namespace loa::sim
