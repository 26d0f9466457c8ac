// Mistakes officials made, caught before anything is sent, end to end against real processes
// (broadcast_rig.hpp: redis-server, the simulators, `loa gateway`, the `loa` CLI): an --at already past, a
// mistyped group or ward, an audience of 0 after opt-outs, the notice typed with the Vietnamese keyboard off,
// the notice given without --text, a cron key reused for a corrected text.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "gateway/store/subscriber_store.hpp"
#include "tests/integration/broadcast_rig.hpp"

using namespace loa;
using test::loa_cli;
namespace json = boost::json;
using boost::beast::http::verb;

namespace {

const std::string minh = "token-minh";  // sender of an-binh only

test::rig_options with_an_binh() {
  test::rig_options o;
  o.operator_lines = "  - name: minh\n    token_sha256: \"" + broadcast::sha256_hex(minh) +
                     "\"\n    wards: [an-binh]\n    role: sender\n";
  return o;
}

// 40 households in "all"; the first 10 also in "phu-huynh", the last 2 in "to-9".
std::string households(const std::vector<std::string>& numbers) {
  std::string csv = "phone,name,groups\n";
  for (std::size_t i = 0; i < numbers.size(); ++i)
    csv += numbers[i] + ",Hộ " + std::to_string(i) + ",all" + (i < 10 ? ";phu-huynh" : "") +
           (i + 2 >= numbers.size() ? ";to-9" : "") + "\n";
  return csv;
}

struct ward_rig {
  test::broadcast_rig rig{with_an_binh()};
  std::vector<std::string> numbers = test::test_numbers(40);
  ward_rig() {
    rig.start_gateway();
    rig.import(households(numbers));
  }
  std::string next_id() { return rig.redis.command({"GET", "loa:campaign:next"}); }
};

bool has(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("mistakes: an --at already past is refused, showing the time as understood in the gateway's offset") {
  ward_rig w;
  const auto before = w.next_id();
  auto r = loa_cli(w.rig, {"send", "--ward", "long-thuy", "--group", "all", "--text", "Hop to dan pho", "--at",
                           "2020-01-02T07:30", "--yes"});
  INFO(r.out, r.err);
  CHECK(r.exit == 1);
  CHECK(has(r.err, "2020-01-02T07:30:00+07:00 is in the past"));
  CHECK(has(r.err, "nothing was sent"));
  // Written with another offset, it is shown in the gateway's.
  r = loa_cli(w.rig, {"send", "--ward", "long-thuy", "--group", "all", "--text", "x", "--at",
                      "2020-01-02T00:30Z", "--dry-run"});
  CHECK(r.exit == 1);
  CHECK(has(r.err, "2020-01-02T07:30:00+07:00"));
  CHECK(w.next_id() == before);
  CHECK(w.rig.accepted("").messages == 0);
}

TEST_CASE("mistakes: a group the ward does not have is refused, naming its nearest groups") {
  ward_rig w;
  const auto before = w.next_id();
  for (const bool dry : {true, false}) {
    std::vector<std::string> args = {"send", "--ward", "long-thuy", "--group", "phu-huyng", "--text", "Hop phu huynh",
                                     "--yes"};
    if (dry) args.push_back("--dry-run");
    auto r = loa_cli(w.rig, args);
    INFO(r.out, r.err);
    CHECK(r.exit == 1);
    CHECK(has(r.err, "ward long-thuy has no group 'phu-huyng'"));
    CHECK(has(r.err, "did you mean 'phu-huynh'?"));
  }
  // Folded without diacritics, case or spaces: "Phụ Huynh" points at phu-huynh; --json names it for scripts.
  auto [code, body] = w.rig.call(verb::post, "/v1/campaigns",
                                 json::serialize(json::object{{"ward", "long-thuy"},
                                                              {"groups", json::array{"Phụ Huynh"}},
                                                              {"text", "x"}}));
  CHECK(code == 400);
  CHECK(body.at("field") == "groups");
  CHECK(body.at("suggestions") == json::array{"phu-huynh"});
  CHECK(w.next_id() == before);
  CHECK(w.rig.accepted("").messages == 0);
}

TEST_CASE("mistakes: an audience of 0 after opt-outs is refused, and its dry run exits 1") {
  ward_rig w;
  for (std::size_t i = 38; i < 40; ++i)
    REQUIRE(w.rig.call(verb::post, "/v1/subscribers/" + w.numbers[i] + "/optout").first == 200);
  const auto before = w.next_id();
  auto r = loa_cli(w.rig, {"send", "--ward", "long-thuy", "--group", "to-9", "--text", "Hop to 9", "--yes"});
  INFO(r.out, r.err);
  CHECK(r.exit == 1);
  CHECK(has(r.err, "reach 0 recipients"));
  r = loa_cli(w.rig, {"send", "--ward", "long-thuy", "--group", "to-9", "--text", "Hop to 9", "--dry-run"});
  CHECK(r.exit == 1);
  CHECK(has(r.out, "Recipients: 0"));
  CHECK(has(r.err, "0 recipients"));
  CHECK(w.next_id() == before);
  CHECK(w.rig.accepted("").messages == 0);
}

TEST_CASE("mistakes: a mistyped ward is not a permission problem, but another operator ward still is") {
  ward_rig w;
  auto r = loa_cli(w.rig, {"send", "--ward", "long-thuyy", "--group", "all", "--text", "x", "--dry-run"});
  INFO(r.out, r.err);
  CHECK(r.exit == 1);
  CHECK(has(r.err, "no ward long-thuyy among the wards operator hoa may act on: did you mean 'long-thuy'?"));
  CHECK_FALSE(has(r.err, "may not act on"));
  // A ward configured for someone else: 403 as before (exit 2); a typo of it suggests nothing of it.
  r = loa_cli(w.rig, {"send", "--ward", "an-binh", "--group", "all", "--text", "x", "--dry-run"});
  CHECK(r.exit == 2);
  CHECK(has(r.err, "may not act on ward an-binh"));
  r = loa_cli(w.rig, {"send", "--ward", "an-binhh", "--group", "all", "--text", "x", "--dry-run"});
  CHECK(r.exit == 1);
  CHECK(has(r.err, "no ward an-binhh"));
  CHECK_FALSE(has(r.err, "'an-binh'"));
  // minh, of an-binh, gets his own ward suggested, and long-thuy never.
  r = loa_cli(w.rig, {"--token", minh, "groups", "list", "--ward", "an-binhh"});
  CHECK(r.exit == 1);
  CHECK(has(r.err, "did you mean 'an-binh'?"));
  CHECK_FALSE(has(r.err, "long-thuy"));
}

TEST_CASE("mistakes: a notice typed with the Vietnamese keyboard off is flagged in the preview") {
  ward_rig w;
  auto r = loa_cli(w.rig, {"send", "--ward", "long-thuy", "--group", "phu-huynh", "--text",
                           "Thoong baos lich tie6m chu3ng tai phuwowngf", "--dry-run"});
  INFO(r.out, r.err);
  CHECK(r.exit == 0);
  CHECK(has(r.out, "Warning: the text looks typed with the Vietnamese keyboard off"));
  CHECK(has(r.out, "Thoong, baos, tie6m, chu3ng, phuwowngf"));
  r = loa_cli(w.rig, {"--json", "send", "--ward", "long-thuy", "--group", "phu-huynh", "--text",
                      "thong bao lich tiem chung tai tram y te phuong", "--dry-run"});
  REQUIRE(r.exit == 0);
  const auto p = json::parse(r.out).as_object();
  CHECK(p.at("warnings").as_array().empty());
  CHECK(p.at("keyboard_off_words").as_array().empty());
  // Sent without --dry-run (and below the confirmation), the warning still shows on stderr.
  r = loa_cli(w.rig, {"send", "--ward", "long-thuy", "--group", "phu-huynh", "--text", "Thoong baos hop phu huynh"});
  CHECK(r.exit == 0);
  CHECK(has(r.err, "Warning: the text looks typed with the Vietnamese keyboard off"));
}

TEST_CASE("mistakes: the notice without --text says where it goes, and a reused key names its campaign") {
  ward_rig w;
  auto r = loa_cli(w.rig, {"send", "--ward", "long-thuy", "--group", "all", "Hop to dan pho"});
  INFO(r.out, r.err);
  CHECK(r.exit == 1);
  CHECK(has(r.err, "'Hop to dan pho' belongs to no option: put the notice after --text"));
  CHECK_FALSE(has(r.err, "not expected"));

  r = loa_cli(w.rig, {"send", "--ward", "long-thuy", "--group", "phu-huynh", "--text", "Hop luc 7h", "--key",
                      "hop-tuan", "--yes"});
  REQUIRE(r.exit == 0);
  r = loa_cli(w.rig, {"send", "--ward", "long-thuy", "--group", "phu-huynh", "--text", "Hop luc 8h", "--key",
                      "hop-tuan", "--yes"});
  CHECK(r.exit == 1);
  CHECK(has(r.err, "key 'hop-tuan' was used for campaign 1 with another text or audience; nothing was sent: "
                   "give this notice a new key"));
}

TEST_CASE("mistakes: an import's group written like an existing one is refused for its row, naming it") {
  ward_rig w;  // long-thuy has "to-9" and "phu-huynh"
  const auto more = test::test_numbers(3, 100);
  const std::string csv = "phone,name,groups\n" + more[0] + ",A,Tổ 9\n" + more[1] + ",B,to-9\n" + more[2] +
                          ",C,Phụ Huynh;to-10\n";
  auto [code, body] = w.rig.call(verb::post, "/v1/wards/long-thuy/subscribers/import", csv);
  INFO(json::serialize(body));
  REQUIRE(code == 200);
  CHECK(body.at("imported") == 1);  // only B, into the existing to-9
  const auto& invalid = body.at("invalid").as_array();
  REQUIRE(invalid.size() == 2);
  CHECK(invalid[0].at("line") == 2);
  CHECK(invalid[0].at("reason") == "group 'Tổ 9' is written like the existing group 'to-9': write 'to-9'");
  CHECK(invalid[1].at("line") == 4);
  CHECK(has(std::string(invalid[1].at("reason").as_string()), "existing group 'phu-huynh'"));
  auto [groups_code, groups] = w.rig.call(verb::get, "/v1/wards/long-thuy/groups");
  CHECK(!has(json::serialize(groups), "Tổ 9"));
  CHECK(!has(json::serialize(groups), "to-10"));  // C's row was refused whole
  // The import's --group, written like an existing group, refuses the whole import.
  auto r = w.rig.call(verb::post, "/v1/wards/long-thuy/subscribers/import?group=TO%209", csv);
  CHECK(r.first == 400);
  CHECK(has(json::serialize(r.second), "existing group 'to-9'"));
}
