// The HTTP server under load it did not ask for, against the real `loa gateway`
// (tests/integration/broadcast_rig): unauthenticated bodies, a header without its body, slow headers and
// bodies, connections over the caps, and accept() failing for want of file descriptors.
#include <doctest/doctest.h>

#include <sys/resource.h>

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/broadcast_rig.hpp"
#include "tests/integration/fixtures/raw_client.hpp"

using namespace loa;
using boost::beast::http::verb;
using test::raw_client;
using test::request_head;
using test::status_of;
using namespace std::chrono_literals;

namespace {

const std::string import_target = "/v1/wards/long-thuy/subscribers/import";

// A line of /proc/PID/status in kB (VmRSS: resident now, VmHWM: the peak).
std::int64_t status_kb(int pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(key + ":")) return std::stoll(line.substr(key.size() + 1));
  FAIL("no " << key << " for process " << pid);
  return 0;
}

// Sends `piece` every 200 ms (at most 50 times) until the gateway closes the connection; true once it has.
bool cut_while_trickling(raw_client& c, const std::string& piece) {
  for (int i = 0; i < 50; ++i)
    if (!c.send(piece) || c.closed_within(200ms)) return true;
  return false;
}

// /healthz answers 200 within `limit`.
bool healthz_within(test::broadcast_rig& rig, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    try {
      if (rig.call(verb::get, "/healthz").first == 200) return true;
    } catch (const std::exception&) {  // not accepting yet
    }
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

}  // namespace

