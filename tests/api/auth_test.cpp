#include "gateway/api/auth.hpp"

#include <doctest/doctest.h>

#include "gateway/store/subscriber_store.hpp"

using namespace loa;
using namespace std::chrono_literals;

namespace {

config::operator_config op(std::string name, std::string token, std::vector<std::string> wards,
                           config::operator_role role) {
  return {std::move(name), broadcast::sha256_hex(token), std::move(wards), role};
}

api::authenticator demo() {
  return api::authenticator({op("hoa", "token-hoa", {"long-thuy"}, config::operator_role::sender),
                             op("lan", "token-lan", {"long-thuy", "an-phu"}, config::operator_role::approver),
                             op("minh", "token-minh", {}, config::operator_role::admin)},
                            3, 1min);
}

}  // namespace

TEST_CASE("auth: SHA-256 as config's token_sha256 holds it") {
  CHECK(broadcast::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(broadcast::sha256_hex("demo-token-hoa") ==
        "0c7608d51a1cd241340365f240fcce28178d00f75c1f955e0a183db4a5f9e418");
}

TEST_CASE("auth: a bearer token finds its operator, anything else is 401") {
  auto a = demo();
  const auto now = api::authenticator::clock::now();
  auto r = a.authenticate("Bearer token-hoa", "127.0.0.1", now);
  REQUIRE(r);
  CHECK(r.who->name == "hoa");
  CHECK_FALSE(a.authenticate("", "10.0.0.1", now));
  CHECK(a.authenticate("", "10.0.0.1", now).refusal.status == api::http::status::unauthorized);
  CHECK(a.authenticate("Bearer wrong", "10.0.0.2", now).refusal.status == api::http::status::unauthorized);
  CHECK(a.authenticate("token-hoa", "10.0.0.3", now).refusal.status == api::http::status::unauthorized);
  CHECK(a.authenticate("Basic token-hoa", "10.0.0.4", now).refusal.status == api::http::status::unauthorized);
}

TEST_CASE("auth: repeated bad tokens from one address get 429 with Retry-After, then earn attempts back") {
  auto a = demo();  // 3 failures at once, 3 a minute after that
  const auto t0 = api::authenticator::clock::now();
  for (int i = 0; i < 3; ++i)
    CHECK(a.authenticate("Bearer guess" + std::to_string(i), "10.1.1.1", t0).refusal.status ==
          api::http::status::unauthorized);
  const auto locked = a.authenticate("Bearer guess9", "10.1.1.1", t0).refusal;
  CHECK(locked.status == api::http::status::too_many_requests);
  REQUIRE(locked.headers.size() == 1);
  CHECK(locked.headers[0].first == "Retry-After");
  CHECK(locked.headers[0].second == "20");  // one attempt back every 20 s
  CHECK(locked.body.find("\"retry_after_s\":20") != std::string::npos);
  CHECK(a.authenticate("Bearer guessX", "10.2.2.2", t0).refusal.status ==
        api::http::status::unauthorized);  // another address is not affected
  CHECK(a.authenticate("Bearer guess9", "10.1.1.1", t0 + 20s).refusal.status == api::http::status::unauthorized);
  CHECK(a.authenticate("Bearer guess9", "10.1.1.1", t0 + 20s).refusal.status ==
        api::http::status::too_many_requests);
}

TEST_CASE("auth: a valid token behind the same address is never locked out, and does not forgive the guesser") {
  auto a = demo();
  const auto t0 = api::authenticator::clock::now();
  for (int i = 0; i < 50; ++i) a.authenticate("Bearer guess" + std::to_string(i), "192.0.2.1", t0);
  CHECK(a.authenticate("Bearer guess", "192.0.2.1", t0).refusal.status == api::http::status::too_many_requests);
  auto r = a.authenticate("Bearer token-hoa", "192.0.2.1", t0);  // a colleague behind the office's NAT
  REQUIRE(r);
  CHECK(r.who->name == "hoa");
  // The success reset nothing: the guesser is still refused, at once and a second later.
  CHECK(a.authenticate("Bearer guess", "192.0.2.1", t0).refusal.status == api::http::status::too_many_requests);
  CHECK(a.authenticate("Bearer guess", "192.0.2.1", t0 + 1s).refusal.status ==
        api::http::status::too_many_requests);
}

TEST_CASE("auth: bad tokens that start alike are limited together, from any address") {
  auto a = demo();
  const auto t0 = api::authenticator::clock::now();
  for (int i = 0; i < 3; ++i)
    CHECK(a.authenticate("Bearer token-ho" + std::to_string(i), "10.9.0." + std::to_string(i), t0)
              .refusal.status == api::http::status::unauthorized);
  CHECK(a.authenticate("Bearer token-hoX", "10.9.0.99", t0).refusal.status ==
        api::http::status::too_many_requests);
  CHECK(a.authenticate("Bearer token-hoa", "10.9.0.99", t0));  // the real one still passes
  CHECK(a.authenticate("Bearer other-guess", "10.9.0.99", t0).refusal.status == api::http::status::unauthorized);
}

TEST_CASE("auth: one operator's requests above the rate get 429 with Retry-After, and others are not affected") {
  api::auth_limits limits;
  limits.requests_per_second = 2;
  limits.request_burst = 4;
  api::authenticator a({op("hoa", "token-hoa", {"long-thuy"}, config::operator_role::sender),
                        op("lan", "token-lan", {"long-thuy"}, config::operator_role::approver)},
                       limits);
  api::request r;
  r.remote = "127.0.0.1";
  r.authorization = "Bearer token-hoa";
  const auto t0 = api::authenticator::clock::now();
  for (int i = 0; i < 4; ++i)
    CHECK(std::holds_alternative<const config::operator_config*>(
        a.authorize(r, "long-thuy", config::operator_role::sender, t0)));
  auto refused = a.authorize(r, "long-thuy", config::operator_role::sender, t0);
  REQUIRE(std::holds_alternative<api::response>(refused));
  const auto& too_fast = std::get<api::response>(refused);
  CHECK(too_fast.status == api::http::status::too_many_requests);
  REQUIRE(too_fast.headers.size() == 1);
  CHECK(too_fast.headers[0] == std::pair<std::string, std::string>{"Retry-After", "1"});
  CHECK(too_fast.body.find("operator hoa") != std::string::npos);
  CHECK(too_fast.body.find("try again in 1 second") != std::string::npos);
  // authenticate() alone (the server's check of the header) does not count against the rate.
  for (int i = 0; i < 10; ++i) CHECK(a.authenticate(r.authorization, r.remote, t0));
  api::request lan = r;
  lan.authorization = "Bearer token-lan";
  CHECK(std::holds_alternative<const config::operator_config*>(
      a.authorize(lan, "long-thuy", config::operator_role::sender, t0)));
  CHECK(std::holds_alternative<const config::operator_config*>(
      a.authorize(r, "long-thuy", config::operator_role::sender, t0 + 500ms)));
}

TEST_CASE("auth: wards and roles") {
  auto a = demo();
  std::vector<std::string> log;
  a.set_refusal_log([&log](std::string_view line) { log.emplace_back(line); });
  api::request r;
  r.remote = "127.0.0.1";
  r.authorization = "Bearer token-hoa";
  CHECK(std::holds_alternative<const config::operator_config*>(
      a.authorize(r, "long-thuy", config::operator_role::sender)));
  auto refused = a.authorize(r, "an-phu", config::operator_role::sender);
  REQUIRE(std::holds_alternative<api::response>(refused));
  CHECK(std::get<api::response>(refused).status == api::http::status::forbidden);
  CHECK(std::get<api::response>(refused).body.find("an-phu") != std::string::npos);
  REQUIRE(log.size() == 1);  // a refusal is logged, with the address and the reason, never the token
  CHECK(log[0].find("403") != std::string::npos);
  CHECK(log[0].find("127.0.0.1") != std::string::npos);
  CHECK(log[0].find("token-hoa") == std::string::npos);
  refused = a.authorize(r, "long-thuy", config::operator_role::approver);
  CHECK(std::get<api::response>(refused).status == api::http::status::forbidden);

  // A ward no operator has is a typo, not a permission problem: 404 with the nearest of the caller's wards.
  refused = a.authorize(r, "long-thuyy", config::operator_role::sender);
  CHECK(std::get<api::response>(refused).status == api::http::status::not_found);
  CHECK(std::get<api::response>(refused).body.find("did you mean 'long-thuy'?") != std::string::npos);
  refused = a.authorize(r, "an-phuu", config::operator_role::sender);  // lan's an-phu is not suggested to hoa
  CHECK(std::get<api::response>(refused).status == api::http::status::not_found);
  CHECK(std::get<api::response>(refused).body.find("an-phu'") == std::string::npos);

  r.authorization = "Bearer token-minh";  // admin without wards: every ward
  CHECK(std::holds_alternative<const config::operator_config*>(
      a.authorize(r, "an-phu", config::operator_role::approver)));
}
