// The campaign's state moves: one table for the API, the scheduler, the approval rule and the fan-out.
#include "gateway/campaign/lifecycle.hpp"

#include <doctest/doctest.h>

using namespace loa::campaign;
using s = campaign_state;

TEST_CASE("a campaign is created in any state but done or cancelled") {
  CHECK(allowed(std::nullopt, cause::create, s::awaiting_approval));
  CHECK(allowed(std::nullopt, cause::create, s::running));
  CHECK_FALSE(allowed(std::nullopt, cause::create, s::done));
  CHECK_FALSE(allowed(s::running, cause::create, s::running));
}

TEST_CASE("the approval rule holds again from scheduled, waiting and running, never once finished") {
  CHECK(sources(cause::hold) == std::vector<s>{s::scheduled, s::waiting, s::running});
  CHECK(allowed(s::running, cause::hold, s::awaiting_approval));
  CHECK_FALSE(allowed(s::done, cause::hold, s::awaiting_approval));
  CHECK_FALSE(allowed(s::cancelled, cause::hold, s::awaiting_approval));
  CHECK_FALSE(allowed(s::running, cause::hold, s::waiting));
}

TEST_CASE("approval leads only out of awaiting_approval, to where the campaign is due") {
  CHECK(allowed(s::awaiting_approval, cause::approve, s::running));
  CHECK(allowed(s::awaiting_approval, cause::approve, s::scheduled));
  CHECK_FALSE(allowed(s::running, cause::approve, s::running));
  CHECK_FALSE(allowed(s::awaiting_approval, cause::approve, s::done));
}

TEST_CASE("cancel from every active state, done only from running") {
  for (auto from : {s::awaiting_approval, s::scheduled, s::waiting, s::running})
    CHECK(allowed(from, cause::cancel, s::cancelled));
  CHECK_FALSE(allowed(s::done, cause::cancel, s::cancelled));
  CHECK(allowed(s::running, cause::finish, s::done));
  CHECK_FALSE(allowed(s::waiting, cause::finish, s::done));
  CHECK(allowed(s::scheduled, cause::due, s::waiting));
  CHECK_FALSE(allowed(s::waiting, cause::due, s::running));
  CHECK(allowed(s::waiting, cause::quiet_over, s::running));
}

TEST_CASE("where a campaign stands when it may go: --at, then quiet hours unless urgent") {
  CHECK(where_due(false, false, false) == s::scheduled);
  CHECK(where_due(false, true, true) == s::scheduled);
  CHECK(where_due(true, true, false) == s::waiting);
  CHECK(where_due(true, true, true) == s::running);
  CHECK(where_due(true, false, false) == s::running);
}