TEST_CASE(
    "http: 60 unauthenticated connections each sending 8 MB are refused on the header and cost no memory") {
  test::broadcast_rig rig;
  rig.start_gateway();
  const auto before = status_kb(rig.gateway_pid(), "VmHWM");
  // The attack of the issue: 60 connections at once, each sending an 8 MiB body to a JSON route without a
  // token. Every body is sent but for its last byte, so all 60 are in flight together. From an address of its
  // own: after ten failures the address gets 429 for a minute, and the test's own calls come from 127.0.0.1.
  const std::string body(8u << 20, 'x');
  std::vector<raw_client> attackers;
  for (int i = 0; i < 60; ++i) {
    auto& c = attackers.emplace_back(rig.http_port, "127.0.0.6");
    c.send(request_head(
        "POST", "/v1/campaigns", "",
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n"));
    c.send(std::string_view(body).substr(0, body.size() - 1));  // the gateway may stop reading: so be it
  }
  int refused = 0;
  for (auto& c : attackers) {
    auto reply = c.read_reply(200ms);
    if (reply.empty() && c.send("x")) reply = c.read_reply(10s);
    const auto status = status_of(reply);
    refused += status == 401 || status == 429;
  }
  const auto after = status_kb(rig.gateway_pid(), "VmHWM");
  MESSAGE("gateway peak RSS before " << before / 1024 << " MiB, after the flood " << after / 1024 << " MiB");
  CHECK(refused == 60);
  CHECK(after - before < 64 * 1024);  // before the fix: 60 x 8 MiB = 480 MiB more
  CHECK(rig.call(verb::get, "/v1/wards/long-thuy/subscribers/count").first == 200);
}

TEST_CASE(
    "http: a token route answers on the header alone: 401 and 429 without a token, 413 over the route's "
    "limit") {
  test::broadcast_rig rig;
  rig.start_gateway();
  SUBCASE("a 200 MB import without a token is refused before a byte of it is sent") {
    raw_client c(rig.http_port);
    c.send(
        request_head("POST", import_target, "", "Content-Type: text/csv\r\nContent-Length: 209715200\r\n"));
    const auto reply = c.read_reply(5s);  // before the fix: no answer until the 200 MB had been read
    CHECK(status_of(reply) == 401);
    CHECK(reply.find("Connection: close") != std::string::npos);
    CHECK(c.closed_within(5s));
  }
  SUBCASE("a JSON route with a wrong token") {
    raw_client c(rig.http_port);
    c.send(request_head("POST", "/v1/campaigns", "not-a-token",
                        "Content-Type: application/json\r\nContent-Length: 8388608\r\n"));
    CHECK(status_of(c.read_reply(5s)) == 401);
    CHECK(c.closed_within(5s));
  }
  SUBCASE("an address that keeps failing gets 429, still on the header") {
    std::vector<unsigned> statuses;
    for (int i = 0; i < 12; ++i) {
      raw_client c(rig.http_port, "127.0.0.5");
      c.send(request_head("POST", import_target, "guess-" + std::to_string(i),
                          "Content-Type: text/csv\r\nContent-Length: 209715200\r\n"));
      statuses.push_back(status_of(c.read_reply(5s)));
    }
    CHECK(statuses.front() == 401);
    CHECK(statuses.back() == 429);
  }
  SUBCASE("an operator's body over the route's limit is 413 before it is read") {
    raw_client json(rig.http_port);
    json.send(request_head("POST", "/v1/campaigns", "demo-token-hoa",
                           "Content-Type: application/json\r\nContent-Length: 2097152\r\n"));
    CHECK(status_of(json.read_reply(5s)) == 413);
    raw_client csv(rig.http_port);
    csv.send(request_head("POST", import_target, "demo-token-hoa",
                          "Content-Type: text/csv\r\nContent-Length: 314572800\r\n"));
    CHECK(status_of(csv.read_reply(5s)) == 413);
  }
  SUBCASE("Expect: 100-continue gets the go-ahead only with a token") {
    raw_client c(rig.http_port);
    const std::string csv = "phone\n0912345678\n";
    c.send(request_head("POST", import_target, "demo-token-hoa",
                        "Content-Type: text/csv\r\nExpect: 100-continue\r\nContent-Length: " +
                            std::to_string(csv.size()) + "\r\n"));
    CHECK(c.read_reply(5s).starts_with("HTTP/1.1 100 Continue"));
    c.send(csv);
    const auto reply = c.read_reply(5s);
    CHECK(status_of(reply) == 200);
    CHECK(reply.find("\"imported\":1") != std::string::npos);
  }
  // Open routes need no token, and the API still works for an operator.
  CHECK(rig.call_as("", verb::get, "/healthz").first == 200);
  rig.import("phone\n0912345679\n");
  CHECK(rig.call(verb::get, "/v1/wards/long-thuy/subscribers/count").first == 200);
}

TEST_CASE("http: a header or a body sent too slowly is cut off") {
  test::rig_options options;
  options.gateway_lines = "  header_timeout_s: 1\n  body_min_bytes_per_s: 1000\n";
  test::broadcast_rig rig(options);
  rig.start_gateway();
  SUBCASE("a header one line every 200 ms (slowloris) is cut at header_timeout_s") {
    raw_client c(rig.http_port);
    const auto start = std::chrono::steady_clock::now();
    c.send("GET /healthz HTTP/1.1\r\n");
    CHECK(cut_while_trickling(c, "X-Slow: 1\r\n"));
    CHECK(std::chrono::steady_clock::now() - start < 5s);  // header_timeout_s is 1 s; before: 60 s
  }
  SUBCASE("an operator's body at 50 bytes a second is cut after the grace") {
    raw_client c(rig.http_port);
    const auto start = std::chrono::steady_clock::now();
    c.send(request_head("POST", "/v1/campaigns", "demo-token-hoa",
                        "Content-Type: application/json\r\nContent-Length: 100000\r\n"));
    CHECK(cut_while_trickling(c, std::string(10, ' ')));
    CHECK(std::chrono::steady_clock::now() - start < 5s);
  }
  CHECK(rig.call(verb::get, "/healthz").first == 200);
}

TEST_CASE(
    "http: connections over the caps are answered 503 and closed, and the refusals are logged sparingly") {
  test::rig_options options;
  options.gateway_lines = "  max_connections: 8\n  max_connections_per_address: 4\n  header_timeout_s: 30\n";
  test::broadcast_rig rig(options);
  rig.start_gateway();
  std::vector<raw_client> idle;
  for (int i = 0; i < 4; ++i) idle.emplace_back(rig.http_port, "127.0.0.2");
  {
    raw_client fifth(rig.http_port, "127.0.0.2");
    const auto reply = fifth.read_reply(5s);
    CHECK(status_of(reply) == 503);
    CHECK(reply.find("Connection: close") != std::string::npos);
    CHECK(fifth.closed_within(5s));
  }
  CHECK(rig.call(verb::get, "/healthz").first == 200);  // another address still gets in
  for (int i = 0; i < 4; ++i) idle.emplace_back(rig.http_port, "127.0.0.3");
  std::this_thread::sleep_for(200ms);  // the gateway takes them in turn
  int refused = 0;
  for (int i = 0; i < 100; ++i) {
    raw_client over(rig.http_port, "127.0.0.4");
    refused += status_of(over.read_reply(5s)) == 503;
  }
  CHECK(refused == 100);
  CHECK(test::occurrences(test::file_text(rig.gateway_log), "refused a connection from") <= 3);
  // The idle ones may still ask something: they are being served.
  idle.front().send(request_head("GET", "/healthz"));
  CHECK(status_of(idle.front().read_reply(5s)) == 200);
  idle.clear();
  CHECK(healthz_within(rig, 5s));
}

TEST_CASE(
    "http: out of file descriptors, the gateway backs off, logs little, serves its open connections and "
    "recovers") {
  test::broadcast_rig rig;  // the default header_timeout_s (10 s) outlasts the 3 s below
  rig.start_gateway();
  const int pid = rig.gateway_pid();
  // Leave the gateway a few descriptors more than it holds now (prlimit on the running process).
  std::size_t open_fds = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
    ++open_fds;
  const rlimit limit{open_fds + 8, open_fds + 8};
  REQUIRE(::prlimit(pid, RLIMIT_NOFILE, &limit, nullptr) == 0);
  const auto log_before = std::filesystem::file_size(rig.gateway_log);
  std::vector<raw_client> clients;
  for (int i = 0; i < 40; ++i) clients.emplace_back(rig.http_port);  // the kernel queues those not accepted
  std::this_thread::sleep_for(3s);
  const auto log_grew = std::filesystem::file_size(rig.gateway_log) - log_before;
  MESSAGE("log grew by " << log_grew << " bytes in 3 s out of descriptors");
  const auto log = test::file_text(rig.gateway_log);
  CHECK(log.find("accept failed: Too many open files") != std::string::npos);
  CHECK(log_grew < 16 * 1024);  // before the fix: megabytes a second
  // The first connection was accepted before the descriptors ran out: it is served.
  clients.front().send(request_head("GET", "/healthz"));
  CHECK(status_of(clients.front().read_reply(5s)) == 200);
  clients.clear();
  CHECK(healthz_within(rig, 10s));
  CHECK(test::file_text(rig.gateway_log).find("accepting again after") != std::string::npos);
}
