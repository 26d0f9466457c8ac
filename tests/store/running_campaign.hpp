// What the store tests start from: a real redis-server (tests/fixtures), a running connection to it, and one
// campaign in state running (in the active set, as campaign_store::create leaves it).
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <string>

#include "gateway/store/campaign_store.hpp"
#include "gateway/redis/connection.hpp"
#include "tests/fixtures/redis_server.hpp"

namespace loa::test {

struct running_campaign {
  redis_server server;
  boost::asio::io_context io;
  redis::connection connection;

  explicit running_campaign(std::string_view id) : connection(io.get_executor(), settings_for(server.port())) {
    connection.async_run([](std::error_code) {});
    server.command({"HSET", broadcast::campaign_keys::meta(id), "id", std::string(id), "state", "running"});
    server.command({"SADD", std::string(broadcast::campaign_keys::active), std::string(id)});  // as create() does
  }
  ~running_campaign() {
    connection.cancel();
    io.run_for(std::chrono::seconds(1));
  }
  running_campaign(const running_campaign&) = delete;
  running_campaign& operator=(const running_campaign&) = delete;

 private:
  static redis::settings settings_for(std::uint16_t port) {
    redis::settings s;
    s.port = port;
    return s;
  }
};

}  // namespace loa::test
