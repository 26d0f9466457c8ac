// What the bind_driver tests share, against the fake SMSC and against the real simulator alike: short timers
// so every test stays within seconds, a submit body, and an owner that records what the driver tells it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "gateway/smpp/bind_driver.hpp"

namespace loa::test {

/// A bind to 127.0.0.1:port as system_id loa / secret, window 2, with timers short enough for tests.
inline smpp::bind_settings settings_for(std::uint16_t port) {
  using namespace std::chrono_literals;
  smpp::bind_settings s;
  s.host = "127.0.0.1";
  s.port = port;
  s.connect_timeout = 1000ms;
  s.close_flush_timeout = 200ms;
  s.session.system_id = "loa";
  s.session.password = "secret";
  s.session.window = 2;
  s.session.enquire_link_interval = 10s;
  s.session.response_timeout = 2s;
  s.session.bind_timeout = 1s;
  s.session.unbind_timeout = 500ms;
  s.session.retry_delay = 50ms;
  s.session.throttle_delay = 50ms;
  s.session.reconnect = loa::backoff_settings{50ms, 2.0, 200ms, 0.0};
  return s;
}

/// A one-part GSM submit_sm body to `to`.
inline smpp::short_message text(const std::string& to, std::uint8_t registered_delivery = 0) {
  smpp::short_message m;
  m.source = {5, 0, "UBND"};
  m.destination = {1, 1, to};
  m.registered_delivery = registered_delivery;
  const std::string body = "Hop to dan pho 5 luc 19h";
  m.message.assign(body.begin(), body.end());
  return m;
}

/// Records what the owner of a bind hears.
struct owner {
  int bound = 0;
  int unbound = 0;
  std::vector<std::pair<std::error_code, bool>> refused;
  std::vector<smpp::pdu> delivered;
  std::vector<std::string> logs;

  smpp::bind_callbacks callbacks() {
    smpp::bind_callbacks cb;
    cb.on_bound = [this](const std::string&) { ++bound; };
    cb.on_unbound = [this](std::error_code) { ++unbound; };
    cb.on_bind_refused = [this](std::error_code ec, bool slow) { refused.emplace_back(ec, slow); };
    cb.on_deliver = [this](const smpp::pdu& p) { delivered.push_back(p); };
    cb.on_log = [this](std::error_code ec, std::string_view d) {
      logs.push_back(ec.message() + ": " + std::string(d));
    };
    return cb;
  }
  bool logged(std::string_view needle) const {
    for (const auto& l : logs)
      if (l.find(needle) != std::string::npos) return true;
    return false;
  }
};

}  // namespace loa::test
