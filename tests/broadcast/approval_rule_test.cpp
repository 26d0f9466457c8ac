// The approval rule, at creation and when applied again on the exact audience (approval_rule.hpp).
#include <doctest/doctest.h>

#include "gateway/broadcast/approval_rule.hpp"

using namespace loa::broadcast;

TEST_CASE("approval rule: at creation, urgent or an estimate above the threshold") {
  campaign_spec spec;
  spec.estimated_recipients = 5000;
  CHECK_FALSE(approval_needed_at_creation(spec, 5000));
  spec.estimated_recipients = 5001;
  CHECK(approval_needed_at_creation(spec, 5000) == "an estimated 5001 recipients > 5000");
  spec.estimated_recipients = 0;
  spec.urgent = true;
  CHECK(approval_needed_at_creation(spec, 5000) == "urgent");
}

TEST_CASE("approval rule: later, an unapproved audience above the threshold, and an approval covers the campaign") {
  campaign_spec spec;
  CHECK_FALSE(approval_needed_now(spec, 5000, 5000));
  CHECK(approval_needed_now(spec, 5998, 5000) == "the audience grew to 5998 recipients > 5000 after it was created");
  spec.approved_by = "lan";
  CHECK_FALSE(approval_needed_now(spec, 1'000'000, 5000));
}
