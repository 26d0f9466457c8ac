// campaign_store's receipt calls, in steps that each stay in one Redis Cluster slot (docs/SCALING.md): a
// receipt's mapping lives in its own slot (tagged with the carrier and the message id), the records and
// counts it changes in the campaign's. match_receipt.lua and map_receipt.lua meet in the mapping's slot, so
// a receipt and its submit's answer recorded at the same moment still find each other.
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>

#include "gateway/redis/exec.hpp"
#include "gateway/store/campaign_store.hpp"
#include "gateway/store/scripts.hpp"

namespace loa::broadcast {
namespace {

namespace asio = boost::asio;
namespace scripts = loa::store::scripts;

std::string held_key(std::string_view receipt_key) { return std::string(receipt_key) + ":held"; }

// The name an older gateway gave the mapping (no hash tag): "loa:dlr:{C:ID}" -> "loa:dlr:C:ID".
std::string untagged(std::string_view receipt_key) {
  std::string k(receipt_key);
  k.erase(std::remove_if(k.begin(), k.end(), [](char c) { return c == '{' || c == '}'; }), k.end());
  return k;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "campaign|number|part" (a mapping's value).
struct mapped_part {
  std::string campaign, number, part;
};
bool parse_mapping(std::string_view v, mapped_part& out) {
  const auto a = v.find('|');
  if (a == std::string_view::npos) return false;
  const auto b = v.find('|', a + 1);
  if (b == std::string_view::npos) return false;
  out = {std::string(v.substr(0, a)), std::string(v.substr(a + 1, b - a - 1)), std::string(v.substr(b + 1))};
  return !out.campaign.empty();
}

// One apply_receipts.lua call per campaign, all in one request (each call its campaign's slot).
struct receipt_application {
  std::string number, part;
  char letter = part_state::delivered;
  std::string reason, source;
};
asio::awaitable<std::pair<std::error_code, std::vector<int>>> apply_to_campaigns(
    redis::connection& connection, const std::map<std::string, std::vector<std::size_t>>& by_campaign,
    const std::vector<receipt_application>& items) {
  std::vector<int> result(items.size(), 0);
  if (by_campaign.empty()) co_return std::pair{std::error_code{}, result};
  redis::request req;
  const auto now = std::to_string(now_ms());
  for (const auto& [id, which] : by_campaign) {
    std::vector<std::string> script_keys{campaign_keys::records(id), campaign_keys::counts(id)}, args{now};
    for (const auto i : which) {
      const auto& it = items[i];
      args.insert(args.end(), {it.number, it.part, std::string(1, it.letter), it.reason, it.source});
    }
    req.push_script_range(scripts::apply_receipts, script_keys, args);
  }
  auto [ec, resp] = co_await redis::exec(connection, std::move(req));
  if (ec) co_return std::pair{ec, result};
  std::size_t call = 0;
  for (const auto& [id, which] : by_campaign) {
    const auto& e = resp[call++].elements();
    if (e.size() != which.size()) co_return std::pair{make_error_code(redis::error::protocol), result};
    for (std::size_t k = 0; k < which.size(); ++k) result[which[k]] = static_cast<int>(e[k].integer());
  }
  co_return std::pair{std::error_code{}, result};
}

}  // namespace

asio::awaitable<std::error_code> campaign_store::apply_receipts(const std::vector<receipt_update>& receipts,
                                                                std::vector<std::size_t>& unmatched,
                                                                std::vector<std::size_t>& mismatched) {
  unmatched.clear();
  mismatched.clear();
  if (receipts.empty()) co_return std::error_code{};
  const auto keep = std::to_string(unmatched_receipt_keep.count());
  auto held_value = [](const receipt_update& r) { return std::string(1, r.letter) + '|' + r.source + '|' + r.reason; };
  // 1. Each receipt's mapping, or the receipt held: its mapping's slot.
  redis::request match;
  for (const auto& r : receipts)
    match.push_script(scripts::match_receipt, 2, r.receipt_key, held_key(r.receipt_key), held_value(r), keep);
  auto [ec, resp] = co_await redis::exec(connection_, std::move(match));
  if (ec) co_return ec;
  std::vector<std::string> mapping(receipts.size());
  std::vector<std::size_t> held_now;
  for (std::size_t i = 0; i < receipts.size(); ++i) {
    if (resp[i].is_nil()) held_now.push_back(i);
    else mapping[i] = resp[i].str();
  }
  // 1b. A part accepted before the upgrade to tagged mappings has its mapping under the old name.
  if (!held_now.empty()) {
    redis::request legacy;
    for (const auto i : held_now) legacy.push("GET", untagged(receipts[i].receipt_key));
    auto [ec2, old] = co_await redis::exec(connection_, std::move(legacy));
    if (ec2) co_return ec2;
    redis::request unhold;
    for (std::size_t k = 0; k < held_now.size(); ++k) {
      if (old[k].is_nil()) continue;
      mapping[held_now[k]] = old[k].str();
      unhold.push("DEL", held_key(receipts[held_now[k]].receipt_key));
    }
    if (!unhold.empty()) {
      auto [ec3, gone] = co_await redis::exec(connection_, std::move(unhold));
      if (ec3) co_return ec3;
    }
  }
  // 2. The records and counts: the campaign's slot.
  std::map<std::string, std::vector<std::size_t>> by_campaign;
  std::vector<receipt_application> items(receipts.size());
  std::vector<bool> unknown(receipts.size(), false);
  for (std::size_t i = 0; i < receipts.size(); ++i) {
    if (mapping[i].empty()) {
      unmatched.push_back(i);  // held in step 1
      continue;
    }
    mapped_part m;
    if (!parse_mapping(mapping[i], m)) {
      unknown[i] = true;
      continue;
    }
    items[i] = {m.number, m.part, receipts[i].letter, receipts[i].reason, receipts[i].source};
    by_campaign[m.campaign].push_back(i);
  }
  auto [ec4, applied] = co_await apply_to_campaigns(connection_, by_campaign, items);
  if (ec4) co_return ec4;
  // A mapping naming no record (its campaign deleted, or damaged): held like a receipt that came early.
  redis::request hold;
  for (std::size_t i = 0; i < receipts.size(); ++i) {
    if (applied[i] == 1) mismatched.push_back(i);
    if (applied[i] != 2 && !unknown[i]) continue;
    hold.push("SET", held_key(receipts[i].receipt_key), held_value(receipts[i]), "EX", keep);
    unmatched.push_back(i);
  }
  if (!hold.empty()) {
    auto [ec5, held] = co_await redis::exec(connection_, std::move(hold));
    if (ec5) co_return ec5;
  }
  std::sort(unmatched.begin(), unmatched.end());
  co_return std::error_code{};
}

asio::awaitable<std::error_code> campaign_store::map_receipts(std::string_view id,
                                                              const std::vector<receipt_mapping>& mappings,
                                                              std::chrono::seconds ttl,
                                                              std::vector<std::string>* mismatched) {
  if (mappings.empty()) co_return std::error_code{};
  redis::request req;
  for (const auto& m : mappings)
    req.push_script(scripts::map_receipt, 2, m.receipt_key, held_key(m.receipt_key),
                    std::string(id) + '|' + m.number + '|' + std::to_string(m.part), ttl.count());
  auto [ec, resp] = co_await redis::exec(connection_, std::move(req));
  if (ec) co_return ec;
  // Receipts that came before their mapping: applied now, in the campaign's slot.
  std::map<std::string, std::vector<std::size_t>> by_campaign;
  std::vector<receipt_application> items(mappings.size());
  for (std::size_t i = 0; i < mappings.size(); ++i) {
    if (resp[i].is_nil()) continue;
    const std::string_view held = resp[i].str();  // "letter|source|reason"
    const auto bar = held.find('|', 2);
    if (held.size() < 2 || held[1] != '|' || bar == std::string_view::npos) continue;  // an older form: dropped
    items[i] = {mappings[i].number, std::to_string(mappings[i].part), held[0], std::string(held.substr(bar + 1)),
                std::string(held.substr(2, bar - 2))};
    by_campaign[std::string(id)].push_back(i);
  }
  auto [ec2, applied] = co_await apply_to_campaigns(connection_, by_campaign, items);
  if (ec2) co_return ec2;
  // Written and applied: no longer pending, and the held receipts taken (a crash before this writes the
  // mappings again and applies those receipts again, which changes nothing; map_receipt.lua leaves them).
  std::vector<std::string> done{"HDEL", campaign_keys::mappings_to_write(id)};
  for (const auto& m : mappings) done.push_back(m.receipt_key);
  redis::request forget;
  forget.push_range(done);
  for (std::size_t i = 0; i < mappings.size(); ++i)
    if (!resp[i].is_nil()) forget.push("DEL", held_key(mappings[i].receipt_key));
  auto [ec3, forgotten] = co_await redis::exec(connection_, std::move(forget));
  if (ec3) co_return ec3;
  if (mismatched)
    for (std::size_t i = 0; i < mappings.size(); ++i)
      if (applied[i] == 1) mismatched->push_back(mappings[i].carrier);
  co_return std::error_code{};
}

asio::awaitable<std::error_code> campaign_store::write_pending_mappings(std::string_view id,
                                                                        std::chrono::seconds ttl) {
  auto [ec, resp] = co_await redis::exec(connection_, redis::command("HGETALL", campaign_keys::mappings_to_write(id)));
  if (ec) co_return ec;
  const auto& kv = resp[0].elements();
  std::vector<receipt_mapping> mappings;
  for (std::size_t i = 0; i + 1 < kv.size(); i += 2) {
    const std::string_view v = kv[i + 1].str();  // "number|part|carrier"
    const auto a = v.find('|'), b = v.find('|', a == std::string_view::npos ? a : a + 1);
    if (a == std::string_view::npos || b == std::string_view::npos) continue;
    int part = 1;
    const auto p = v.substr(a + 1, b - a - 1);
    std::from_chars(p.data(), p.data() + p.size(), part);
    mappings.push_back({kv[i].str(), std::string(v.substr(0, a)), part, std::string(v.substr(b + 1))});
  }
  co_return co_await map_receipts(id, mappings, ttl);
}

}  // namespace loa::broadcast
