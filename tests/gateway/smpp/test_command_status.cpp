#include <doctest/doctest.h>

#include "gateway/smpp/command_status.hpp"

using namespace loa::smpp;

TEST_CASE("command_status defaults are DOMAIN.md's") {
  const status_policy p;
  CHECK(classify(p, 0x58) == status_action::retry_slow_down);
  for (std::uint32_t s : {0x14u, 0x08u, 0x64u}) CHECK(classify(p, s) == status_action::retry);
  for (std::uint32_t s : {0x0Bu, 0x0Au, 0x48u, 0x49u, 0x50u, 0x51u, 0x62u, 0x01u, 0x02u, 0x03u, 0xC0u, 0xC2u, 0xC4u})
    CHECK(classify(p, s) == status_action::permanent);
  for (std::uint32_t s : {0x0Du, 0x0Eu, 0x0Fu}) CHECK(classify(p, s) == status_action::rebind);
  CHECK_FALSE(default_status_action(0x45));
  CHECK_FALSE(default_status_action(0xC5));
  CHECK(classify(p, 0x45) == status_action::permanent);  // unlisted
}

TEST_CASE("command_status overrides per carrier win over defaults") {
  status_policy p;
  p.overrides[0x45] = status_action::retry;            // this carrier uses SUBMITFAIL for a busy queue
  p.overrides[0x58] = status_action::retry;            // and we do not want to slow down for it
  p.overrides[0x0400] = status_action::retry_slow_down;  // a vendor code for throttling
  p.unlisted = status_action::retry;
  CHECK(classify(p, 0x45) == status_action::retry);
  CHECK(classify(p, 0x58) == status_action::retry);
  CHECK(classify(p, 0x0400) == status_action::retry_slow_down);
  CHECK(classify(p, 0x0B) == status_action::permanent);
  CHECK(classify(p, 0x0401) == status_action::retry);
}

TEST_CASE("status actions by name") {
  for (auto a : {status_action::retry, status_action::retry_slow_down, status_action::permanent, status_action::rebind})
    CHECK(parse_status_action(to_string(a)) == a);
  CHECK(parse_status_action("retry-slow-down") == status_action::retry_slow_down);
  CHECK_FALSE(parse_status_action("ignore"));
}
