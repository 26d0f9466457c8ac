#include "tools/smsc-sim/receipts.hpp"

#include <ctime>

#include "gateway/smpp/codec.hpp"

namespace loa::sim {
namespace {

// YYMMDDhhmm in UTC, as SMPP 3.4 appendix B writes receipt dates.
std::string receipt_date(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%y%m%d%H%M", &tm);
  return buf;
}

}  // namespace

void outcome_picker::pick(receipt_job& job) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  if (fail_rate_ <= 0 || u(rng_) >= fail_rate_) {
    job.state = smpp::receipt_state::delivered;
    job.error = "000";
    return;
  }
  static constexpr struct {
    smpp::receipt_state state;
    const char* err;
  } failures[] = {{smpp::receipt_state::undeliverable, "001"},
                  {smpp::receipt_state::expired, "002"},
                  {smpp::receipt_state::rejected, "003"}};
  const auto& f = failures[next_failure_++ % 3];
  job.state = f.state;
  job.error = f.err;
}

smpp::short_message make_receipt_pdu(const receipt_job& job, std::chrono::system_clock::time_point done) {
  smpp::short_message m;
  m.source = job.from;
  m.destination = job.to;
  m.esm_class = smpp::esm::delivery_receipt;
  const bool delivered = job.state == smpp::receipt_state::delivered;
  const std::string text =
      "id:" + job.receipt_id + " sub:001 dlvrd:" + (delivered ? "001" : "000") +
      " submit date:" + receipt_date(job.submitted) + " done date:" + receipt_date(done) +
      " stat:" + std::string(smpp::stat_word(job.state)) + " err:" + job.error + " text:" + job.text_start;
  m.message.assign(text.begin(),
                   text.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(text.size(), 254)));
  m.tlvs = {smpp::make_tlv_cstring(smpp::tag::receipted_message_id, job.receipt_id),
            smpp::make_tlv_u8(smpp::tag::message_state, smpp::message_state_value(job.state))};
  return m;
}

void receipt_scheduler::schedule(receipt_job job) {
  due_.push_back({std::chrono::steady_clock::now() + delay_, std::move(job)});
  if (!armed_) arm();
}

void receipt_scheduler::arm() {
  armed_ = true;
  timer_.expires_at(due_.front().due);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    armed_ = false;
    if (ec) return;  // the io_context is shutting down
    fire();
  });
}

void receipt_scheduler::fire() {
  const auto now = std::chrono::steady_clock::now();
  while (!due_.empty() && due_.front().due <= now) {
    auto job = std::move(due_.front().job);
    due_.pop_front();
    deliver_(std::move(job));
  }
  if (!due_.empty()) arm();
}

}  // namespace loa::sim
