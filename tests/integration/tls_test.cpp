// TLS on the client side, against real processes: `loa` speaking https (to a minimal HTTPS server made here
// until the gateway serves HTTPS), and SMPP over TLS between `loa gateway` / `loa carrier check` and
// loa-smsc-sim's TLS listener. Certificates come from tests/fixtures/test_certs.hpp.
#include <doctest/doctest.h>

#include <fmt/format.h>
#include <boost/json.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/fixtures/test_certs.hpp"
#include "tests/integration/broadcast_rig.hpp"
#include "tests/integration/fixtures/https_recorder.hpp"
#include "tests/integration/fixtures/process.hpp"

using namespace loa;
using test::field;
namespace json = boost::json;
using boost::beast::http::verb;
using namespace std::chrono_literals;

namespace {

const test::test_certs& certs() {
  static const test::test_certs made;  // openssl takes a while: once for every case
  return made;
}

const std::string status_document = R"({"id":"C1","state":"done","recipients":3,"delivered":3})";

// Runs the real `loa` as operator hoa with `args` (no configuration: --server says where), LOA_CACERT set to
// `cacert_env` when given; bounded.
test::cli_result run_loa(const std::vector<std::string>& args, const std::string& cacert_env = {}) {
  setenv("LOA_TOKEN", "demo-token-hoa", 1);
  setenv("LOA_LANG", "en", 1);  // these match the English source strings
  if (cacert_env.empty()) {
    unsetenv("LOA_CACERT");
  } else {
    setenv("LOA_CACERT", cacert_env.c_str(), 1);
  }
  const auto err_path = test::temp_path("loa-tls-stderr");
  test::cli_result r;
  {
    test::child_process p(LOA_CLI_PATH, args, err_path);
    while (auto line = p.read_line(30s)) r.out += *line + "\n";
    r.exit = p.stop(0, 30s);
  }
  unsetenv("LOA_CACERT");
  std::ifstream err(err_path);
  r.err.assign(std::istreambuf_iterator<char>(err), {});
  std::remove(err_path.c_str());
  return r;
}

std::string https_url(const std::string& host, const test::https_recorder& server) {
  return fmt::format("https://{}:{}", host, server.port());
}

// What a refused certificate must look like: exit 3, the reason named, and nothing reached the server.
void check_refused(const test::cli_result& r, const test::https_recorder& server, const std::string& reason) {
  INFO("stderr: ", r.err);
  CHECK(r.exit == 3);
  CHECK(r.err.find(reason) != std::string::npos);
  CHECK(r.err.find("nothing was sent") != std::string::npos);
  // The server notes the broken-off handshake on its own thread, maybe after the client exited.
  for (int i = 0; i < 100 && server.failed_handshakes() == 0; ++i) std::this_thread::sleep_for(20ms);
  CHECK(server.failed_handshakes() >= 1);
  CHECK(server.authorizations().empty());
}

// Lines of `path` that contain every one of `parts`.
std::size_t lines_with(const std::string& path, const std::vector<std::string>& parts) {
  std::ifstream in(path);
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    bool all = true;
    for (const auto& p : parts) all &= line.find(p) != std::string::npos;
    n += all ? 1 : 0;
  }
  return n;
}

std::string csv_for(const std::vector<std::string>& numbers) {
  std::string csv = "phone,name,groups\n";
  for (const auto& n : numbers) csv += n + ",Người dân,all\n";
  return csv;
}

std::string tls_lines() {
  return "    tls: true\n    tls_ca: " + certs().ca_cert() + "\n";
}

}  // namespace

TEST_CASE(
    "tls: loa speaks https to a gateway whose certificate the CA given signed, by IP address and name") {
  test::https_recorder server(certs().server_cert(), certs().server_key(), status_document);
  auto r = run_loa(
      {"--json", "--server", https_url("127.0.0.1", server), "--cacert", certs().ca_cert(), "status", "C1"});
  INFO("stderr: ", r.err);
  CHECK(r.exit == 0);
  CHECK(json::parse(r.out).at("state") == "done");
  // LOA_CACERT instead of --cacert, and the host name the certificate also names.
  r = run_loa({"--json", "--server", https_url("localhost", server), "status", "C1"}, certs().ca_cert());
  CHECK(r.exit == 0);
  CHECK(server.authorizations() ==
        std::vector<std::string>{"Bearer demo-token-hoa", "Bearer demo-token-hoa"});
}

