// The subscriber store against a real redis-server (tests/fixtures).
#include "gateway/store/subscriber_store.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <optional>

#include "tests/fixtures/redis_server.hpp"

using namespace loa;
namespace asio = boost::asio;

namespace {

// A redis-server, a running connection and a store; run() drives one coroutine to its end.
struct store_fixture {
  test::redis_server server;
  asio::io_context io;
  redis::connection connection;
  broadcast::subscriber_store store{connection};

  store_fixture() : connection(io.get_executor(), settings_for(server.port())) {
    connection.async_run([](std::error_code) {});
  }
  ~store_fixture() {
    connection.cancel();
    io.run_for(std::chrono::seconds(1));
  }
  static redis::settings settings_for(std::uint16_t port) {
    redis::settings s;
    s.port = port;
    return s;
  }
  template <class T>
  T run(asio::awaitable<T> work) {
    std::optional<T> result;
    asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
      if (e) std::rethrow_exception(e);
      result = std::move(value);
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!result && std::chrono::steady_clock::now() < deadline)
      io.run_one_for(std::chrono::milliseconds(50));
    REQUIRE(result);
    return std::move(*result);
  }
};

broadcast::subscriber_row row(std::size_t line, std::string phone, std::string name,
                              std::vector<std::string> groups) {
  return {line, std::move(phone), std::move(name), std::move(groups), false};
}

}  // namespace

TEST_CASE("store: an import counts new, updated and duplicate rows, and keeps group sizes") {
  store_fixture f;
  broadcast::import_counts counts;
  const std::vector<broadcast::subscriber_row> first = {
      row(2, "84912345678", "Nguyễn Văn An", {"ho-gia-dinh"}),
      row(3, "84987654321", "Trần Thị Bình", {"ho-gia-dinh", "nguoi-cao-tuoi"}),
      row(4, "84912345678", "", {"to-5"}),  // the same number again in this file
  };
  REQUIRE_FALSE(f.run(f.store.import_batch("long-thuy", first, {"to-5"}, "import:1", counts)));
  CHECK(counts.imported == 2);
  CHECK(counts.updated == 0);
  CHECK(counts.duplicates == 1);

  std::uint64_t n = 0;
  REQUIRE_FALSE(f.run(f.store.count("long-thuy", "", n)));
  CHECK(n == 2);
  std::map<std::string, std::uint64_t> groups;
  REQUIRE_FALSE(f.run(f.store.groups("long-thuy", groups)));
  CHECK(groups ==
        std::map<std::string, std::uint64_t>{{"ho-gia-dinh", 2}, {"nguoi-cao-tuoi", 1}, {"to-5", 2}});

  broadcast::subscriber_record r;
  bool found = false;
  REQUIRE_FALSE(f.run(f.store.get("long-thuy", "84912345678", r, found)));
  REQUIRE(found);
  CHECK(r.name == "Nguyễn Văn An");  // an empty name does not erase a known one
  CHECK(r.groups == std::vector<std::string>{"ho-gia-dinh", "to-5"});
  CHECK(r.consent_source == "import:1");

  // A second import of the same number updates it; other wards are untouched.
  broadcast::import_counts again;
  REQUIRE_FALSE(f.run(
      f.store.import_batch("long-thuy", {row(2, "84912345678", "An", {"dan-quan"})}, {}, "import:2", again)));
  CHECK(again.imported == 0);
  CHECK(again.updated == 1);
  REQUIRE_FALSE(f.run(f.store.count("long-thuy", "dan-quan", n)));
  CHECK(n == 1);
  REQUIRE_FALSE(f.run(f.store.count("an-phu", "", n)));
  CHECK(n == 0);
}

