#include "tools/smsc-sim/delivery_store.hpp"

#include <iostream>

#include "gateway/smpp/codec.hpp"

namespace loa::sim {

encoded_pdu encode_deliver(smpp::short_message m) {
  encoded_pdu out;
  if (auto ec = smpp::encode(smpp::pdu{smpp::command_id::deliver_sm, 0, 0, std::move(m)}, out)) {
    std::cerr << "loa-smsc-sim: cannot encode deliver_sm: " << ec.message() << '\n';
    out.clear();
  }
  return out;
}

std::size_t delivery_store::trim(std::deque<encoded_pdu>& q) {
  std::size_t dropped = 0;
  while (size_ > max_ && !q.empty()) {
    q.pop_front();
    --size_;
    ++dropped;
  }
  return dropped;
}

std::size_t delivery_store::push_back(const std::string& system_id, encoded_pdu p) {
  auto& q = kept_[system_id];
  q.push_back(std::move(p));
  ++size_;
  const auto dropped = trim(q);
  if (q.empty()) kept_.erase(system_id);
  return dropped;
}

std::size_t delivery_store::push_front(const std::string& system_id, std::deque<encoded_pdu> ps) {
  if (ps.empty()) return 0;
  auto& q = kept_[system_id];
  size_ += ps.size();
  if (q.empty()) {
    q = std::move(ps);
  } else {
    for (auto it = ps.rbegin(); it != ps.rend(); ++it) q.push_front(std::move(*it));
  }
  const auto dropped = trim(q);
  if (q.empty()) kept_.erase(system_id);
  return dropped;
}

std::deque<encoded_pdu> delivery_store::take(const std::string& system_id) {
  auto it = kept_.find(system_id);
  if (it == kept_.end()) return {};
  auto q = std::move(it->second);
  kept_.erase(it);
  size_ -= q.size();
  return q;
}

}  // namespace loa::sim
