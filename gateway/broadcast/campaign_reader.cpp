#include "gateway/broadcast/campaign_reader.hpp"

#include <string_view>

#include "gateway/broadcast/subscriber_store.hpp"
#include "gateway/redis/exec.hpp"
#include "gateway/store/scripts.hpp"

namespace loa::broadcast {
namespace {

namespace asio = boost::asio;

}  // namespace

campaign_reader::campaign_reader(redis::connection& connection) : connection_(connection) {}

asio::awaitable<std::error_code> campaign_reader::scan(const campaign_spec& spec, std::string& cursor,
                                                       std::size_t count,
                                                       std::vector<scanned_recipient>& out) {
  std::vector<std::string> args{"1",
                                campaign_keys::records(spec.id),
                                cursor,
                                std::to_string(count),
                                std::to_string(buckets_per_ward)};
  for (const auto& w : spec.wards) {
    auto prefix = keys::bucket(w, std::uint64_t{0});
    prefix.pop_back();  // "...:sub:0" -> "...:sub:"
    args.push_back(std::move(prefix));
  }
  redis::request req;
  req.push_script_range(store::scripts::scan_records, args);
  auto [ec, resp] = co_await redis::exec(connection_, std::move(req));
  if (ec) co_return ec;
  const auto& answer = resp[0].elements();
  if (answer.size() != 2 || answer[1].elements().size() % 3 != 0) co_return redis::error::protocol;
  out.clear();
  const auto& items = answer[1].elements();
  for (std::size_t i = 0; i < items.size(); i += 3) {
    scanned_recipient r;
    r.number = items[i].str();
    r.record = parse_recipient_record(items[i + 1].str());
    if (!items[i + 2].is_nil()) r.groups = items[i + 2].str();
    out.push_back(std::move(r));
  }
  cursor = answer[0].str();
  co_return std::error_code{};
}

}  // namespace loa::broadcast
