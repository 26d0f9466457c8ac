// How to reach Redis and how patient to be. A plain struct: the gateway maps its own configuration onto it,
// so this library does not depend on config/.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gateway/common/backoff.hpp"

namespace loa::redis {

/// Capped exponential back-off between connect attempts (gateway/common/backoff.hpp), with jitter so that
/// several gateways do not reconnect in lock-step after a Redis restart.
using loa::backoff_settings;

/// A TCP address: a sentinel, or the primary a sentinel named.
struct endpoint {
  std::string host;
  std::uint16_t port = 0;
};

/// Everything a connection needs; defaults suit Redis on the same machine.
struct settings {
  /// An IP address or a name (hiredis resolves it with a blocking getaddrinfo: prefer an address).
  std::string host = "127.0.0.1";
  /// TCP port.
  std::uint16_t port = 6379;
  /// When not empty, connect to this Unix socket path instead of host:port.
  std::string unix_socket;
  /// Redis 6 ACL user for AUTH; empty means the default user.
  std::string username;
  /// AUTH is sent when not empty; this library never logs it or puts it in an error detail.
  std::string password;
  /// SELECT is sent when not 0.
  int db = 0;
  /// CLIENT SETNAME when not empty (shows in CLIENT LIST).
  std::string client_name;

  /// Bounds connect plus handshake (AUTH, SELECT, PING) of each attempt.
  std::chrono::milliseconds connect_timeout{2'000};
  /// Default timeout of a request (request::timeout overrides it); zero means none.
  std::chrono::milliseconds request_timeout{5'000};
  /// A PING this often while ready.
  std::chrono::milliseconds health_check_interval{2'000};
  /// No reply at all for this long with a PING outstanding: the connection is dropped and re-established.
  std::chrono::milliseconds health_check_timeout{5'000};
  /// Requests waiting for a connection, at most; beyond it async_exec fails with queue_full.
  std::size_t max_queued = 10'000;
  /// Failed attempts in a row after which async_run gives up; 0 means never.
  unsigned max_connect_attempts = 0;
  /// Delays between attempts.
  backoff_settings backoff;

  /// Redis Sentinel: when not empty, host, port and unix_socket are ignored. Before every connection attempt
  /// these sentinels are asked in turn (SENTINEL get-master-addr-by-name master_name) and only the address
  /// they name is connected to, never a remembered one; the handshake then checks that ROLE says master.
  /// -READONLY, a ROLE that is not master (checked at every health check) or a +switch-master notice drop
  /// the connection (error::not_master) and the sentinels are asked again.
  std::vector<endpoint> sentinels;
  /// The name the sentinels monitor.
  std::string master_name;
  /// AUTH for the sentinels when not empty (the data nodes use `password`).
  std::string sentinel_password;
  /// Bounds connect plus answer of each sentinel asked.
  std::chrono::milliseconds sentinel_timeout{500};

  /// Redis Cluster: when not empty, host, port, unix_socket and sentinels are ignored and db must be 0. These
  /// seed nodes are asked for the slot map (CLUSTER SLOTS); one connection per primary is then kept, each
  /// command goes to the primary of its keys' slot, and MOVED, ASK, TRYAGAIN and CLUSTERDOWN are followed
  /// (cluster_client.hpp).
  std::vector<endpoint> cluster;
  /// How often the slot map is read again while every primary answers (a MOVED, a CLUSTERDOWN or a primary
  /// that stops answering has it read again at once, then every cluster_retry_delay until they answer).
  std::chrono::milliseconds cluster_refresh_interval{10'000};
  /// The first delay before a command answered TRYAGAIN or CLUSTERDOWN (or whose slot no primary serves) is
  /// sent again; it doubles on each try, up to 1 s, until the request's timeout.
  std::chrono::milliseconds cluster_retry_delay{100};
  /// Redirections (MOVED, ASK, TRYAGAIN, CLUSTERDOWN) one request may follow before its commands are
  /// answered with the last one.
  unsigned cluster_max_redirects = 16;

  /// What wait_for_replicas (durability.hpp) asks for: WAIT wait_replicas wait_timeout. 0: no WAIT.
  int wait_replicas = 0;
  /// WAIT's timeout; WAIT 0 would block forever, so keep it above zero.
  std::chrono::milliseconds wait_timeout{100};
};

}  // namespace loa::redis
