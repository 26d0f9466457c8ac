// The helpers every Redis user of the gateway writes: await a request as (error, replies), and build a
// one-command request or one script call.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <string_view>
#include <system_error>
#include <utility>

#include "gateway/redis/connection.hpp"

namespace loa::redis {

/// exec() of a request holding EVALSHA calls: a call answered NOSCRIPT is sent again once, after SCRIPT
/// LOAD of its script, and its reply replaces the NOSCRIPT error; a WAIT of the request is sent again after
/// it (script_exec.cpp).
boost::asio::awaitable<std::pair<std::error_code, response>> exec_loading_scripts(connection& c, request req);

/// Sends `req` and waits for all its replies.
inline boost::asio::awaitable<std::pair<std::error_code, response>> exec(connection& c, request req) {
  // A cluster loads scripts on each primary itself (cluster_client.hpp).
  if (!req.script_calls().empty() && !c.is_cluster()) co_return co_await exec_loading_scripts(c, std::move(req));
  auto [ec, resp] = co_await c.async_exec(std::move(req), boost::asio::as_tuple(boost::asio::use_awaitable));
  co_return std::pair{ec, std::move(resp)};
}

/// One command as a request. Build it outside the co_await expression: g++ 12 miscompiles braced
/// initializer lists of string literals inside a coroutine ("array used as initializer").
template <class... Args>
request command(std::string_view name, const Args&... args) {
  request r;
  r.push(name, args...);
  return r;
}

/// One script call as a request: `EVALSHA sha numkeys keys... args...` (request::push_script).
template <class... Args>
request script_command(const script& s, const Args&... args) {
  request r;
  r.push_script(s, args...);
  return r;
}

}  // namespace loa::redis
