#include "gateway/redis/error.hpp"

#include <string>

namespace loa::redis {
namespace {

class error_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "loa.redis"; }
  std::string message(int value) const override {
    switch (static_cast<error>(value)) {
      case error::connect_failed:
        return "could not connect to Redis";
      case error::auth_failed:
        return "Redis refused the authentication";
      case error::select_failed:
        return "Redis refused to select the database";
      case error::handshake_failed:
        return "Redis answered the handshake with an error";
      case error::timeout:
        return "no reply from Redis in time";
      case error::connection_lost:
        return "connection to Redis lost with the request outstanding";
      case error::health_check_failed:
        return "Redis stopped answering the health check";
      case error::protocol:
        return "Redis protocol error";
      case error::server_error:
        return "Redis answered with an error reply";
      case error::queue_full:
        return "too many requests wait for the Redis connection";
      case error::stopped:
        return "the Redis connection was stopped";
      case error::already_running:
        return "the Redis connection is already running";
      case error::empty_request:
        return "empty Redis request or command";
      case error::unsupported_command:
        return "Redis command not supported on this connection";
      case error::cancelled:
        return "Redis request cancelled";
      case error::no_master:
        return "no Redis sentinel named a primary";
      case error::not_master:
        return "the Redis server is not the primary";
      case error::not_replicated:
        return "too few Redis replicas acknowledged the writes in time";
      case error::cross_slot:
        return "a Redis command's keys are in different cluster hash slots";
      case error::no_slot_map:
        return "no Redis Cluster node gave a slot map";
    }
    return "unknown loa.redis error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const error_category_impl instance;
  return instance;
}

std::error_code make_error_code(error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

const char* to_string(error e) noexcept {
  switch (e) {
    case error::connect_failed:
      return "connect_failed";
    case error::auth_failed:
      return "auth_failed";
    case error::select_failed:
      return "select_failed";
    case error::handshake_failed:
      return "handshake_failed";
    case error::timeout:
      return "timeout";
    case error::connection_lost:
      return "connection_lost";
    case error::health_check_failed:
      return "health_check_failed";
    case error::protocol:
      return "protocol";
    case error::server_error:
      return "server_error";
    case error::queue_full:
      return "queue_full";
    case error::stopped:
      return "stopped";
    case error::already_running:
      return "already_running";
    case error::empty_request:
      return "empty_request";
    case error::unsupported_command:
      return "unsupported_command";
    case error::cancelled:
      return "cancelled";
    case error::no_master:
      return "no_master";
    case error::not_master:
      return "not_master";
    case error::not_replicated:
      return "not_replicated";
    case error::cross_slot:
      return "cross_slot";
    case error::no_slot_map:
      return "no_slot_map";
  }
  return "unknown";
}

}  // namespace loa::redis
