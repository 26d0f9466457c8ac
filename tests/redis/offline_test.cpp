// The connection's error paths that need no Redis: nothing listening, a peer that never answers, a peer that
// answers garbage, a full queue, bad requests. The fake peers are Asio acceptors on 127.0.0.1:0 in the test.
#include <doctest/doctest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <list>
#include <string>

#include "gateway/redis/connection.hpp"
#include "tests/fixtures/redis_server.hpp"
#include "tests/redis/support.hpp"

using namespace loa;
using namespace std::chrono_literals;
using boost::asio::ip::tcp;

namespace {

// Accepts connections and keeps them open; with `answer` set, writes it after the first bytes arrive.
class fake_peer {
 public:
  fake_peer(boost::asio::io_context& ioc, std::string answer)
      : acceptor_(ioc, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)),
        answer_(std::move(answer)) {
    accept();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int accepted() const { return accepted_; }

 private:
  void accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket s) {
      if (ec) return;
      ++accepted_;
      sockets_.push_back(std::move(s));
      if (!answer_.empty()) read(sockets_.back());
      accept();
    });
  }
  void read(tcp::socket& s) {
    s.async_read_some(boost::asio::buffer(buffer_),
                      [this, &s](const boost::system::error_code& ec, std::size_t) {
                        if (ec) return;
                        boost::asio::async_write(s, boost::asio::buffer(answer_),
                                                 [](const boost::system::error_code&, std::size_t) {});
                      });
  }

  tcp::acceptor acceptor_;
  std::string answer_;
  std::list<tcp::socket> sockets_;
  char buffer_[1024];
  int accepted_ = 0;
};

}  // namespace

TEST_CASE(
    "nothing listening: attempts fail with connect_failed until max_connect_attempts, waiting requests too") {
  boost::asio::io_context ioc;
  auto s = test::quick_settings(test::free_port());
  s.max_connect_attempts = 3;
  s.backoff.initial = 10ms;
  std::vector<redis::state_change> changes;
  redis::connection conn(ioc.get_executor(), s);
  conn.set_observer([&](const redis::state_change& c) { changes.push_back(c); });
  bool run_done = false;
  std::error_code run_ec;
  conn.async_run([&](std::error_code ec) {
    run_done = true;
    run_ec = ec;
  });
  auto o = test::start(conn, redis::request{"PING"});
  REQUIRE(test::run_until(ioc, [&] { return run_done && o->done; }));
  CHECK(run_ec == redis::error::connect_failed);
  CHECK(o->ec == redis::error::connect_failed);
  CHECK(conn.last_error() == redis::error::connect_failed);
  CHECK_FALSE(conn.last_error_detail().empty());
  CHECK(conn.current_state() == redis::state::stopped);
  CHECK(conn.connects() == 0);
  test::run_for(ioc, 50ms);  // observer calls are posted
  int retries = 0;
  for (const auto& c : changes)
    if (c.now == redis::state::waiting_to_retry) ++retries;
  CHECK(retries == 2);
  REQUIRE_FALSE(changes.empty());
  CHECK(changes.back().now == redis::state::stopped);
}

TEST_CASE("a peer that accepts but never answers: connect_timeout bounds connect plus handshake") {
  boost::asio::io_context ioc;
  fake_peer silent(ioc, "");
  auto s = test::quick_settings(silent.port());
  s.connect_timeout = 200ms;
  s.max_connect_attempts = 2;
  s.backoff.initial = 10ms;
  redis::connection conn(ioc.get_executor(), s);
  bool run_done = false;
  std::error_code run_ec;
  conn.async_run([&](std::error_code ec) {
    run_done = true;
    run_ec = ec;
  });
  REQUIRE(test::run_until(ioc, [&] { return run_done; }));
  CHECK(run_ec == redis::error::connect_failed);
  CHECK(silent.accepted() == 2);
  CHECK(conn.last_error_detail().find("connect_timeout") != std::string::npos);
}

TEST_CASE("a peer that answers garbage: protocol error, the connection is dropped and retried") {
  boost::asio::io_context ioc;
  fake_peer garbage(ioc, "!this is not RESP\r\n");
  auto s = test::quick_settings(garbage.port());
  s.max_connect_attempts = 2;
  s.backoff.initial = 10ms;
  redis::connection conn(ioc.get_executor(), s);
  bool run_done = false;
  std::error_code run_ec;
  conn.async_run([&](std::error_code ec) {
    run_done = true;
    run_ec = ec;
  });
  REQUIRE(test::run_until(ioc, [&] { return run_done; }));
  CHECK(run_ec == redis::error::protocol);
  CHECK(conn.last_error() == redis::error::protocol);
  CHECK(conn.last_error_detail().find("Protocol error") != std::string::npos);
  CHECK(garbage.accepted() == 2);
}

TEST_CASE("waiting requests are bounded: queue_full beyond max_queued, then each times out") {
  boost::asio::io_context ioc;
  auto s = test::quick_settings(test::free_port());
  s.max_queued = 2;
  s.request_timeout = 100ms;
  redis::connection conn(ioc.get_executor(), s);  // never run: every request waits
  auto a = test::start(conn, redis::request{"PING"});
  auto b = test::start(conn, redis::request{"PING"});
  auto c = test::start(conn, redis::request{"PING"});
  CHECK(conn.queued() == 2);
  REQUIRE(test::run_until(ioc, [&] { return a->done && b->done && c->done; }));
  CHECK(c->ec == redis::error::queue_full);
  CHECK(a->ec == redis::error::timeout);
  CHECK(b->ec == redis::error::timeout);
  CHECK(conn.queued() == 0);
  // The slots are free again.
  auto d = test::start(conn, redis::request{"PING"});
  CHECK(conn.queued() == 1);
  REQUIRE(test::run_until(ioc, [&] { return d->done; }));
  CHECK(d->ec == redis::error::timeout);
}

