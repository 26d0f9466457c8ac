// gateway/api/client.hpp: how --server is read (plain http as before, https, IPv6, other schemes refused).
#include "gateway/api/client.hpp"
#include "gateway/common/tls.hpp"

#include <doctest/doctest.h>

using loa::api::parse_server;

TEST_CASE("client: --server forms without a scheme or with http:// keep meaning plain HTTP") {
  auto a = parse_server("127.0.0.1:8787");
  REQUIRE(a);
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == "8787");
  CHECK_FALSE(a->tls);
  a = parse_server("http://gateway.tinh.vn:8080/ignored/path");
  REQUIRE(a);
  CHECK(a->host == "gateway.tinh.vn");
  CHECK(a->port == "8080");
  CHECK_FALSE(a->tls);
  a = parse_server("http://localhost");
  REQUIRE(a);
  CHECK(a->port == "80");
}

TEST_CASE("client: https:// is TLS, port 443 unless given, and never read as a host name") {
  auto a = parse_server("https://gateway.tinh.vn");
  REQUIRE(a);
  CHECK(a->host == "gateway.tinh.vn");
  CHECK(a->port == "443");
  CHECK(a->tls);
  a = parse_server("https://127.0.0.1:8443/");
  REQUIRE(a);
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == "8443");
  CHECK(a->tls);
  a = parse_server("https://[::1]:8443");
  REQUIRE(a);
  CHECK(a->host == "::1");
  CHECK(a->port == "8443");
  a = parse_server("https://[::1]");
  REQUIRE(a);
  CHECK(a->host == "::1");
  CHECK(a->port == "443");
}

TEST_CASE("client: other schemes and empty hosts are refused") {
  CHECK_FALSE(parse_server("ftp://127.0.0.1:21"));
  CHECK_FALSE(parse_server("redis://127.0.0.1:6379"));
  CHECK_FALSE(parse_server("https://"));
  CHECK_FALSE(parse_server("https://:8443"));
  CHECK_FALSE(parse_server("127.0.0.1:"));
}

TEST_CASE("client: a token over plain HTTP goes to loopback only, elsewhere it is refused before connecting") {
  using loa::api::client;
  CHECK(client("http://192.0.2.1:8787", "secret").refuse_in_clear() == loa::tls::error::token_in_clear);
  CHECK(client("gateway.tinh.vn:8787", "secret").refuse_in_clear() == loa::tls::error::token_in_clear);
  CHECK(client("http://[2001:db8::1]:8787", "secret").refuse_in_clear() == loa::tls::error::token_in_clear);
  CHECK_FALSE(client("http://127.0.0.1:8787", "secret").refuse_in_clear());
  CHECK_FALSE(client("http://127.0.0.2:8787", "secret").refuse_in_clear());
  CHECK_FALSE(client("http://[::1]:8787", "secret").refuse_in_clear());
  CHECK_FALSE(client("localhost:8787", "secret").refuse_in_clear());
  CHECK_FALSE(client("https://gateway.tinh.vn", "secret").refuse_in_clear());
  CHECK_FALSE(client("http://192.0.2.1:8787", "").refuse_in_clear());  // no token, nothing to leak
  CHECK(client("ftp://127.0.0.1", "secret").refuse_in_clear() == std::errc::invalid_argument);
}
