// Before and after a send, end to end against real processes (broadcast_rig.hpp): `loa send --dry-run` counts
// what a send would reach and cost and sends nothing; a large send without --yes is refused where nobody can
// type the ward's name (cron); `--corrects ID` reaches exactly the recipients who received campaign ID.
#include <doctest/doctest.h>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <boost/json.hpp>

#include <chrono>

#include "tests/integration/broadcast_rig.hpp"

using namespace loa;
using test::field;
using test::loa_cli;
using test::loa_cli_at_terminal;
namespace json = boost::json;
using boost::beast::http::verb;

namespace {

// 300 numbers alternately viettel and vinaphone; every one in "all", the first 100 also in "to-5".
std::string households(const std::vector<std::string>& numbers) {
  std::string csv = "phone,name,groups\n";
  for (std::size_t i = 0; i < numbers.size(); ++i) csv += numbers[i] + ",Hộ " + std::to_string(i) + (i < 100 ? ",all;to-5\n" : ",all\n");
  return csv;
}

test::rig_options priced(std::vector<std::string> viettel_args = {}) {
  test::rig_options options;
  options.viettel_args = std::move(viettel_args);
  options.carrier_lines = "    price_per_part: 250\n";
  options.top_lines = "confirmation:\n  above_recipients: 50\n";
  return options;
}

const std::string notice_vi = "Lịch tiêm chủng vắc xin sởi cho trẻ từ 1 đến 5 tuổi: thứ Hai 23/11/2026, 7h30 tại Trạm Y tế phường.";

}  // namespace

TEST_CASE("send: --dry-run counts recipients per carrier and group, opt-outs and cost, and sends nothing") {
  test::broadcast_rig rig(priced());
  rig.start_gateway();
  const auto numbers = test::test_numbers(300);
  rig.import(households(numbers));
  for (const auto& n : {numbers[0], numbers[3], numbers[200]})  // two in to-5, one only in all
    CHECK(rig.call(verb::post, "/v1/subscribers/" + n + "/optout").first == 200);
  const auto next_before = rig.redis.command({"GET", "loa:campaign:next"});

  auto r = loa_cli(rig, {"--json", "send", "--ward", "long-thuy", "--group", "all", "--group", "to-5", "--text",
                         notice_vi, "--dry-run"});
  INFO(r.out, r.err);
  REQUIRE(r.exit == 0);
  const auto p = json::parse(r.out).as_object();
  CHECK(p.at("dry_run") == true);
  CHECK(p.at("encoding") == "ucs2");
  CHECK(field(p, "parts_per_message") == 2);
  CHECK(field(p, "recipients") == 297);
  CHECK(field(p, "skipped_optout") == 3);
  const auto& carriers = p.at("by_carrier").as_object();
  CHECK(field(carriers.at("viettel").as_object(), "recipients") == 148);    // even positions, 0 and 200 out
  CHECK(field(carriers.at("vinaphone").as_object(), "recipients") == 149);  // odd positions, 3 out
  CHECK(field(carriers.at("viettel").as_object(), "parts") == 296);
  const auto& groups = p.at("by_group").as_object();
  CHECK(field(groups, "all") == 297);
  CHECK(field(groups, "to-5") == 98);
  CHECK(p.at("cost").to_number<double>() == doctest::Approx(297 * 2 * 250));
  CHECK(r.out.find(R"("cost":148500)") != std::string::npos);  // a whole number of VND, written plainly
  CHECK_FALSE(test::has_exponent_number(r.out));
  CHECK(p.at("currency") == "VND");
  CHECK(p.at("needs_confirmation") == true);
  CHECK(p.at("text").as_string() == notice_vi);

  // The same for people, on stdout; still nothing created or sent.
  r = loa_cli(rig, {"send", "--ward", "long-thuy", "--group", "to-5", "--text", notice_vi, "--accents", "strip",
                    "--dry-run"});
  CHECK(r.exit == 0);
  CHECK(r.out.find("Dry run: nothing was sent.") != std::string::npos);
  CHECK(r.out.find("Lich tiem chung vac xin soi") != std::string::npos);  // the text as the phone shows it
  CHECK(r.out.find("GSM-7, without accents: 160 characters a part") != std::string::npos);
  CHECK(r.out.find("Recipients: 98 in long-thuy") != std::string::npos);
  CHECK(r.out.find("viettel    49 recipients  49 parts  x 250 = 12,250 VND") != std::string::npos);
  CHECK(r.out.find("Cost: 24,500 VND for 98 SMS parts") != std::string::npos);
  CHECK(rig.redis.command({"GET", "loa:campaign:next"}) == next_before);
  CHECK(rig.accepted("").messages == 0);
}