TEST_CASE("tls: loa refuses a self-signed gateway certificate before its token leaves") {
  test::https_recorder server(certs().self_signed_cert(), certs().self_signed_key(), status_document);
  check_refused(
      run_loa({"--server", https_url("127.0.0.1", server), "--cacert", certs().ca_cert(), "status", "C1"}),
      server, "self-signed");
  // --json: the same reason as {"error"}.
  const auto r = run_loa(
      {"--json", "--server", https_url("127.0.0.1", server), "--cacert", certs().ca_cert(), "status", "C1"});
  CHECK(r.exit == 3);
  CHECK(std::string(json::parse(r.out).at("error").as_string()).find("self-signed") != std::string::npos);
  CHECK(server.authorizations().empty());
}

TEST_CASE("tls: loa refuses a certificate for another host, for an IP address and for a name alike") {
  test::https_recorder server(certs().wrong_host_cert(), certs().wrong_host_key(), status_document);
  check_refused(
      run_loa({"--server", https_url("127.0.0.1", server), "--cacert", certs().ca_cert(), "status", "C1"}),
      server, "for another host name or address (it must name 127.0.0.1)");
  check_refused(
      run_loa({"--server", https_url("localhost", server), "--cacert", certs().ca_cert(), "status", "C1"}),
      server, "(it must name localhost)");
}

TEST_CASE("tls: without --cacert only the system's CAs are trusted") {
  test::https_recorder server(certs().server_cert(), certs().server_key(), status_document);
  check_refused(run_loa({"--server", https_url("127.0.0.1", server), "status", "C1"}), server,
                "not signed by a trusted CA (pass the CA that signed it with --cacert FILE or LOA_CACERT)");
}

TEST_CASE("tls: a CA file that cannot be read is bad input naming the file, as is another scheme") {
  test::https_recorder server(certs().server_cert(), certs().server_key(), status_document);
  const std::string missing = certs().dir() + "/no-such-ca.pem";
  auto r = run_loa({"--server", https_url("127.0.0.1", server), "--cacert", missing, "status", "C1"});
  CHECK(r.exit == 1);
  CHECK(r.err.find(missing) != std::string::npos);
  r = run_loa({"--server", https_url("127.0.0.1", server), "status", "C1"}, certs().server_key());
  CHECK(r.exit == 1);
  CHECK(r.err.find("holds no PEM certificate") != std::string::npos);
  r = run_loa({"--server", fmt::format("ftp://127.0.0.1:{}", server.port()), "status", "C1"});
  CHECK(r.exit == 1);
  CHECK(r.err.find("--server ftp://") != std::string::npos);
  CHECK(server.authorizations().empty());
  CHECK(server.failed_handshakes() == 0);  // refused before connecting
}

TEST_CASE("tls: loa sends no token in clear to a host beyond loopback, and says to use https") {
  // 192.0.2.1 (TEST-NET-1) is never reached: the refusal comes before any connection.
  for (const std::string server : {"http://192.0.2.1:8787", "192.0.2.1:8787", "http://gateway.tinh.invalid"}) {
    const auto r = run_loa({"--server", server, "status", "C1"});
    INFO(server, " ", r.err);
    CHECK(r.exit == 1);
    CHECK(r.err.find("in clear") != std::string::npos);
    CHECK(r.err.find("nothing was sent") != std::string::npos);
    CHECK(r.err.find("Use https://") != std::string::npos);
  }
}

