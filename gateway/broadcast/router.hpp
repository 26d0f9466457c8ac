// Which carrier a number goes to: ported-number overrides first, then the longest configured prefix,
// then the default route (DOMAIN.md: the prefix is only a hint since number portability).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace loa::broadcast {

/// A carrier and the number prefixes (international form, "8486") it owns.
struct carrier_prefixes {
  std::string carrier;
  std::vector<std::string> prefixes;
};

/// Routes stored numbers (84xxxxxxxxx) to carrier names. Built once from the configuration.
class router {
 public:
  /// `ported` maps stored numbers to carrier names; every carrier named must be in `carriers` or the
  /// default (checked by config/).
  router(const std::vector<carrier_prefixes>& carriers, std::string default_carrier,
         std::unordered_map<std::string, std::string> ported = {});

  /// The carrier for `number`: a ported override, else the longest matching prefix, else the default.
  std::string_view carrier_for(std::string_view number) const;

  /// Records that `number` now belongs to `carrier` (an override learnt from a carrier's answer).
  void learn_ported(std::string number, std::string carrier);

  /// How many ported overrides are known.
  std::size_t ported_count() const noexcept { return ported_.size(); }

 private:
  struct node {
    std::array<std::int32_t, 10> next;  // index of the child per digit, -1 when none
    std::int32_t carrier = -1;          // index into carriers_ when a prefix ends here
    node() { next.fill(-1); }
  };
  std::int32_t carrier_index(const std::string& name);

  std::vector<std::string> carriers_;
  std::vector<node> trie_;
  std::string default_carrier_;
  std::unordered_map<std::string, std::string> ported_;
};

}  // namespace loa::broadcast