TEST_CASE("send: a --template whose date is already past (in the gateway's offset) is warned about in the preview") {
  test::broadcast_rig rig(priced());
  rig.start_gateway();
  rig.import(households(test::test_numbers(10)));
  // Days in the gateway's utc_offset (the rig's: +07:00): yesterday is past, three days on is not.
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now() + std::chrono::hours(7));
  const auto day = [&](int offset) { return fmt::format("{:%d/%m/%Y}", today + std::chrono::days(offset)); };
  const auto send_meeting = [&](const std::string& date, bool json_out) {
    std::vector<std::string> args{"send", "--ward", "long-thuy", "--group", "all", "--template", "hop-to-dan-pho",
                                  "--var", "to_dan_pho=tổ 5", "--var", "gio=19h30", "--var", "ngay=" + date,
                                  "--var", "dia_diem=Nhà văn hóa", "--var", "noi_dung=quy ước", "--dry-run"};
    if (json_out) args.insert(args.begin(), "--json");
    return loa_cli(rig, args);
  };

  auto r = send_meeting(day(-1), true);
  INFO(r.out, r.err);
  REQUIRE(r.exit == 0);
  const auto warnings = json::parse(r.out).at("warnings").as_array();
  REQUIRE(warnings.size() == 1);
  const std::string warning(warnings[0].as_string());
  CHECK(warning.starts_with("{ngay}: "));
  CHECK(warning.find(day(-1) + " is already past (today is ") != std::string::npos);
  CHECK(r.err.find("Warning: " + warning) != std::string::npos);  // and on stderr, stdout being the document

  r = send_meeting(day(-1), false);  // for people: in the preview
  CHECK(r.exit == 0);
  CHECK(r.out.find("Warning: " + warning) != std::string::npos);

  r = send_meeting(day(3), true);
  CHECK(r.exit == 0);
  CHECK(json::parse(r.out).at("warnings").as_array().empty());
  CHECK(r.err.find("already past") == std::string::npos);
  CHECK(rig.accepted("").messages == 0);
}

TEST_CASE("send: above the confirmation size, a send without --yes and without a terminal is refused") {
  test::broadcast_rig rig(priced());
  rig.start_gateway();
  rig.import(households(test::test_numbers(300)));

  auto r = loa_cli(rig, {"send", "--ward", "long-thuy", "--group", "all", "--text", "Hop to dan pho 19h"});
  INFO(r.out, r.err);
  CHECK(r.exit == 1);
  CHECK(r.err.find("not sent: 300 recipients need a confirmation") != std::string::npos);
  CHECK(r.err.find("--yes") != std::string::npos);
  CHECK(r.err.find("Recipients: 300") != std::string::npos);  // the preview was shown first
  CHECK(rig.redis.command({"GET", "loa:campaign:next"}) == "(nil)");

  // At or below the size, no question; with --yes, none either (cron).
  r = loa_cli(rig, {"--json", "send", "--ward", "long-thuy", "--group", "to-5", "--text", "Hop to 5 luc 19h",
                    "--accents", "strip"});
  CHECK(r.exit == 1);  // 100 > 50
  r = loa_cli(rig, {"--json", "send", "--ward", "long-thuy", "--group", "all", "--text", "Hop to dan pho 19h",
                    "--yes", "--key", "weekly-48", "--wait"});
  CHECK(r.exit == 0);
  CHECK(field(json::parse(r.out).as_object(), "delivered") == 300);
}