TEST_CASE("tls: the gateway binds over TLS, sends a campaign and matches its receipts, carrier check too") {
  test::rig_options options;
  const std::vector<std::string> tls_args{"--tls-cert", certs().server_cert(), "--tls-key",
                                          certs().server_key()};
  options.viettel_args = tls_args;
  options.vinaphone_args = tls_args;
  options.carrier_lines = tls_lines();  // both: a transceiver, and a transmitter with its receiver
  test::broadcast_rig rig(options);
  rig.start_gateway();  // returns once every bind is up: the TLS handshakes verified
  const auto numbers = test::test_numbers(40);
  rig.import(csv_for(numbers));
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Thong bao qua TLS: hop to dan pho"}});
  const auto s = rig.wait_finished(id);
  INFO(json::serialize(s));
  INFO("gateway log: ", rig.gateway_log);
  CHECK(s.at("state") == "done");
  CHECK(field(s, "delivered") == 40);  // every receipt came back over TLS and matched its submit
  const auto got = rig.accepted("qua TLS");
  CHECK(got.messages == 40);
  CHECK(got.duplicated.empty());

  // viettel: a transceiver gets its receipt on its own bind (vinaphone's could go to the gateway's
  // receivers).
  const auto r = test::loa_cli(rig, {"--json", "carrier", "check", "viettel", "--to", "0961234567", "--text",
                                     "Kiem tra TLS", "--timeout", "10"});
  INFO("stderr: ", r.err);
  CHECK(r.exit == 0);
  const auto v = json::parse(r.out);
  CHECK(v.at("bound") == true);
  CHECK(v.at("tls") == true);
  CHECK(v.at("receipt").at("state") == "delivered");
}

TEST_CASE("tls: a carrier whose certificate does not verify is down, retried, and never gets a submit") {
  std::string cert, key, reason;
  SUBCASE("self-signed") {
    cert = certs().self_signed_cert();
    key = certs().self_signed_key();
    reason = "self-signed";
  }
  SUBCASE("for another host") {
    cert = certs().wrong_host_cert();
    key = certs().wrong_host_key();
    reason = "for another host name or address";
  }
  test::rig_options options;
  options.viettel_args = {"--tls-cert", cert, "--tls-key", key};
  options.viettel_lines = tls_lines();  // vinaphone stays in clear and keeps working
  test::broadcast_rig rig(options);
  rig.start_gateway_unbound();
  // Each failed bind is one log line naming the carrier and the reason; the second shows the retry.
  const std::vector<std::string> line{"viettel bind #1", reason};
  for (int i = 0; i < 100 && lines_with(rig.gateway_log, line) < 2; ++i) std::this_thread::sleep_for(100ms);
  INFO("gateway log: ", rig.gateway_log);
  CHECK(lines_with(rig.gateway_log, line) >= 2);
  const auto [health_status, health] = rig.call(verb::get, "/healthz");
  CHECK(health_status == 200);
  CHECK(health.at("carriers").at("viettel").at("bound") == false);
  CHECK(health.at("carriers").at("vinaphone").at("bound") == true);

  const auto numbers = test::test_numbers(10);  // 5 for viettel, 5 for vinaphone
  rig.import(csv_for(numbers));
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Khong qua TLS sai"}});
  const auto s = rig.wait_for(id, "delivered", 5);
  INFO(json::serialize(s));
  CHECK(field(s, "delivered") == 5);
  std::this_thread::sleep_for(500ms);
  const auto got = rig.accepted("Khong qua TLS sai");
  CHECK(got.messages == 5);
  for (const auto& [number, count] : got.by_number) CHECK(number.starts_with("8491"));  // vinaphone only
  const auto by_carrier = rig.status(id).at("by_carrier").as_object();
  if (const auto* viettel = by_carrier.if_contains("viettel"))
    CHECK(field(viettel->as_object(), "submitted") <= 0);  // absent or 0

  const auto r = test::loa_cli(rig, {"--json", "carrier", "check", "viettel", "--timeout", "5"});
  CHECK(r.exit == 3);
  const auto v = json::parse(r.out);
  CHECK(v.at("bound") == false);
  CHECK(std::string(v.at("error").as_string()).find(reason) != std::string::npos);
}

TEST_CASE("tls: loa-smsc-sim refuses a --tls-cert that is no certificate, and one without its key") {
  const auto err_path = test::temp_path("loa-sim-stderr");
  auto run_sim = [&](const std::vector<std::string>& args) {
    test::child_process p(test::smsc_sim_path(), args, err_path);
    while (p.read_line(10s)) {
    }
    return p.stop(0, 10s);
  };
  CHECK(run_sim({"--port", "0", "--tls-cert", certs().server_key(), "--tls-key", certs().server_key()}) == 1);
  std::ifstream err(err_path);
  const std::string said(std::istreambuf_iterator<char>(err), {});
  CHECK(said.find("--tls-cert " + certs().server_key() + ": cannot load") != std::string::npos);
  CHECK(run_sim({"--port", "0", "--tls-cert", certs().server_cert()}) == 1);
  std::remove(err_path.c_str());
}
