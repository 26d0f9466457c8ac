// Errors of the Redis layer. hiredis reports failures as an int in the context plus a string; they are
// translated into these values at the boundary (connection.cpp), so callers compare against one enum.
#pragma once

#include <system_error>

namespace loa::redis {

/// What went wrong with a request or with the connection. Zero is never used: a default error_code is
/// success.
enum class error {
  /// TCP or Unix-socket connect failed or did not finish within connect_timeout (retried).
  connect_failed = 1,
  /// The server refused AUTH, or demands a password we do not have: async_run stops.
  auth_failed,
  /// The server refused SELECT (db out of range): async_run stops.
  select_failed,
  /// The server answered the handshake PING with another error (e.g. LOADING): retried.
  handshake_failed,
  /// No complete answer within the request's timeout; a late reply is dropped.
  timeout,
  /// The connection ended with the request sent or being sent: it may or may not have run.
  connection_lost,
  /// Nothing came back within health_check_timeout: the connection was dropped (retried).
  health_check_failed,
  /// hiredis could not parse what the server sent (the connection is dropped and retried).
  protocol,
  /// At least one command was answered with an error reply; its message is in the reply.
  server_error,
  /// settings::max_queued requests already wait for a connection; the request was not queued.
  queue_full,
  /// cancel() or the connection's destruction ended the request before it was sent.
  stopped,
  /// async_run was called while another async_run is active.
  already_running,
  /// The request holds no command, or a command without a name.
  empty_request,
  /// (P)SUBSCRIBE, (P)UNSUBSCRIBE and MONITOR change the protocol: not supported here.
  unsupported_command,
  /// The caller cancelled the request through its cancellation slot; if it was sent, its late reply is
  /// dropped.
  cancelled,
  /// Sentinel: no sentinel named a primary (none answered, or none knows settings::master_name); retried.
  no_master,
  /// Sentinel: the server is not (or no longer) the primary: ROLE said otherwise, a command was answered
  /// -READONLY, or the sentinels announced +switch-master. The connection is dropped and the sentinels asked
  /// again.
  not_master,
  /// WAIT: fewer replicas than settings::wait_replicas acknowledged the writes within wait_timeout.
  not_replicated,
  /// Redis Cluster: a command's keys are in different hash slots (Redis would answer CROSSSLOT); nothing
  /// of the request was sent. Give the keys one hash tag ({...}).
  cross_slot,
  /// Redis Cluster: no node answered CLUSTER SLOTS with a usable slot map (retried).
  no_slot_map,
};

/// The category of `error` ("loa.redis").
const std::error_category& error_category() noexcept;

/// Makes `error` usable as std::error_code.
std::error_code make_error_code(error e) noexcept;

/// The enumerator's name ("connection_lost"), for logs and metrics labels.
const char* to_string(error e) noexcept;

/// fmt 9 prints the enum through this (format_as works for enums only).
inline const char* format_as(error e) noexcept {
  return to_string(e);
}

}  // namespace loa::redis

template <>
struct std::is_error_code_enum<loa::redis::error> : std::true_type {};