TEST_CASE("send: at a terminal, typing the ward's name sends a large notice and anything else does not") {
  test::broadcast_rig rig(priced());
  rig.start_gateway();
  rig.import(households(test::test_numbers(300)));
  auto r = loa_cli_at_terminal(rig, {"send", "--ward", "long-thuy", "--group", "all", "--text", "Hop to 19h"},
                               "long thuy\n");
  INFO(r.out, r.err);
  CHECK(r.exit == 1);
  CHECK(r.err.find("not sent: 300 recipients need a confirmation and the ward's name was not typed") !=
        std::string::npos);
  CHECK(rig.redis.command({"GET", "loa:campaign:next"}) == "(nil)");

  r = loa_cli_at_terminal(rig, {"send", "--ward", "long-thuy", "--group", "all", "--text", "Hop to 19h", "--wait"},
                          "Long-Thuy\n");
  CHECK(r.exit == 0);
  CHECK(r.out.find("campaign 1 created") != std::string::npos);
  CHECK(rig.accepted("Hop to 19h").messages == 300);
}

TEST_CASE("send: --corrects goes to exactly the recipients who received the campaign, not to opt-outs since") {
  // Viettel refuses everything: only vinaphone's half received the first notice.
  test::broadcast_rig rig(priced({"--fail-rate", "1"}));
  rig.start_gateway();
  const auto numbers = test::test_numbers(40);
  rig.import(households(numbers));
  auto r = loa_cli(rig, {"--json", "send", "--ward", "long-thuy", "--group", "all", "--text",
                         "Hop to dan pho 19h thu Ba", "--wait"});
  INFO(r.out, r.err);
  CHECK(r.exit == 4);
  const std::string first(json::parse(r.out).at("id").as_string());
  CHECK(rig.call(verb::post, "/v1/subscribers/" + numbers[1] + "/optout").first == 200);  // a vinaphone one

  // The API names what is wrong with a correction.
  auto [status, body] = rig.call(verb::post, "/v1/campaigns",
                                 json::serialize(json::object{{"corrects", first},
                                                              {"groups", json::array{"all"}},
                                                              {"text", "x"}}));
  CHECK(status == 400);
  CHECK(body.at("field") == "groups");
  std::tie(status, body) = rig.call(verb::post, "/v1/campaigns",
                                    json::serialize(json::object{{"corrects", "999"}, {"text", "x"}}));
  CHECK(status == 400);
  CHECK(body.at("field") == "corrects");

  r = loa_cli(rig, {"--json", "send", "--corrects", first, "--text", "Dinh chinh: hop to dan pho 19h thu Tu",
                    "--dry-run"});
  CHECK(r.exit == 0);
  CHECK(field(json::parse(r.out).as_object(), "recipients") == 19);
  CHECK(field(json::parse(r.out).as_object(), "skipped_optout") == 1);

  r = loa_cli(rig, {"--json", "send", "--corrects", first, "--text", "Dinh chinh: hop to dan pho 19h thu Tu",
                    "--wait"});
  CHECK(r.exit == 0);
  const auto s = json::parse(r.out).as_object();
  CHECK(s.at("corrects").as_string() == first);
  CHECK(field(s, "recipients") == 19);
  CHECK(field(s, "skipped_optout") == 1);
  CHECK(field(s, "delivered") == 19);
  const auto got = rig.accepted("Dinh chinh");
  CHECK(got.messages == 19);
  CHECK(got.duplicated.empty());
  for (std::size_t i = 0; i < numbers.size(); ++i)
    CHECK(got.by_number.count(numbers[i]) == (i % 2 == 1 && i != 1 ? 1u : 0u));
}