TEST_CASE("store: removing groups or the whole subscriber keeps the counts right") {
  store_fixture f;
  broadcast::import_counts counts;
  REQUIRE_FALSE(f.run(f.store.import_batch(
      "long-thuy", {row(1, "84912345678", "A", {"g1", "g2"}), row(2, "84987654321", "B", {"g1"})}, {},
      "import:1", counts)));
  bool removed = false;
  REQUIRE_FALSE(f.run(f.store.remove("long-thuy", "84912345678", {"g2"}, removed)));
  CHECK(removed);
  std::map<std::string, std::uint64_t> groups;
  REQUIRE_FALSE(f.run(f.store.groups("long-thuy", groups)));
  CHECK(groups == std::map<std::string, std::uint64_t>{{"g1", 2}});
  REQUIRE_FALSE(f.run(f.store.remove("long-thuy", "84987654321", {}, removed)));
  CHECK(removed);
  REQUIRE_FALSE(f.run(f.store.remove("long-thuy", "84987654321", {}, removed)));
  CHECK_FALSE(removed);
  std::uint64_t n = 0;
  REQUIRE_FALSE(f.run(f.store.count("long-thuy", "", n)));
  CHECK(n == 1);
}

TEST_CASE("store: opt-out is global and survives forget as a hash") {
  store_fixture f;
  broadcast::import_counts counts;
  for (const char* ward : {"long-thuy", "an-phu"})
    REQUIRE_FALSE(
        f.run(f.store.import_batch(ward, {row(1, "84912345678", "A", {"g"})}, {}, "import:1", counts)));
  REQUIRE_FALSE(f.run(f.store.set_opt_out("84912345678", true, "sms:HUY")));
  bool out = false;
  REQUIRE_FALSE(f.run(f.store.is_opted_out("84912345678", out)));
  CHECK(out);

  broadcast::number_change forgotten;
  REQUIRE_FALSE(f.run(f.store.forget("84912345678", {true, {}}, forgotten)));
  CHECK(forgotten.allowed);
  CHECK(forgotten.wards == std::vector<std::string>{"an-phu", "long-thuy"});
  bool found = true;
  broadcast::subscriber_record r;
  REQUIRE_FALSE(f.run(f.store.get("an-phu", "84912345678", r, found)));
  CHECK_FALSE(found);
  CHECK(f.server.command({"HEXISTS", "loa:optout", "84912345678"}) == "0");  // the number itself is gone
  REQUIRE_FALSE(f.run(f.store.is_opted_out("84912345678", out)));
  CHECK(out);  // but a re-import cannot make it receive notices again

  REQUIRE_FALSE(f.run(f.store.set_opt_out("84912345678", false, "sms:DK")));
  REQUIRE_FALSE(f.run(f.store.is_opted_out("84912345678", out)));
  CHECK_FALSE(out);
}

TEST_CASE("store: ported numbers are shared through Redis, and forgotten with the rest") {
  store_fixture f;
  REQUIRE_FALSE(f.run(f.store.set_ported("84961234567", "vinaphone")));
  std::map<std::string, std::string> ported;
  REQUIRE_FALSE(f.run(f.store.ported(ported)));
  CHECK(ported == std::map<std::string, std::string>{{"84961234567", "vinaphone"}});
  broadcast::number_change forgotten;
  REQUIRE_FALSE(f.run(f.store.forget("84961234567", {true, {}}, forgotten)));
  CHECK(forgotten.allowed);  // no ward held it, but its port record was something to forget
  CHECK(forgotten.wards.empty());
  ported.clear();
  REQUIRE_FALSE(f.run(f.store.ported(ported)));
  CHECK(ported.empty());
}

