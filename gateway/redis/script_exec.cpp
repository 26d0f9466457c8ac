// NOSCRIPT: the server does not know a script (it restarted, failed over, or ran SCRIPT FLUSH). Only the
// calls answered NOSCRIPT are sent again, after SCRIPT LOAD of their scripts in the same pipeline: the other
// commands of the request already ran, and a NOSCRIPT call ran nothing. In a pipeline the calls sent again
// therefore run after the commands that followed them; each call is one atomic script, so this only matters
// to a caller whose pipeline relies on its order across a server restart, which none does.
// A WAIT in the request (durability.hpp appends one after claims) ran before the calls sent again, so it
// confirmed nothing about their writes: it is sent again after them, and its new count replaces the old.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <string_view>
#include <vector>

#include "gateway/redis/command_route.hpp"
#include "gateway/redis/exec.hpp"

namespace loa::redis {
namespace {

bool is_noscript(const reply& r) {
  return r.is_error() && std::string_view(r.str()).starts_with("NOSCRIPT");
}

}  // namespace

boost::asio::awaitable<std::pair<std::error_code, response>> exec_loading_scripts(connection& c,
                                                                                  request req) {
  // The calls are kept to be sent again; the request itself is moved into the connection.
  const request sent = req;
  auto [ec, resp] = co_await c.async_exec(std::move(req), boost::asio::as_tuple(boost::asio::use_awaitable));
  if (ec != error::server_error) co_return std::pair{ec, std::move(resp)};

  std::vector<request::script_call> failed;
  for (const auto& call : sent.script_calls())
    if (call.command < resp.size() && is_noscript(resp[call.command])) failed.push_back(call);
  if (failed.empty()) co_return std::pair{ec, std::move(resp)};

  request again;
  again.timeout = sent.timeout;
  std::vector<const script*> loaded;
  for (const auto& call : failed) {
    if (std::find(loaded.begin(), loaded.end(), call.called) != loaded.end()) continue;
    loaded.push_back(call.called);
    again.push("SCRIPT", "LOAD", call.called->text);
  }
  const auto offsets = command_offsets(sent);
  for (const auto& call : failed) again.push_copy(command_at(sent, offsets, call.command));
  std::vector<std::size_t> waits;
  for (std::size_t i = 0; i < sent.size(); ++i)
    if (is_wait(command_at(sent, offsets, i)[0])) waits.push_back(i);
  if (!waits.empty()) again.push_copy(command_at(sent, offsets, waits.back()));
  auto [again_ec, again_resp] =
      co_await c.async_exec(std::move(again), boost::asio::as_tuple(boost::asio::use_awaitable));
  // Lost connection, timeout...: that error, with the first replies (the NOSCRIPT ones still in place).
  if (again_ec && again_ec != error::server_error) co_return std::pair{again_ec, std::move(resp)};

  auto replies = std::move(resp).release();
  for (std::size_t i = 0; i < failed.size(); ++i)
    replies[failed[i].command] = std::move(again_resp[loaded.size() + i]);
  for (auto w : waits)
    if (w < replies.size()) replies[w] = again_resp[loaded.size() + failed.size()];
  response merged(std::move(replies));
  const std::error_code merged_ec =
      merged.first_error() ? std::error_code(error::server_error) : std::error_code{};
  co_return std::pair{merged_ec, std::move(merged)};
}

}  // namespace loa::redis
