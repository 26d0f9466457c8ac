// Sorting what a carrier delivers: a deliver_sm is either a delivery receipt or a citizen's message (MO).
// Plug a deliver_sorter into bind_callbacks::on_deliver and get each kind, parsed, on its own callback.
#pragma once

#include <functional>
#include <string_view>

#include "gateway/smpp/mo.hpp"
#include "gateway/smpp/pdu.hpp"
#include "gateway/smpp/receipt.hpp"

namespace loa::smpp {

/// Receipts and citizens' messages out of deliver_sm PDUs, each to its callback.
class deliver_sorter {
 public:
  /// `on_problem` hears of deliver_sm that are neither (a receipt without an id, a body that is not one).
  /// Long citizens' messages are joined within `limits`.
  deliver_sorter(std::function<void(receipt)> on_receipt, std::function<void(mo_message)> on_mo,
                 std::function<void(std::string_view)> on_problem = {}, reassembly_limits limits = {});

  /// Takes one deliver_sm PDU (already answered by the session).
  void operator()(const pdu& deliver_sm);

  /// Hands over MO messages whose parts stopped coming; call when reassembler().next_expiry() is due.
  void expire(mo_reassembler::clock::time_point now);

  /// The reassembly of long citizens' messages (for its bounds' counters and the expiry timer).
  const mo_reassembler& reassembler() const noexcept { return reassembler_; }

 private:
  std::function<void(receipt)> on_receipt_;
  std::function<void(mo_message)> on_mo_;
  std::function<void(std::string_view)> on_problem_;
  mo_reassembler reassembler_;
};

}  // namespace loa::smpp
