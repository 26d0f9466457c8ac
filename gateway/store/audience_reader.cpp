#include "gateway/store/audience_reader.hpp"

#include <unordered_set>

#include "gateway/redis/exec.hpp"
#include "gateway/store/campaign_store.hpp"
#include "gateway/store/scripts.hpp"
#include "gateway/store/subscriber_store.hpp"

namespace loa::broadcast {
namespace {

namespace asio = boost::asio;
namespace scripts = loa::store::scripts;

// Opt-outs looked up per HMGET: a chunk of a large ward holds tens of thousands of numbers.
constexpr std::size_t optout_batch = 2000;

// The bucket key prefixes the audience is read from: the wards', or the one of a correction or a resend.
std::vector<std::string> sources(const campaign_spec& spec) {
  if (!spec.corrects.empty()) return {campaign_keys::received(spec.corrects)};
  if (!spec.resends.empty()) return {campaign_keys::failed(spec.resends)};
  std::vector<std::string> out;
  for (const auto& w : spec.wards) out.push_back(std::string(keys::ward_prefix) + w + "}:sub:");
  return out;
}

}  // namespace

asio::awaitable<std::error_code> read_audience(redis::connection& connection, const campaign_spec& spec,
                                               std::uint64_t from, std::uint64_t to, audience_read& out,
                                               std::string* why) {
  out = {};
  const bool every_group = !spec.corrects.empty() || !spec.resends.empty();
  // Each source in its own request: its buckets share one slot, and no request spans two.
  std::vector<std::vector<std::vector<audience_member>>> per_source;  // [source][bucket - from]
  for (const auto& prefix : sources(spec)) {
    std::vector<std::string> bucket_keys, args{std::to_string(from)};
    for (std::uint64_t b = from; b < to; ++b) bucket_keys.push_back(prefix + std::to_string(b));
    if (!every_group) args.insert(args.end(), spec.groups.begin(), spec.groups.end());
    redis::request req;
    req.push_script_range(scripts::read_audience, bucket_keys, args);
    auto [ec, resp] = co_await redis::exec(connection, std::move(req));
    if (ec == redis::error::server_error && why && !resp.empty()) *why = resp[0].str();
    if (ec) co_return ec;
    const auto& e = resp[0].elements();
    if (e.size() % 3 != 0) co_return redis::error::protocol;
    auto& buckets = per_source.emplace_back(to - from);
    for (std::size_t i = 0; i + 2 < e.size(); i += 3) {
      const auto b = static_cast<std::uint64_t>(e[i].integer());
      if (b < from || b >= to) co_return redis::error::protocol;
      buckets[b - from].push_back({b, e[i + 1].str(), e[i + 2].str()});
    }
  }
  // Bucket by bucket, each source in turn: a number in two wards counts once, with the first ward's groups.
  std::vector<audience_member> all;
  for (std::uint64_t b = from; b < to; ++b) {
    std::unordered_set<std::string> seen;
    for (auto& source : per_source)
      for (auto& m : source[b - from])
        if (seen.insert(m.number).second) all.push_back(std::move(m));
  }
  // The opt-outs: one key, its own slot.
  std::vector<bool> opted(all.size(), false);
  for (std::size_t first = 0; first < all.size(); first += optout_batch) {
    const std::size_t last = std::min(all.size(), first + optout_batch);
    std::vector<std::string> cmd{"HMGET", std::string(keys::optout)};
    for (std::size_t i = first; i < last; ++i) cmd.push_back(all[i].number);
    redis::request req;
    req.push_range(cmd);
    auto [ec, resp] = co_await redis::exec(connection, std::move(req));
    if (ec) co_return ec;
    const auto& e = resp[0].elements();
    if (e.size() != last - first) co_return redis::error::protocol;
    for (std::size_t i = first; i < last; ++i) opted[i] = !e[i - first].is_nil();
  }
  out.kept_per_bucket.assign(to - from, 0);
  out.opted_out_per_bucket.assign(to - from, 0);
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto at = all[i].bucket - from;
    if (opted[i]) {
      ++out.opted_out_per_bucket[at];
      out.opted_out.push_back(std::move(all[i]));
    } else {
      ++out.kept_per_bucket[at];
      out.kept.push_back(std::move(all[i]));
    }
  }
  co_return std::error_code{};
}

}  // namespace loa::broadcast
