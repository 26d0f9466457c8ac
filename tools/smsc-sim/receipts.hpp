// Delivery receipts the simulator sends back: their outcome (--fail-rate), their PDU (text form plus TLVs
// 0x001E/0x0427) and their timing (--receipt-delay-ms).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <random>
#include <string>

#include "gateway/smpp/pdu.hpp"
#include "gateway/smpp/receipt.hpp"

namespace loa::sim {

/// One receipt to be sent: for which bind (system_id), about which message, with which outcome.
struct receipt_job {
  std::string system_id;             // receivers with this system_id may get it
  std::uint64_t origin_session = 0;  // the session that submitted, preferred when it can receive
  std::string receipt_id;            // the id as the receipt writes it (may differ in base from the resp id)
  smpp::receipt_state state = smpp::receipt_state::delivered;
  std::string error = "000";  // err: field
  smpp::address from;         // the original destination (the handset)
  smpp::address to;           // the original source (the sender)
  std::string text_start;     // first 20 octets of the original text, for `text:`
  std::chrono::system_clock::time_point submitted;
  bool failures_only = false;  // registered_delivery 2: no receipt when delivered
};

/// Decides outcomes: a share `fail_rate` of messages fail, cycling through UNDELIV, EXPIRED, REJECTD.
class outcome_picker {
 public:
  /// Seeded so that a run can be repeated.
  outcome_picker(double fail_rate, std::uint32_t seed) : fail_rate_(fail_rate), rng_(seed) {}
  /// Fills job.state and job.error.
  void pick(receipt_job& job);

 private:
  double fail_rate_;
  std::mt19937 rng_;
  unsigned next_failure_ = 0;
};

/// The deliver_sm of a receipt (esm_class 0x04, text form, receipted_message_id and message_state TLVs).
smpp::short_message make_receipt_pdu(const receipt_job& job, std::chrono::system_clock::time_point done);

/// Runs `deliver` for each job after the delay, on the io_context's thread, in the order they were scheduled.
/// Every job waits the same delay, so one timer for the oldest job serves them all (no timer per receipt).
class receipt_scheduler {
 public:
  /// `deliver` is called once per job when its delay has passed.
  receipt_scheduler(boost::asio::io_context& io, std::chrono::milliseconds delay,
                    std::function<void(receipt_job)> deliver)
      : timer_(io), delay_(delay), deliver_(std::move(deliver)) {}
  /// Queues the job (a zero delay still waits for the next turn of the loop, after the resp).
  void schedule(receipt_job job);
  /// Receipts scheduled and not yet due.
  std::size_t pending() const noexcept { return due_.size(); }

 private:
  void arm();
  void fire();

  struct due_job {
    std::chrono::steady_clock::time_point due;
    receipt_job job;
  };
  boost::asio::steady_timer timer_;
  std::chrono::milliseconds delay_;
  std::function<void(receipt_job)> deliver_;
  std::deque<due_job> due_;  // oldest first; due times never decrease
  bool armed_ = false;
};

}  // namespace loa::sim
