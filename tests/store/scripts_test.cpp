// Every script of gateway/store/lua: Redis compiles it and computes the SHA1 embedded at build time (the
// hash EVALSHA sends), and no include line is left in its text.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "gateway/store/scripts.hpp"
#include "tests/fixtures/redis_server.hpp"

using namespace loa;

TEST_CASE("every store script loads and Redis agrees with its embedded SHA1") {
  test::redis_server server;
  std::set<std::string_view> names;
  for (const auto* s : store::scripts::all) {
    CAPTURE(s->name);
    CHECK(names.insert(s->name).second);
    CHECK(s->sha1.size() == 40);
    CHECK(s->text.find("--! include") == std::string_view::npos);
    CHECK(server.command({"SCRIPT", "LOAD", std::string(s->text)}) == s->sha1);
  }
  CHECK_FALSE(names.empty());
}
