#include "gateway/api/http_server.hpp"

#include <doctest/doctest.h>

#include "gateway/store/subscriber_store.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include <thread>

#include "gateway/api/auth.hpp"
#include "gateway/api/client.hpp"

using namespace loa;
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// A real server on 127.0.0.1 (a free port) in its own thread, with a few routes that exercise the plumbing.
struct running_server {
  asio::io_context io;
  api::authenticator auth{
      {{"hoa", broadcast::sha256_hex("token-hoa"), {"long-thuy"}, config::operator_role::sender}}};
  std::unique_ptr<api::http_server> server;
  std::thread thread;

  running_server() {
    api::router routes;
    routes.add(
        api::http::verb::get, "/healthz",
        [](api::request&) -> asio::awaitable<api::response> {
          co_return api::json_response(api::http::status::ok, {{"ok", true}});
        },
        api::access::open);
    routes.add(api::http::verb::post, "/v1/wards/{ward}/echo",
               [this](api::request& r) -> asio::awaitable<api::response> {
                 auto who = auth.authorize(r, r.params.at("ward"), config::operator_role::sender);
                 if (auto* refusal = std::get_if<api::response>(&who)) co_return *refusal;
                 json::array groups;
                 for (const auto& g : r.query_all("group")) groups.push_back(json::value(g));
                 co_return api::json_response(api::http::status::ok, {{"ward", r.params.at("ward")},
                                                                      {"operator", std::get<0>(who)->name},
                                                                      {"groups", groups},
                                                                      {"body", r.body}});
               });
    routes.add(
        api::http::verb::get, "/boom",
        [](api::request&) -> asio::awaitable<api::response> {
          throw std::runtime_error("handler failed");
          co_return api::response{};
        },
        api::access::open);
    api::server_settings settings;
    settings.port = 0;
    settings.json_body_limit = 1024;
    settings.authenticate = [this](const api::request& r) -> std::optional<api::response> {
      auto verdict = auth.authenticate(r.authorization, r.remote, api::authenticator::clock::now());
      if (verdict) return std::nullopt;
      return verdict.refusal;
    };
    server = std::make_unique<api::http_server>(io, settings, std::move(routes));
    server->start();
    thread = std::thread([this] { io.run(); });
  }
  ~running_server() {
    asio::post(io, [this] { server->stop(); });
    thread.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server->port()); }
};

api::reply call(const running_server& s, api::http::verb method, const std::string& target,
                std::string token = "", std::string body = "") {
  api::client c(s.url(), std::move(token), std::chrono::seconds(5));
  api::reply r;
  const auto ec = c.call(method, target, body, "application/json", r);
  REQUIRE_FALSE(ec);
  return r;
}

}  // namespace

TEST_CASE("server: healthz, unknown paths and wrong methods answer JSON") {
  running_server s;
  auto r = call(s, api::http::verb::get, "/healthz");
  CHECK(r.status == 200);
  CHECK(r.body.at("ok") == true);
  r = call(s, api::http::verb::get, "/v1/nothing");
  CHECK(r.status == 404);
  CHECK(r.body.at("error").as_string().starts_with("no such path"));
  r = call(s, api::http::verb::get, "/v1/wards/long-thuy/echo");
  CHECK(r.status == 405);
}

TEST_CASE("server: tokens and wards decide, path and query are decoded") {
  running_server s;
  CHECK(call(s, api::http::verb::post, "/v1/wards/long-thuy/echo").status == 401);
  CHECK(call(s, api::http::verb::post, "/v1/wards/long-thuy/echo", "wrong").status == 401);
  auto r = call(s, api::http::verb::post, "/v1/wards/an-phu/echo", "token-hoa");
  CHECK(r.status == 404);  // no operator has an-phu: a typo, said so (a configured one is 403: auth_test)
  CHECK(r.body.at("field") == "ward");
  r = call(s, api::http::verb::post, "/v1/wards/long-thuy/echo?group=h%E1%BB%99&group=elderly", "token-hoa",
           "{}");
  CHECK(r.status == 200);
  CHECK(r.body.at("operator") == "hoa");
  CHECK(r.body.at("groups").as_array().size() == 2);
  CHECK(r.body.at("groups").as_array()[0] == "hộ");
  CHECK(r.body.at("body") == "{}");
}

TEST_CASE("server: a body over the limit is 413, a failing handler is 500, and the server goes on") {
  running_server s;
  auto r = call(s, api::http::verb::post, "/v1/wards/long-thuy/echo", "token-hoa", std::string(4096, 'x'));
  CHECK(r.status == 413);
  r = call(s, api::http::verb::get, "/boom");
  CHECK(r.status == 500);
  CHECK(r.body.at("error").as_string().starts_with("internal error"));
  CHECK(call(s, api::http::verb::get, "/healthz").status == 200);
}

TEST_CASE("server: bytes that are not HTTP get 400, not a crash") {
  running_server s;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), s.server->port()});
  const std::string junk = "\x16\x03\x01\x02\x00 not http at all\r\n\r\n";
  asio::write(socket, asio::buffer(junk));
  std::string answer;
  boost::system::error_code ec;
  std::array<char, 512> buffer{};
  const auto n = socket.read_some(asio::buffer(buffer), ec);
  answer.assign(buffer.data(), n);
  CHECK(answer.starts_with("HTTP/1.1 400"));
  CHECK(call(s, api::http::verb::get, "/healthz").status == 200);
}

TEST_CASE("client: an unreachable gateway is an error, not a reply") {
  api::client c("127.0.0.1:1", "", std::chrono::seconds(2));
  api::reply r;
  CHECK(c.call(api::http::verb::get, "/healthz", "", "", r));
}
