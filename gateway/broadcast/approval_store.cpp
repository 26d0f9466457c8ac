#include "gateway/broadcast/approval_store.hpp"

#include "gateway/broadcast/campaign_store.hpp"
#include "gateway/redis/exec.hpp"
#include "gateway/store/scripts.hpp"

namespace loa::broadcast {

approval_store::approval_store(redis::connection& connection) : connection_(connection) {}

boost::asio::awaitable<std::error_code> approval_store::approve(std::string_view id, campaign_state next,
                                                                std::string_view approver, std::int64_t now_ms,
                                                                std::optional<campaign_state>& before) {
  auto req = redis::script_command(store::scripts::approve, 1, campaign_keys::meta(id), to_string(next), approver,
                                   std::to_string(now_ms));
  auto [ec, resp] = co_await redis::exec(connection_, std::move(req));
  if (ec) co_return ec;
  before = resp[0].is_nil() ? std::nullopt : parse_campaign_state(resp[0].str());
  co_return std::error_code{};
}

}  // namespace loa::broadcast
