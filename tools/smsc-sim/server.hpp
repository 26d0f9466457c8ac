// The listening side of the simulator: accepts connections, owns the shared state every session uses
// (message ids, the --tps budget, receipts and who can receive them, the log).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tools/smsc-sim/message_log.hpp"
#include "tools/smsc-sim/options.hpp"
#include "tools/smsc-sim/receipts.hpp"

namespace loa::sim {

class session;

/// Message ids as submit_sm_resp and receipts write them.
struct message_ids {
  std::string resp_id;     // in --id-base (hex: 8 upper-case digits with leading zeros)
  std::string receipt_id;  // in --receipt-id-base (dec: no leading zeros)
};

/// One simulator: an acceptor plus the state shared by its sessions. Single-threaded (one io_context thread).
class server {
 public:
  /// Does not listen yet.
  server(boost::asio::io_context& io, options opts, message_log& log);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and listens; returns the port (the real one when --port 0). Throws boost::system::system_error.
  std::uint16_t listen();

  /// Stops accepting and closes every session.
  void stop();

  /// The options the simulator runs with.
  const options& opts() const noexcept { return opts_; }

  /// The message log.
  message_log& log() noexcept { return log_; }

  /// The next unique message id in both forms.
  message_ids next_ids();

  /// Takes one submit from the --tps budget; false means "answer ESME_RTHROTTLED".
  bool take_submit_token();

  /// Decides the outcome and queues (or, with receipt-before-resp, sends at once) a receipt.
  void receipt_for(receipt_job job, bool immediately);

  /// A session bound as receiver or transceiver: receipts waiting for its system_id go out now.
  void bound_receiver(const std::shared_ptr<session>& s);

  /// A session ended.
  void closed(std::uint64_t session_id);

 private:
  void accept_next();
  void deliver(receipt_job job);

  boost::asio::io_context& io_;
  options opts_;
  message_log& log_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::map<std::uint64_t, std::weak_ptr<session>> sessions_;
  std::uint64_t next_session_ = 1;
  std::uint64_t next_id_ = 0x1000;  // ids start at 0x1000 so that hex and decimal forms differ visibly
  double tokens_ = 0;
  std::chrono::steady_clock::time_point refilled_;
  outcome_picker outcomes_;
  receipt_scheduler receipts_;
  std::map<std::string, std::vector<receipt_job>> waiting_;  // per system_id, while nobody can receive
  bool stopped_ = false;
};

}  // namespace loa::sim
