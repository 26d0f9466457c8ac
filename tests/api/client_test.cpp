// gateway/api/client.hpp: how --server is read (plain http as before, https, IPv6, other schemes refused).
#include "gateway/api/client.hpp"

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
