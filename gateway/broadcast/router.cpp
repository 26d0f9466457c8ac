#include "gateway/broadcast/router.hpp"

#include <algorithm>

namespace loa::broadcast {

router::router(const std::vector<carrier_prefixes>& carriers, std::string default_carrier,
               std::unordered_map<std::string, std::string> ported)
    : trie_(1), default_carrier_(std::move(default_carrier)), ported_(std::move(ported)) {
  for (const auto& c : carriers) {
    const std::int32_t index = carrier_index(c.carrier);
    for (const auto& prefix : c.prefixes) {
      std::size_t at = 0;
      for (const char d : prefix) {
        if (d < '0' || d > '9') break;  // config/ accepts digits only; stay safe anyway
        const auto digit = static_cast<std::size_t>(d - '0');
        if (trie_[at].next[digit] < 0) {
          const auto child = static_cast<std::int32_t>(trie_.size());
          trie_.emplace_back();  // may move the nodes: index them again afterwards, never hold a reference
          trie_[at].next[digit] = child;
        }
        at = static_cast<std::size_t>(trie_[at].next[digit]);
      }
      trie_[at].carrier = index;
    }
  }
}

std::int32_t router::carrier_index(const std::string& name) {
  const auto it = std::find(carriers_.begin(), carriers_.end(), name);
  if (it != carriers_.end()) return static_cast<std::int32_t>(it - carriers_.begin());
  carriers_.push_back(name);
  return static_cast<std::int32_t>(carriers_.size() - 1);
}

std::string_view router::carrier_for(std::string_view number) const {
  if (!ported_.empty()) {
    if (const auto it = ported_.find(std::string(number)); it != ported_.end()) return it->second;
  }
  std::int32_t best = -1;
  std::size_t at = 0;
  for (const char d : number) {
    if (d < '0' || d > '9') break;
    const std::int32_t child = trie_[at].next[static_cast<std::size_t>(d - '0')];
    if (child < 0) break;
    at = static_cast<std::size_t>(child);
    if (trie_[at].carrier >= 0) best = trie_[at].carrier;
  }
  return best >= 0 ? std::string_view(carriers_[static_cast<std::size_t>(best)])
                   : std::string_view(default_carrier_);
}

void router::learn_ported(std::string number, std::string carrier) {
  ported_[std::move(number)] = std::move(carrier);
}

}  // namespace loa::broadcast