TEST_CASE("bad requests fail at once, but never inline") {
  boost::asio::io_context ioc;
  redis::connection conn(ioc.get_executor(), test::quick_settings(test::free_port()));
  auto empty = test::start(conn, redis::request{});
  redis::request nameless;
  nameless.push("");
  auto no_name = test::start(conn, std::move(nameless));
  auto sub = test::start(conn, redis::request{"subscribe", "news"});
  auto mon = test::start(conn, redis::request{"MONITOR"});
  CHECK_FALSE(empty->done);  // completion goes through the executor
  REQUIRE(test::run_until(ioc, [&] { return empty->done && no_name->done && sub->done && mon->done; }));
  CHECK(empty->ec == redis::error::empty_request);
  CHECK(no_name->ec == redis::error::empty_request);
  CHECK(sub->ec == redis::error::unsupported_command);
  CHECK(mon->ec == redis::error::unsupported_command);
  CHECK(conn.queued() == 0);
}

TEST_CASE("a second async_run completes with already_running - cancel() ends the first with stopped") {
  boost::asio::io_context ioc;
  auto s = test::quick_settings(test::free_port());
  redis::connection conn(ioc.get_executor(), s);
  std::error_code first_ec, second_ec;
  bool first_done = false, second_done = false;
  conn.async_run([&](std::error_code ec) {
    first_done = true;
    first_ec = ec;
  });
  conn.async_run([&](std::error_code ec) {
    second_done = true;
    second_ec = ec;
  });
  REQUIRE(test::run_until(ioc, [&] { return second_done; }));
  CHECK(second_ec == redis::error::already_running);
  CHECK_FALSE(first_done);
  redis::request req{"PING"};
  req.timeout = std::chrono::milliseconds(0);  // no timeout: only cancel() ends it
  auto waiting = test::start(conn, std::move(req));
  conn.cancel();
  REQUIRE(test::run_until(ioc, [&] { return first_done && waiting->done; }));
  CHECK(first_ec == redis::error::stopped);
  CHECK(waiting->ec == redis::error::stopped);
  CHECK(conn.current_state() == redis::state::stopped);
}

TEST_CASE("destroying the connection completes its waiting requests with stopped") {
  boost::asio::io_context ioc;
  std::shared_ptr<test::outcome> o;
  bool run_done = false;
  std::error_code run_ec;
  {
    redis::connection conn(ioc.get_executor(), test::quick_settings(test::free_port()));
    conn.async_run([&](std::error_code ec) {
      run_done = true;
      run_ec = ec;
    });
    redis::request req{"PING"};
    req.timeout = std::chrono::milliseconds(0);
    o = test::start(conn, std::move(req));
    test::run_for(ioc, 20ms);
  }
  REQUIRE(test::run_until(ioc, [&] { return o->done && run_done; }));
  CHECK(o->ec == redis::error::stopped);
  CHECK(run_ec == redis::error::stopped);
}

TEST_CASE("per-operation cancellation of a waiting request: any cancellation type ends it with cancelled") {
  boost::asio::io_context ioc;
  redis::connection conn(ioc.get_executor(), test::quick_settings(test::free_port()));  // never run
  for (const auto type : {boost::asio::cancellation_type::terminal, boost::asio::cancellation_type::partial,
                          boost::asio::cancellation_type::total}) {
    boost::asio::cancellation_signal signal;
    bool done = false;
    std::error_code result;
    redis::request req{"PING"};
    req.timeout = std::chrono::milliseconds(0);
    conn.async_exec(std::move(req), boost::asio::bind_cancellation_slot(
                                        signal.slot(), [&](std::error_code ec, redis::response) {
                                          done = true;
                                          result = ec;
                                        }));
    CHECK(conn.queued() == 1);
    signal.emit(type);
    REQUIRE(test::run_until(ioc, [&] { return done; }));
    CHECK(result == redis::error::cancelled);
    CHECK(conn.queued() == 0);
    signal.emit(boost::asio::cancellation_type::terminal);  // after completion: nothing is attached any more
    test::run_for(ioc, 10ms);
  }
}

TEST_CASE("handshake errors that a retry may fix are retried as handshake_failed, not auth_failed") {
  boost::asio::io_context ioc;
  // LOADING: Redis is reading its dataset after a restart.
  fake_peer loading(ioc, "-LOADING Redis is loading the dataset in memory\r\n");
  // A full server refuses every command of the handshake, AUTH included.
  fake_peer full(ioc, "-ERR max number of clients reached\r\n-ERR max number of clients reached\r\n");
  for (auto* peer : {&loading, &full}) {
    auto s = test::quick_settings(peer->port());
    s.max_connect_attempts = 2;
    s.backoff.initial = 10ms;
    if (peer == &full) s.password = "secret";
    redis::connection conn(ioc.get_executor(), s);
    bool run_done = false;
    std::error_code run_ec;
    conn.async_run([&](std::error_code ec) {
      run_done = true;
      run_ec = ec;
    });
    REQUIRE(test::run_until(ioc, [&] { return run_done; }));
    CHECK(run_ec == redis::error::handshake_failed);
    CHECK(peer->accepted() == 2);
    CHECK_FALSE(conn.last_error_detail().empty());
    CHECK(conn.last_error_detail().find("secret") == std::string::npos);
  }
}
