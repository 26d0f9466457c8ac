// Subscribers, ward groups and citizens' choices in Redis (key schema: docs/REDIS.md). Every operation is a
// few pipelined commands or one Lua script per batch, never one round trip per subscriber.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "gateway/broadcast/csv_import.hpp"
#include "gateway/redis/connection.hpp"

namespace loa::broadcast {

/// Buckets per ward: each is a small hash that Redis stores compactly (listpack) up to
/// hash-max-listpack-entries, which the gateway raises to 512 (docs/REDIS.md).
inline constexpr std::uint64_t buckets_per_ward = 4096;

/// The key names of docs/REDIS.md. Ward keys share the hash tag {w:WARD}: one Redis Cluster slot per ward.
namespace keys {
std::string bucket(std::string_view ward, std::string_view phone);
std::string bucket(std::string_view ward, std::uint64_t index);
std::string groups(std::string_view ward);
std::string group_names(std::string_view ward);
std::string replies(std::string_view ward);
inline constexpr std::string_view unknown_replies = "loa:replies:unknown";
std::string meta(std::string_view ward);
inline constexpr std::string_view wards = "loa:wards";
/// What every key of a ward begins with: "loa:{w:" WARD "}:...".
inline constexpr std::string_view ward_prefix = "loa:{w:";
inline constexpr std::string_view optout = "loa:optout";
inline constexpr std::string_view forgotten_optouts = "loa:optout:forgotten";
inline constexpr std::string_view ported = "loa:ported";
}  // namespace keys

/// What an import batch did.
struct import_counts {
  std::uint64_t imported = 0;    ///< new to the ward
  std::uint64_t updated = 0;     ///< already in the ward (groups added, name or consent refreshed)
  std::uint64_t duplicates = 0;  ///< the same number again in this import
};

/// One stored subscriber of a ward.
struct subscriber_record {
  std::string phone;
  std::string name;
  std::vector<std::string> groups;
  std::string consent_time;    ///< unix seconds, as text
  std::string consent_source;  ///< "import:ID" or "api:OPERATOR"
};

/// The wards an operator's change to one number may reach.
struct ward_scope {
  bool every_ward = false;         ///< an admin without wards: any number, every ward
  std::vector<std::string> wards;  ///< otherwise: the operator's wards
};

/// What a change to one number within a scope did.
struct number_change {
  bool allowed = false;            ///< false: no ward of the scope holds the number (nothing was changed)
  std::vector<std::string> wards;  ///< the wards the change reached, sorted
};

/// A citizen's reply that was not a keyword, kept for the ward to read.
struct stored_reply {
  std::string time;     ///< unix seconds, as text
  std::string phone;    ///< stored form
  std::string carrier;  ///< the carrier it came through
  std::string text;
};

/// The store of one gateway; all calls on the connection's executor.
class subscriber_store {
 public:
  explicit subscriber_store(redis::connection& connection);

  /// Writes rows of one import (identified by `source`, e.g. "import:<id>") into `ward`, adding
  /// `extra_groups` to every row. One Lua script call for the whole batch.
  boost::asio::awaitable<std::error_code> import_batch(std::string_view ward,
                                                       const std::vector<subscriber_row>& rows,
                                                       const std::vector<std::string>& extra_groups,
                                                       std::string_view source, import_counts& counts);

  /// Removes `groups` from the subscriber (all of the record when `groups` is empty); `removed` says
  /// whether anything changed.
  boost::asio::awaitable<std::error_code> remove(std::string_view ward, std::string_view phone,
                                                 const std::vector<std::string>& groups, bool& removed);

  /// The citizen's choice, global across wards, with when and through what it was made.
  boost::asio::awaitable<std::error_code> set_opt_out(std::string_view phone, bool opted_out,
                                                      std::string_view source);

  /// The same, made by an operator: only for a number some ward of `scope` holds (any number for every
  /// ward); `change.wards` are every ward that holds it, since the choice holds for each of them.
  boost::asio::awaitable<std::error_code> set_opt_out(std::string_view phone, bool opted_out,
                                                      std::string_view source, const ward_scope& scope,
                                                      number_change& change);

  /// True when `phone` opted out (also after `forget`, through a one-way hash).
  boost::asio::awaitable<std::error_code> is_opted_out(std::string_view phone, bool& opted_out);

  /// Deletes the subscriber `phone` from the wards of `scope` that hold it (`change.wards`). Once no ward
  /// holds it, its port record and opt-out go too: the opt-out survives only as a SHA-256 of the number, so
  /// that a later import cannot make it receive notices again. `change.allowed` is false when no ward of the
  /// scope held it (for every ward: when nothing at all was held about it); nothing is changed then.
  boost::asio::awaitable<std::error_code> forget(std::string_view phone, const ward_scope& scope,
                                                 number_change& change);

  /// Subscribers of the ward, or of one group.
  boost::asio::awaitable<std::error_code> count(std::string_view ward, std::string_view group,
                                                std::uint64_t& n);

  /// Groups of the ward with their sizes (groups that became empty are left out).
  boost::asio::awaitable<std::error_code> groups(std::string_view ward,
                                                 std::map<std::string, std::uint64_t>& out);

  /// The display names given to the ward's groups (group -> "Tổ 3"); groups without one are left out.
  boost::asio::awaitable<std::error_code> group_names(std::string_view ward,
                                                      std::map<std::string, std::string>& out);

  /// Gives `group` of `ward` the display name `name` (an empty name takes it away).
  boost::asio::awaitable<std::error_code> set_group_name(std::string_view ward, std::string_view group,
                                                         std::string_view name);

  /// Records that `phone` now belongs to `carrier` (learnt from a carrier's answer, or from the ported file);
  /// shared by every gateway on this Redis.
  boost::asio::awaitable<std::error_code> set_ported(std::string_view phone, std::string_view carrier);

  /// Every ported number and its carrier (a few percent of numbers: read whole at start).
  boost::asio::awaitable<std::error_code> ported(std::map<std::string, std::string>& out);

  /// Keeps a reply for every ward that holds `phone` (or in loa:replies:unknown when none does), the newest
  /// 10,000 per ward; `wards` gets those wards.
  boost::asio::awaitable<std::error_code> keep_reply(const stored_reply& reply, std::vector<std::string>& wards);
  /// The ward's replies, newest first, at most `limit`.
  boost::asio::awaitable<std::error_code> replies(std::string_view ward, std::size_t limit,
                                                  std::vector<stored_reply>& out);

  /// The groups `ward` holds each of `numbers` in (empty for a number it no longer holds), in order: one
  /// pipelined request.
  boost::asio::awaitable<std::error_code> groups_of(std::string_view ward, const std::vector<std::string>& numbers,
                                                    std::vector<std::vector<std::string>>& out);

  /// One subscriber's record; `found` false when the ward does not hold the number.
  boost::asio::awaitable<std::error_code> get(std::string_view ward, std::string_view phone,
                                              subscriber_record& out, bool& found);

 private:
  /// The wards whose buckets hold `phone`.
  boost::asio::awaitable<std::error_code> holders(std::string_view phone, std::vector<std::string>& out);

  redis::connection& connection_;
};

/// The stored record value: groups, name, consent time and source, separated by 0x1F (unit separator).
std::string encode_record(const subscriber_record& r);
/// Reads a record value; `phone` is not part of it.
subscriber_record decode_record(std::string_view value);

/// Hex SHA-256, for forgotten opt-outs.
std::string sha256_hex(std::string_view text);

}  // namespace loa::broadcast