TEST_CASE("store: a ward's forget and opt-out reach only numbers its wards hold") {
  store_fixture f;
  broadcast::import_counts counts;
  for (const char* ward : {"long-thuy", "an-phu"})
    REQUIRE_FALSE(
        f.run(f.store.import_batch(ward, {row(1, "84912345678", "A", {"g"})}, {}, "import:1", counts)));
  REQUIRE_FALSE(
      f.run(f.store.import_batch("long-thuy", {row(2, "84987654321", "B", {"g"})}, {}, "import:1", counts)));
  const broadcast::ward_scope an_phu{false, {"an-phu", "other"}};

  broadcast::number_change change;
  REQUIRE_FALSE(f.run(f.store.set_opt_out("84987654321", true, "api:x", an_phu, change)));
  CHECK_FALSE(change.allowed);  // long-thuy's alone
  bool out = true;
  REQUIRE_FALSE(f.run(f.store.is_opted_out("84987654321", out)));
  CHECK_FALSE(out);
  REQUIRE_FALSE(f.run(f.store.set_opt_out("84912345678", true, "api:x", an_phu, change)));
  CHECK(change.allowed);
  CHECK(change.wards == std::vector<std::string>{"an-phu", "long-thuy"});  // global: both wards' trails

  REQUIRE_FALSE(f.run(f.store.forget("84987654321", an_phu, change)));
  CHECK_FALSE(change.allowed);
  REQUIRE_FALSE(f.run(f.store.forget("84912345678", an_phu, change)));
  CHECK(change.allowed);
  CHECK(change.wards == std::vector<std::string>{"an-phu"});
  bool found = false;
  broadcast::subscriber_record r;
  REQUIRE_FALSE(f.run(f.store.get("long-thuy", "84912345678", r, found)));
  CHECK(found);
  REQUIRE_FALSE(f.run(f.store.get("an-phu", "84912345678", r, found)));
  CHECK_FALSE(found);
  std::uint64_t n = 9;
  REQUIRE_FALSE(f.run(f.store.count("an-phu", "g", n)));
  CHECK(n == 0);
  REQUIRE_FALSE(f.run(f.store.is_opted_out("84912345678", out)));
  CHECK(out);  // long-thuy still holds it: the opt-out stays
  CHECK(f.server.command({"HEXISTS", "loa:optout", "84912345678"}) == "1");
  REQUIRE_FALSE(f.run(f.store.forget("84912345678", an_phu, change)));
  CHECK_FALSE(change.allowed);  // gone from an-phu: out of its reach now
}

TEST_CASE("store: record values round-trip") {
  broadcast::subscriber_record r{"", "Lê Thị C", {"a", "b"}, "1763800000", "api:hoa"};
  const auto back = broadcast::decode_record(broadcast::encode_record(r));
  CHECK(back.name == r.name);
  CHECK(back.groups == r.groups);
  CHECK(back.consent_time == r.consent_time);
  CHECK(back.consent_source == r.consent_source);
}

TEST_CASE("store: Redis going away gives a clear error, once back, nothing acknowledged is lost") {
  test::redis_server_options options;
  options.append_only = true;
  test::redis_server server(options);
  asio::io_context io;
  redis::settings s;
  s.port = server.port();
  s.request_timeout = std::chrono::milliseconds(500);
  s.backoff = {std::chrono::milliseconds(50), 2.0, std::chrono::milliseconds(200), 0.0};
  redis::connection connection(io.get_executor(), s);
  connection.async_run([](std::error_code) {});
  broadcast::subscriber_store store(connection);
  auto run = [&](asio::awaitable<std::error_code> work) {
    std::optional<std::error_code> result;
    asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, std::error_code ec) {
      if (e) std::rethrow_exception(e);
      result = ec;
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!result && std::chrono::steady_clock::now() < deadline)
      io.run_one_for(std::chrono::milliseconds(50));
    REQUIRE(result);
    return *result;
  };

  broadcast::import_counts counts;
  REQUIRE_FALSE(
      run(store.import_batch("long-thuy", {row(1, "84912345678", "A", {"g"})}, {}, "import:1", counts)));
  server.kill();
  const auto failed =
      run(store.import_batch("long-thuy", {row(2, "84987654321", "B", {"g"})}, {}, "import:1", counts));
  CHECK(failed);  // the caller is told (the API answers 503, the CLI exits 3): nothing is silently dropped
  server.restart();
  std::uint64_t n = 0;
  REQUIRE_FALSE(run(store.count("long-thuy", "", n)));
  CHECK(n == 1);  // what was acknowledged before the crash is there
  REQUIRE_FALSE(
      run(store.import_batch("long-thuy", {row(2, "84987654321", "B", {"g"})}, {}, "import:1", counts)));
  REQUIRE_FALSE(run(store.count("long-thuy", "g", n)));
  CHECK(n == 2);
  connection.cancel();
  io.run_for(std::chrono::milliseconds(200));
}
