// One client connection of the simulator: reads PDUs, answers them as an SMSC would (or misbehaves as told).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "gateway/common/tcp_or_tls_stream.hpp"
#include "gateway/smpp/pdu.hpp"
#include "tools/smsc-sim/deliver_stats.hpp"
#include "tools/smsc-sim/delivery_store.hpp"
#include "tools/smsc-sim/submit_limit.hpp"

namespace loa::sim {

class server;

/// How a session is bound.
enum class bind_kind { none, transmitter, receiver, transceiver };

/// One TCP connection, in clear or (with --tls-cert) TLS. Lives as long as its read loop (which holds a
/// shared_ptr) or a pending write.
class session : public std::enable_shared_from_this<session> {
 public:
  /// Takes the accepted socket; TLS when the server has a certificate (the handshake runs first in start()).
  session(boost::asio::ip::tcp::socket socket, server& srv, std::uint64_t id);

  /// Starts the read loop on the socket's executor.
  void start();

  /// Closes the connection now (pending writes are dropped).
  void close();

  /// Queues a PDU for sending (encoding errors are reported on stderr and the PDU is dropped).
  void send(const smpp::pdu& p);

  /// Queues raw bytes (for the malformed-frame faults).
  void send_raw(std::vector<std::uint8_t> bytes);

  /// Sends an encoded deliver_sm (a receipt or an MO) with the next sequence number and keeps it until the
  /// client answers it (deliver_sm_resp or generic_nack, whatever the status): what is unanswered when the
  /// connection ends goes back to the server, as a real SMSC retries what it could not deliver.
  void deliver(encoded_pdu p);

  /// With --receipt-stats and some deliver_sm answered: writes their answer times on stderr, once.
  void report_receipt_stats();

  /// True when bound as receiver or transceiver and still open.
  bool can_receive() const noexcept;

  /// The system_id of the bind ("" before binding).
  const std::string& system_id() const noexcept { return system_id_; }

  /// The id the server knows this session by.
  std::uint64_t id() const noexcept { return id_; }

 private:
  boost::asio::awaitable<void> read_loop();
  void handle_frame(std::span<const std::uint8_t> frame);
  void handle(const smpp::pdu& p);
  void on_bind(const smpp::pdu& p);
  void on_submit(const smpp::pdu& p);
  void on_data_sm(const smpp::pdu& p);
  void accept_message(const smpp::pdu& p, const smpp::short_message& m);
  void respond(const smpp::pdu& request, std::uint32_t status, smpp::body content);
  void respond_accepted(const smpp::pdu& request, const std::string& message_id);
  void write_next();
  void close_after_write();
  void answered(std::uint32_t sequence);
  /// Takes one submit from this bind's --tps-per-bind and the server's --tps; false: ESME_RTHROTTLED.
  bool take_submit_token();
  /// Writes held deliver_sm while fewer than --receipt-window are unanswered.
  void release_held();

  tcp_or_tls_stream stream_;
  server& server_;
  std::uint64_t id_;
  std::string peer_;
  bind_kind bound_ = bind_kind::none;
  std::string system_id_;
  std::uint32_t next_sequence_ = 1;
  std::uint64_t submits_seen_ = 0;
  std::uint64_t submits_answered_ = 0;
  submit_limit bind_limit_{0, tps_window::fixed, {}};  // --tps-per-bind, from the bind
  bool malformed_sent_ = false;
  bool unbind_sent_ = false;
  std::vector<std::uint8_t> pending_;  // queued for the next write
  std::vector<std::uint8_t> writing_;  // being written now
  bool write_active_ = false;
  bool handshaking_ = false;  // TLS: nothing is written before the handshake is done
  bool in_chunk_ = false;  // handling the PDUs of one read: hold writes until all are answered
  bool close_when_written_ = false;
  bool closed_ = false;
  std::deque<encoded_pdu> unanswered_;  // deliver_sm sent (sequence_number set), not answered, oldest first
  std::deque<encoded_pdu> held_;        // deliver_sm waiting for the receipt window, oldest first
  std::deque<deliver_stats::clock::time_point> written_at_;  // beside unanswered_ (--receipt-stats)
  deliver_stats receipt_stats_;
  bool receipt_stats_reported_ = false;
  bool unanswered_capped_ = false;      // reported once that the oldest are no longer kept
};

}  // namespace loa::sim
