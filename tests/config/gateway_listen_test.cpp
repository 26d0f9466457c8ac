// config/config.hpp, the gateway section: HTTPS files, the loopback rule, the HTTP listener's limits.
#include "config/config.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace loa::config;
using namespace std::chrono_literals;

namespace {

const env_lookup no_env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };

// Lines 1-6: a valid file with one carrier; the gateway section starts on line 7.
constexpr std::string_view head =
    "sender: LongThuy\ncarriers:\n  - name: viettel\n    host: 127.0.0.1\n    port: 2775\n    system_id: "
    "loa\n";

std::string error_of(const std::string& gateway_section) {
  try {
    parse_config(std::string(head) + gateway_section, "t.yaml", no_env);
  } catch (const config_error& e) {
    return e.what();
  }
  return "no error";
}

// Two readable PEM-named files (the loader checks that they open, not what they hold) and a directory.
struct tls_dir {
  // One directory per process: ctest runs the cases of this file in parallel.
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("loa-config-tls-test-" + std::to_string(::getpid()));
  tls_dir() {
    std::filesystem::create_directories(dir / "sub");
    std::ofstream(dir / "cert.pem") << "cert";
    std::ofstream(dir / "key.pem") << "key";
  }
  ~tls_dir() { std::filesystem::remove_all(dir); }
  std::string path(const std::string& name) const { return (dir / name).string(); }
};

}  // namespace

TEST_CASE("gateway: without the new keys, plain HTTP on loopback with the default limits") {
  const auto c = parse_config(std::string(head), "t.yaml", no_env);
  CHECK_FALSE(c.gateway.tls);
  CHECK(c.gateway.http.max_connections == 512);
  CHECK(c.gateway.http.max_connections_per_address == 64);
  CHECK(c.gateway.http.header_timeout == 10s);
  CHECK(c.gateway.http.body_min_bytes_per_s == 8192);
  CHECK(c.gateway.http.max_import_bytes == 256u << 20);
}

TEST_CASE("gateway.listen beyond loopback without TLS is refused, naming the line and the way out") {
  for (const std::string host : {"0.0.0.0", "10.1.0.5", "[::]", "gw.tinh.gov.vn"}) {
    INFO(host);
    const auto error = error_of("gateway:\n  listen: \"" + host + ":8787\"\n");
    CHECK(error.starts_with("t.yaml:8: gateway.listen: "));
    CHECK(error.find("is not a loopback address, and gateway.tls is not set") != std::string::npos);
    CHECK(error.find("listen on 127.0.0.1 behind a reverse proxy") != std::string::npos);
  }
  for (const std::string host : {"127.0.0.1", "127.0.0.2", "[::1]", "localhost"}) {
    INFO(host);
    CHECK(error_of("gateway:\n  listen: \"" + host + ":8787\"\n") == "no error");
  }
}

TEST_CASE("gateway.tls: both files are read at start, and then beyond loopback is allowed") {
  tls_dir files;
  const auto c = parse_config(std::string(head) + "gateway:\n  listen: 0.0.0.0:8443\n  tls: {cert: " +
                                  files.path("cert.pem") + ", key: " + files.path("key.pem") + "}\n",
                              "t.yaml", no_env);
  REQUIRE(c.gateway.tls);
  CHECK(c.gateway.tls->cert == files.path("cert.pem"));
  CHECK(c.gateway.tls->key == files.path("key.pem"));
  CHECK(c.gateway.listen.host == "0.0.0.0");
}

TEST_CASE("gateway.tls: a missing or unreadable file is refused naming it") {
  tls_dir files;
  CHECK(error_of("gateway:\n  tls:\n    cert: " + files.path("none.pem") +
                 "\n    key: " + files.path("key.pem") + "\n") ==
        "t.yaml:9: gateway.tls.cert: cannot read " + files.path("none.pem") + ": No such file or directory");
  CHECK(error_of("gateway:\n  tls:\n    cert: " + files.path("cert.pem") + "\n    key: " + files.path("sub") +
                 "\n") == "t.yaml:10: gateway.tls.key: " + files.path("sub") + " is a directory, not a file");
  CHECK(error_of("gateway:\n  tls:\n    cert: " + files.path("cert.pem") + "\n") ==
        "t.yaml:8: gateway.tls: missing required key 'key'");
  CHECK(error_of("gateway:\n  tls: {cert: a.pem, key: b.pem, ca: c.pem}\n") ==
        "t.yaml:8: gateway.tls: unknown key 'ca'; allowed: cert, key");
}

TEST_CASE("gateway: connection caps, header deadline, body pace and import size") {
  const auto c = parse_config(std::string(head) +
                                  "gateway:\n  max_connections: 100\n  max_connections_per_address: 5\n"
                                  "  header_timeout_s: 3\n  body_min_bytes_per_s: 1000\n  max_import_mb: 2\n",
                              "t.yaml", no_env);
  CHECK(c.gateway.http.max_connections == 100);
  CHECK(c.gateway.http.max_connections_per_address == 5);
  CHECK(c.gateway.http.header_timeout == 3s);
  CHECK(c.gateway.http.body_min_bytes_per_s == 1000);
  CHECK(c.gateway.http.max_import_bytes == 2u << 20);
  CHECK(error_of("gateway:\n  max_connections: 0\n") ==
        "t.yaml:8: gateway.max_connections: 0 is out of range 1..1000000");
  CHECK(error_of("gateway:\n  header_timeout_s: 0\n") ==
        "t.yaml:8: gateway.header_timeout_s: 0 is out of range 1..3600");
}
