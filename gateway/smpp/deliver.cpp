#include "gateway/smpp/deliver.hpp"

#include <variant>

namespace loa::smpp {

deliver_sorter::deliver_sorter(std::function<void(receipt)> on_receipt, std::function<void(mo_message)> on_mo,
                               std::function<void(std::string_view)> on_problem, reassembly_limits limits)
    : on_receipt_(std::move(on_receipt)),
      on_mo_(std::move(on_mo)),
      on_problem_(std::move(on_problem)),
      reassembler_(limits) {}

void deliver_sorter::operator()(const pdu& deliver_sm) {
  const auto* sm = std::get_if<short_message>(&deliver_sm.content);
  if (!sm) {
    if (on_problem_) on_problem_("deliver_sm without a body");
    return;
  }
  if (is_delivery_receipt(*sm)) {
    if (auto r = parse_receipt(*sm)) {
      if (on_receipt_) on_receipt_(std::move(*r));
    } else if (on_problem_) {
      on_problem_("a delivery receipt with no message id in its TLVs or text");
    }
    return;
  }
  if (auto m = reassembler_.add(*sm, mo_reassembler::clock::now()); m && on_mo_) on_mo_(std::move(*m));
}

void deliver_sorter::expire(mo_reassembler::clock::time_point now) {
  for (auto& m : reassembler_.expire(now))
    if (on_mo_) on_mo_(std::move(m));
}

}  // namespace loa::smpp
