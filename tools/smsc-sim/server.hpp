// The listening side of the simulator: accepts connections, owns the shared state every session uses
// (message ids, the --tps budget, receipts and who can receive them, what is kept for binds that went away,
// the log).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "tools/smsc-sim/delivery_store.hpp"
#include "tools/smsc-sim/message_log.hpp"
#include "tools/smsc-sim/mo.hpp"
#include "tools/smsc-sim/options.hpp"
#include "tools/smsc-sim/receipts.hpp"
#include "tools/smsc-sim/submit_limit.hpp"

namespace loa::sim {

class session;

/// --tls-cert or --tls-key names a file that is not a PEM certificate or key (bad input: exit 1).
struct bad_tls_file : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Message ids as submit_sm_resp and receipts write them.
struct message_ids {
  std::string resp_id;     // in --id-base (hex: 8 upper-case digits with leading zeros)
  std::string receipt_id;  // in --receipt-id-base (dec: no leading zeros)
};

/// One simulator: an acceptor plus the state shared by its sessions. Single-threaded (one io_context thread).
class server {
 public:
  /// Does not listen yet. `mo` are the citizens' messages to deliver once a receiver binds (--mo). With
  /// --tls-cert/--tls-key, loads them (throws bad_tls_file naming the file that cannot be loaded).
  server(boost::asio::io_context& io, options opts, message_log& log, std::vector<mo_message> mo = {});
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and listens; returns the port (the real one when --port 0). Throws boost::system::system_error.
  std::uint16_t listen();

  /// Stops accepting and closes every session.
  void stop();

  /// The TLS every session speaks (--tls-cert), or nullptr for SMPP in clear.
  boost::asio::ssl::context* tls_context() noexcept { return tls_.get(); }

  /// The options the simulator runs with.
  const options& opts() const noexcept { return opts_; }

  /// The message log.
  message_log& log() noexcept { return log_; }

  /// The next unique message id in both forms.
  message_ids next_ids();

  /// The --tps limit of the whole server (counted as --tps-window says).
  submit_limit& server_limit() noexcept { return limit_; }

  /// Decides the outcome and queues (or, with receipt-before-resp, sends at once) a receipt.
  void receipt_for(receipt_job job, bool immediately);

  /// Counts a bind attempt; true when it is to be refused with ESME_RBINDFAIL (--refuse-binds,
  /// --refuse-binds-ms).
  bool refuse_bind();

  /// MO messages delivered so far (all their parts sent).
  std::size_t mo_delivered() const noexcept { return mo_next_; }

  /// A session bound as receiver or transceiver: what is kept for its system_id goes out now, oldest first,
  /// then MO delivery starts (or resumes).
  void bound_receiver(const std::shared_ptr<session>& s);

  /// A session ended; `unanswered` are the deliver_sm it sent (or queued) that were never answered, oldest
  /// first: they go to another receiving bind of `system_id`, else into the store for the next one.
  void closed(std::uint64_t session_id, const std::string& system_id, std::deque<encoded_pdu> unanswered);

 private:
  void accept_next();
  void deliver(receipt_job job);
  std::shared_ptr<session> next_receiver(const std::string& system_id);
  void note_dropped(const std::string& system_id, std::size_t n);
  void arm_drop_log();
  void log_dropped();
  void mo_arm();
  void mo_due();

  options opts_;
  message_log& log_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::map<std::uint64_t, std::weak_ptr<session>> sessions_;
  std::uint64_t next_session_ = 1;
  std::uint64_t next_id_ = 0x1000;  // ids start at 0x1000 so that hex and decimal forms differ visibly
  submit_limit limit_;              // --tps
  outcome_picker outcomes_;
  receipt_scheduler receipts_;
  // Receiver and transceiver binds per system_id, in bind order, with the round robin's next turn.
  struct receiving_binds {
    std::vector<std::weak_ptr<session>> binds;
    std::size_t turn = 0;
  };
  std::unordered_map<std::string, receiving_binds> receivers_;
  delivery_store store_;                      // per system_id, while none of its binds can receive
  std::uint64_t dropped_ = 0;                 // deliver_sm dropped from the store, in all
  std::uint64_t dropped_unlogged_ = 0;        // ... not yet reported on stderr
  std::string dropped_last_;                  // the system_id of the last one dropped
  boost::asio::steady_timer drop_log_timer_;  // at most one stderr line a second about drops
  bool drop_log_armed_ = false;
  bool stopped_ = false;
  std::chrono::steady_clock::time_point started_;
  std::uint64_t bind_attempts_ = 0;
  std::vector<mo_message> mo_;
  std::size_t mo_next_ = 0;         // the next MO to deliver
  bool mo_started_ = false;         // the first receiver bound: delays run
  bool mo_blocked_ = false;         // an MO is due but nobody can receive it
  std::uint64_t mo_turn_ = 0;       // round robin over the receivers
  std::uint16_t mo_reference_ = 0;  // concatenation reference, one per long MO
  boost::asio::steady_timer mo_timer_;
};

}  // namespace loa::sim
