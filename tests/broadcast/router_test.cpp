#include "gateway/broadcast/router.hpp"

#include <doctest/doctest.h>

using namespace loa::broadcast;

namespace {

router demo_router(std::unordered_map<std::string, std::string> ported = {}) {
  return router({{"viettel", {"8486", "8496", "8497", "8498", "8432", "8433"}},
                 {"vinaphone", {"8488", "8491", "8494", "8481"}},
                 {"special", {"849123"}}},
                "viettel", std::move(ported));
}

}  // namespace

TEST_CASE("router: the longest configured prefix wins") {
  const auto r = demo_router();
  CHECK(r.carrier_for("84961234567") == "viettel");
  CHECK(r.carrier_for("84911234567") == "vinaphone");
  CHECK(r.carrier_for("84912345678") == "special");  // 849123 is longer than 8491
  CHECK(r.carrier_for("84321234567") == "viettel");
}

TEST_CASE("router: numbers no prefix matches take the default route") {
  const auto r = demo_router();
  CHECK(r.carrier_for("84901234567") == "viettel");  // MobiFone, not configured here
  CHECK(r.carrier_for("") == "viettel");
}

TEST_CASE("router: a ported number follows its override, learnt or configured") {
  auto r = demo_router({{"84961234567", "vinaphone"}});
  CHECK(r.carrier_for("84961234567") == "vinaphone");
  CHECK(r.carrier_for("84961234568") == "viettel");
  r.learn_ported("84961234568", "vinaphone");
  CHECK(r.carrier_for("84961234568") == "vinaphone");
  CHECK(r.ported_count() == 2);
}
