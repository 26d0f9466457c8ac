#include "gateway/broadcast/campaign_reader.hpp"

#include <string_view>

#include "gateway/broadcast/subscriber_store.hpp"
#include "gateway/redis/exec.hpp"

namespace loa::broadcast {
namespace {

namespace asio = boost::asio;

// One HSCAN step of the records, each with its subscriber's groups, read in the same call so that a report of
// 100,000 recipients costs a hundred round trips. KEYS: 1 records. ARGV: 1 cursor, 2 count, 3 buckets per
// ward, then the wards' bucket key prefixes. The bucket is the number mod the bucket count, as
// subscriber_store computes it: exact in Lua's doubles for numbers far below 2^53. Returns {next cursor,
// {number, record, groups or nil, ...}}.
constexpr std::string_view scan_script = R"lua(
local scan = redis.call('HSCAN', KEYS[1], ARGV[1], 'COUNT', ARGV[2])
local kv, per_ward, out = scan[2], tonumber(ARGV[3]), {}
for i = 1, #kv, 2 do
  local number, groups = kv[i], false
  local n = tonumber(number)
  if n then
    local bucket = string.format('%d', n % per_ward)
    for w = 4, #ARGV do
      local sub = redis.call('HGET', ARGV[w] .. bucket, number)
      if sub then
        groups = string.match(sub, '^([^\31]*)')
        break
      end
    end
  end
  out[#out + 1] = number
  out[#out + 1] = kv[i + 1]
  out[#out + 1] = groups
end
return {scan[1], out}
)lua";

}  // namespace

campaign_reader::campaign_reader(redis::connection& connection) : connection_(connection) {}

asio::awaitable<std::error_code> campaign_reader::scan(const campaign_spec& spec, std::string& cursor,
                                                       std::size_t count,
                                                       std::vector<scanned_recipient>& out) {
  std::vector<std::string> args{"EVAL",
                                std::string(scan_script),
                                "1",
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
  req.push_range(args);
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
