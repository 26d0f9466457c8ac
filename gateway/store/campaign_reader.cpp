#include "gateway/store/campaign_reader.hpp"

#include <string_view>

#include "gateway/store/subscriber_store.hpp"
#include "gateway/redis/exec.hpp"

namespace loa::broadcast {
namespace {

namespace asio = boost::asio;

}  // namespace

campaign_reader::campaign_reader(redis::connection& connection) : connection_(connection) {}

// Two steps, as a Redis Cluster needs (docs/SCALING.md): HSCAN of the records (the campaign's slot), then the
// groups of those numbers, one pipelined HGET per number and ward (each its ward's slot), so that a report of
// 100,000 recipients still costs about a hundred round trips per ward.
asio::awaitable<std::error_code> campaign_reader::scan(const campaign_spec& spec, std::string& cursor,
                                                       std::size_t count,
                                                       std::vector<scanned_recipient>& out) {
  auto [ec, resp] = co_await redis::exec(
      connection_, redis::command("HSCAN", campaign_keys::records(spec.id), cursor, "COUNT", count));
  if (ec) co_return ec;
  const auto& answer = resp[0].elements();
  if (answer.size() != 2 || answer[1].elements().size() % 2 != 0) co_return redis::error::protocol;
  out.clear();
  const auto& kv = answer[1].elements();
  for (std::size_t i = 0; i < kv.size(); i += 2) {
    scanned_recipient r;
    r.number = kv[i].str();
    r.record = parse_recipient_record(kv[i + 1].str());
    out.push_back(std::move(r));
  }
  cursor = answer[0].str();
  // The first of the campaign's wards that holds the number gives its groups.
  if (out.empty() || spec.wards.empty()) co_return std::error_code{};
  redis::request req;
  for (const auto& w : spec.wards)
    for (const auto& r : out) req.push("HGET", keys::bucket(w, r.number), r.number);
  auto [ec2, groups] = co_await redis::exec(connection_, std::move(req));
  if (ec2) co_return ec2;
  if (groups.size() != spec.wards.size() * out.size()) co_return redis::error::protocol;
  for (std::size_t w = spec.wards.size(); w-- > 0;)  // the last ward first: the first one's answer wins
    for (std::size_t i = 0; i < out.size(); ++i) {
      const auto& g = groups[w * out.size() + i];
      if (!g.is_nil()) out[i].groups = g.str().substr(0, g.str().find('\x1f'));
    }
  co_return std::error_code{};
}

}  // namespace loa::broadcast
