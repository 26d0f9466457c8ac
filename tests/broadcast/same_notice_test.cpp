// What a reused idempotency key must repeat (campaign_store.hpp's same_notice): the text and the audience.
#include "gateway/store/campaign_store.hpp"

#include <doctest/doctest.h>

using namespace loa;

namespace {

broadcast::campaign_spec notice() {
  broadcast::campaign_spec s;
  s.wards = {"an-binh", "long-thuy"};
  s.groups = {"all", "to-1"};
  s.text = "Hop to dan pho 19h";
  return s;
}

}  // namespace

TEST_CASE("same_notice: the same text to the same wards and groups, in any order, whatever else differs") {
  auto again = notice();
  again.wards = {"long-thuy", "an-binh"};
  again.groups = {"to-1", "all"};
  again.urgent = true;  // how and when it goes is not what it says nor to whom
  again.accents = "strip";
  again.due_at_s = 1'800'000'000;
  CHECK(broadcast::same_notice(notice(), again));
}

TEST_CASE("same_notice: another text, ward, group or corrected campaign is another notice") {
  auto text = notice();
  text.text += " (dinh chinh)";
  auto wards = notice();
  wards.wards.pop_back();
  auto groups = notice();
  groups.groups.push_back("to-2");
  auto corrects = notice();
  corrects.corrects = "7";
  for (const auto& other : {text, wards, groups, corrects}) CHECK_FALSE(broadcast::same_notice(notice(), other));
}
