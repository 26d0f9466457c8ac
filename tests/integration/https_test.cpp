// The API over HTTPS (gateway.tls) against the real `loa gateway`, with certificates the test makes
// (tests/fixtures/test_certs.hpp); and the configurations the gateway refuses to start with.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <chrono>
#include <fstream>
#include <string>

#include "gateway/api/client.hpp"
#include "tests/fixtures/redis_server.hpp"
#include "tests/fixtures/test_certs.hpp"
#include "tests/integration/broadcast_rig.hpp"
#include "tests/integration/fixtures/raw_client.hpp"

using namespace loa;
using boost::beast::http::verb;
using namespace std::chrono_literals;

namespace {

// A configuration that is valid but for what `gateway` (the lines under gateway:) says.
std::string config_with(const std::string& gateway) {
  const auto path = test::temp_path("loa-https-config") + ".yaml";
  std::ofstream(path)
      << "gateway:\n"
      << gateway << "redis:\n  url: redis://127.0.0.1:" << test::free_port() << "/0\n"
      << "sender: \"UBND LThuy\"\ncarriers:\n  - name: viettel\n    host: 127.0.0.1\n    port: "
      << test::free_port() << "\n    system_id: loa\n";
  return path;
}

}  // namespace

TEST_CASE("https: an operator's token works over TLS, and plain HTTP to the HTTPS port learns nothing") {
  test::test_certs certs;
  test::rig_options options;
  options.tls_cert = certs.server_cert();
  options.tls_key = certs.server_key();
  options.tls_ca = certs.ca_cert();
  test::broadcast_rig rig(options);
  rig.start_gateway();  // every call of the rig goes over HTTPS, the certificate checked against the CA
  REQUIRE(rig.server_url().starts_with("https://"));

  // A streaming body (the CSV import) and JSON answers, through TLS.
  rig.import("phone\n0912345678\n0912345679\n0912345680\n");
  auto [status, body] = rig.call(verb::get, "/v1/wards/long-thuy/subscribers/count");
  CHECK(status == 200);
  CHECK(body.at("count") == 3);
  CHECK(rig.call_as("", verb::get, "/v1/wards/long-thuy/subscribers/count").first == 401);
  // A client that does not trust the gateway's CA refuses the connection before its token leaves.
  api::client distrustful(rig.server_url(), "demo-token-hoa", 10s, certs.self_signed_cert());
  api::reply refused;
  CHECK(distrustful.call(verb::get, "/healthz", "", "", refused));

  // Plain HTTP with a valid token to the HTTPS port: no HTTP answer, nothing of the API, then the close.
  test::raw_client plain(rig.http_port);
  plain.send(test::request_head("GET", "/v1/wards/long-thuy/subscribers/count", "demo-token-hoa"));
  const auto answer = plain.read_reply(5s);
  CHECK(answer.find("HTTP/1.1") == std::string::npos);
  CHECK(answer.find("count") == std::string::npos);
  CHECK(answer.find("long-thuy") == std::string::npos);
  CHECK(plain.closed_within(5s));
  CHECK(rig.call(verb::get, "/healthz").first == 200);
}

TEST_CASE(
    "https: loa status --server https://... against the gateway, and loa's default follows gateway.tls") {
  test::test_certs certs;
  test::rig_options options;
  options.tls_cert = certs.server_cert();
  options.tls_key = certs.server_key();
  options.tls_ca = certs.ca_cert();
  test::broadcast_rig rig(options);
  rig.start_gateway();
  rig.import("phone,name,groups\n0961000001,A,to-1\n0911000002,B,to-1\n");
  const auto id =
      rig.send({{"groups", boost::json::array{"to-1"}}, {"text", "Hop to dan pho 19h thu Sau. HTTPS test."}});

  const auto status =
      test::loa_cli(rig, {"status", id, "--server", rig.server_url(), "--cacert", certs.ca_cert(), "--json"});
  INFO(status.err);
  CHECK(status.exit == 0);
  CHECK(boost::json::parse(status.out).at("id").as_string() == id);
  // Without --server, loa reads gateway.listen and gateway.tls from the configuration: https.
  const auto count = test::loa_cli(
      rig, {"subscribers", "count", "--ward", "long-thuy", "--cacert", certs.ca_cert(), "--json"});
  INFO(count.err);
  CHECK(count.exit == 0);
  CHECK(boost::json::parse(count.out).at("count") == 2);
  // Plain http:// to the HTTPS port is unreachable (exit 3), and nothing is answered.
  const auto plain = test::loa_cli(
      rig, {"status", id, "--server", "http://127.0.0.1:" + std::to_string(rig.http_port), "--json"});
  CHECK(plain.exit == 3);
}

TEST_CASE(
    "https: the gateway refuses to start beyond loopback without TLS, or with TLS files it cannot use") {
  test::test_certs certs;
  const std::string listen = "  listen: 127.0.0.1:" + std::to_string(test::free_port()) + "\n";
  // Exit 1 and a message that says what and where, never an uncaught exception.
  auto check_refused = [](const std::string& config, const std::string& expected) {
    const auto [code, err] = test::run_gateway(config);
    INFO(err);
    CHECK(code == 1);
    CHECK(err.find(expected) != std::string::npos);
    CHECK(err.find("terminate called") == std::string::npos);
  };
  SUBCASE("listen on every address in clear") {
    const auto config = config_with("  listen: 0.0.0.0:8787\n");
    check_refused(
        config, config + ":2: gateway.listen: 0.0.0.0 is not a loopback address, and gateway.tls is not set");
  }
  SUBCASE("a certificate file that does not exist") {
    const auto config = config_with(
        "  listen: 0.0.0.0:8787\n  tls: {cert: /nonexistent/cert.pem, key: " + certs.server_key() + "}\n");
    check_refused(
        config,
        config + ":3: gateway.tls.cert: cannot read /nonexistent/cert.pem: No such file or directory");
  }
  SUBCASE("a certificate file that holds no certificate") {
    const auto garbage = test::temp_path("loa-not-a-cert") + ".pem";
    std::ofstream(garbage) << "not a certificate\n";
    check_refused(config_with(listen + "  tls: {cert: " + garbage + ", key: " + certs.server_key() + "}\n"),
                  "gateway.tls.cert: " + garbage + " is not a usable PEM certificate chain");
    std::remove(garbage.c_str());
  }
  SUBCASE("a key that is not the certificate's") {
    check_refused(config_with(listen + "  tls: {cert: " + certs.server_cert() +
                              ", key: " + certs.wrong_host_key() + "}\n"),
                  "gateway.tls.key: " + certs.wrong_host_key() + " is not a usable PEM private key for " +
                      certs.server_cert());
  }
}
