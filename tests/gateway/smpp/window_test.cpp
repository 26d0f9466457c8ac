#include "gateway/smpp/window.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using loa::smpp::session_clock;
using loa::smpp::window;

namespace {
const session_clock::time_point t0{};
}

TEST_CASE("window: fills up to its capacity and refuses more") {
  window w{2};
  CHECK(w.capacity() == 2);
  CHECK(w.empty());
  CHECK(w.free_slots() == 2);
  CHECK(w.insert(1, 100, t0, t0 + 5s));
  CHECK(w.insert(2, 200, t0, t0 + 5s));
  CHECK(w.full());
  CHECK(w.free_slots() == 0);
  CHECK_FALSE(w.insert(3, 300, t0, t0 + 5s));
  CHECK(w.size() == 2);
}

TEST_CASE("window: a capacity of 0 is taken as 1") {
  window w{0};
  CHECK(w.capacity() == 1);
  CHECK(w.insert(1, 1, t0, t0 + 1s));
  CHECK(w.full());
}

TEST_CASE("window: a sequence number in flight cannot be reused") {
  window w{4};
  CHECK(w.insert(7, 1, t0, t0 + 1s));
  CHECK(w.contains(7));
  CHECK_FALSE(w.insert(7, 2, t0, t0 + 1s));
  CHECK(w.size() == 1);
}

TEST_CASE("window: responses are matched by sequence in any order") {
  window w{3};
  w.insert(1, 10, t0, t0 + 5s);
  w.insert(2, 20, t0 + 1s, t0 + 6s);
  w.insert(3, 30, t0 + 2s, t0 + 7s);
  auto b = w.take(2);
  REQUIRE(b);
  CHECK(b->token == 20);
  CHECK(b->sent_at == t0 + 1s);
  CHECK_FALSE(w.take(2));  // answered twice: the second is unknown
  CHECK(w.take(3)->token == 30);
  CHECK(w.take(1)->token == 10);
  CHECK(w.empty());
  CHECK_FALSE(w.take(99));
}

TEST_CASE("window: expiry takes exactly the requests past their deadline, earliest first") {
  window w{4};
  w.insert(1, 10, t0, t0 + 5s);
  w.insert(2, 20, t0, t0 + 3s);
  w.insert(3, 30, t0, t0 + 9s);
  CHECK(w.next_deadline() == t0 + 3s);
  CHECK(w.take_expired(t0 + 2s).empty());
  auto gone = w.take_expired(t0 + 5s);
  REQUIRE(gone.size() == 2);
  CHECK(gone[0].token == 20);
  CHECK(gone[1].token == 10);
  CHECK(w.size() == 1);
  CHECK(w.next_deadline() == t0 + 9s);
  w.take(3);
  CHECK_FALSE(w.next_deadline());
}

TEST_CASE("window: take_all empties it in the order sent") {
  window w{4};
  w.insert(9, 90, t0 + 2s, t0 + 5s);
  w.insert(1, 10, t0, t0 + 5s);  // sequence wrapped: smaller number, sent later than 9? no: sent first
  w.insert(5, 50, t0 + 1s, t0 + 5s);
  auto all = w.take_all();
  REQUIRE(all.size() == 3);
  CHECK(all[0].token == 10);
  CHECK(all[1].token == 50);
  CHECK(all[2].token == 90);
  CHECK(w.empty());
  CHECK_FALSE(w.next_deadline());
  CHECK(w.take_expired(t0 + 1h).empty());
}
