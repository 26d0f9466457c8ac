// The misbehaviours the simulator can be asked for (DOMAIN.md "A fake SMSC worth having"), one `--fault`
// each.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loa::sim {

/// Which faults are switched on. All off: a well-behaved SMSC.
struct fault_set {
  bool never_answer = false;           // never-answer: accept TCP, read everything, say nothing
  bool no_submit_resp = false;         // no-submit-resp: submit_sm is never answered
  bool generic_nack = false;           // generic-nack: submit_sm answered with generic_nack (same sequence)
  bool generic_nack_zero_seq = false;  // generic-nack-zero-seq: ... with sequence_number 0
  std::optional<std::uint32_t> submit_error;  // submit-error=0xNN: submit_sm_resp with this command_status
  std::optional<std::uint64_t>
      unbind_after;                         // unbind-after=N: the SMSC sends unbind after N answered submits
  bool unbind_no_answer = false;            // unbind-no-answer: the client's unbind is never answered
  std::optional<std::uint32_t> bind_error;  // bind-error=0xNN: every bind answered with this command_status
  bool short_length = false;         // short-length: the first submit is answered with command_length 8
  bool long_length = false;          // long-length: ... with command_length 0x7FFFFFFF
  bool deliver_before_bind = false;  // deliver-before-bind: a deliver_sm right after TCP accept
  bool receipt_before_resp = false;  // receipt-before-resp: the receipt goes out before submit_sm_resp
  // receipt-source=national|plus|ADDRESS: receipts come from the recipient in national form (0912...) or with
  // a plus (+84912...), as some carriers write it, or all from ADDRESS (a forged or misrouted receipt)
  std::optional<std::string> receipt_source;
  // receipt-error=TEXT: failed receipts carry `err:TEXT` as it is (a carrier's bytes, escape sequences too)
  std::optional<std::string> receipt_error;
};

/// The source_addr of a receipt for a message to `recipient` under the fault receipt-source (`how`).
std::string receipt_source_for(std::string_view how, const std::string& recipient);

/// Switches on the fault `spec` ("generic-nack", "submit-error=0x58", ...); returns an error text or "".
std::string apply_fault(std::string_view spec, fault_set& faults);

/// The names accepted by apply_fault, for --help.
std::string_view fault_names() noexcept;

}  // namespace loa::sim
