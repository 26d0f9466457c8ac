// The pure parts of the campaign routes: --at times in Vietnam's local time, and the status document.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "gateway/api/campaign_routes.hpp"

using namespace loa;
using namespace std::chrono_literals;

namespace {
constexpr std::chrono::minutes vietnam{7 * 60};
// 2026-11-23 07:30 in Vietnam is 00:30 UTC.
constexpr std::int64_t monday_0730 = 1795393800;
}  // namespace

TEST_CASE("campaign time: --at is local time unless it says its offset") {
  CHECK(api::parse_local_time("2026-11-23T07:30", vietnam) == monday_0730);
  CHECK(api::parse_local_time("2026-11-23 07:30", vietnam) == monday_0730);
  CHECK(api::parse_local_time("2026-11-23T07:30:15", vietnam) == monday_0730 + 15);
  CHECK(api::parse_local_time("2026-11-23T00:30Z", vietnam) == monday_0730);
  CHECK(api::parse_local_time("2026-11-23T08:30+08:00", vietnam) == monday_0730);
  CHECK(api::parse_local_time("2026-11-22T19:30-05:00", vietnam) == monday_0730);
  for (const char* bad : {"", "tomorrow", "2026-11-23", "2026-13-01T07:30", "2026-02-30T07:30", "2026-11-23T24:00",
                          "2026-11-23T07:60", "2026-11-23T07:30+7", "2026-11-23T07:30 ", "2026-11-23T07:30+15:00"})
    CHECK_MESSAGE(!api::parse_local_time(bad, vietnam), bad);
  CHECK(api::format_local_time(monday_0730, vietnam) == "2026-11-23T07:30:00+07:00");
  CHECK(api::format_local_time(monday_0730, 0min) == "2026-11-23T00:30:00+00:00");
}

TEST_CASE("campaign status: CONTRACT.md's fields, queued and pending derived from the counts") {
  broadcast::campaign_spec spec;
  spec.id = "17";
  spec.wards = {"long-thuy"};
  spec.groups = {"ho-gia-dinh", "to-5"};
  spec.text = "Lịch tiêm chủng";
  spec.state = broadcast::campaign_state::running;
  spec.created_at_ms = monday_0730 * 1000;
  broadcast::campaign_counts c;
  c.recipients = 100;
  c.skipped_optout = 3;
  c.parts = 300;
  c.total.submitted = 80;  // 70 settled after submit (60 delivered, 5 failed, 5 expired), 10 pending
  c.total.delivered = 60;
  c.total.failed = 7;  // 2 refused at submit
  c.total.expired = 5;
  c.total.uncertain = 1;  // never answered
  c.total.settled_submitted = 70;
  c.total.settled_unsubmitted = 3;
  c.by_carrier["viettel"] = c.total;
  const auto doc = api::status_document(spec, c, vietnam);
  for (const char* key : {"id", "state", "recipients", "skipped_optout", "queued", "submitted", "delivered", "failed",
                          "expired", "uncertain", "parts", "by_carrier"})
    CHECK_MESSAGE(doc.contains(key), key);
  CHECK(doc.at("id") == "17");
  CHECK(doc.at("state") == "running");
  CHECK(doc.at("queued").as_uint64() == 17);  // 100 - 80 submitted - 3 settled without a submit
  CHECK(doc.at("pending").as_uint64() == 10);
  CHECK(doc.at("created_at") == "2026-11-23T07:30:00+07:00");
  CHECK(doc.at("due_at").is_null());
  const auto& viettel = doc.at("by_carrier").at("viettel");
  CHECK(viettel.at("submitted").as_uint64() == 80);
  CHECK(viettel.at("delivered").as_uint64() == 60);
  CHECK(viettel.at("pending").as_uint64() == 10);
}
