// The configuration of loa: plain, validated structs loaded from YAML.
//
// Everything that changes between deployments (carriers, prefixes, retry rules, quiet hours) lives here, not
// in code. A bad file is refused at start-up with one exception type whose message is `FILE:LINE: what is
// wrong`, so an operator can go straight to the line. This header does not include yaml-cpp: YAML stays in
// config.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

namespace loa::config {

// The only exception of this module: thrown at start-up for any bad configuration file or ported-numbers
// file. what() is "FILE:LINE: reason" (LINE 1-based), or "FILE: reason" when no line applies (file
// unreadable).
class config_error : public std::runtime_error {
 public:
  // Builds the message from its parts; line 0 means "no line".
  config_error(std::string file, int line, std::string reason);
  // The file named in the message, as given to the loader.
  const std::string& file() const noexcept { return file_; }
  // The 1-based line, or 0 when the error is about the whole file.
  int line() const noexcept { return line_; }
  // The message without the "FILE:LINE: " prefix.
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string file_;
  int line_;
  std::string reason_;
};

// A password or other credential. Formatting it (fmt or operator<<) prints *** so a log line that includes a
// whole carrier never leaks it; only reveal() gives the value, and that name is easy to grep for in review.
class secret {
 public:
  // An empty secret (no password).
  secret() = default;
  // Holds value.
  explicit secret(std::string value) : value_(std::move(value)) {}
  // The secret itself, for the one call that needs it (bind, AUTH).
  const std::string& reveal() const noexcept { return value_; }
  // True when no secret was configured.
  bool empty() const noexcept { return value_.empty(); }
  // Compares values without revealing them in test output.
  friend bool operator==(const secret&, const secret&) = default;

 private:
  std::string value_;
};

// Prints "***" whatever the value.
std::ostream& operator<<(std::ostream& out, const secret& s);

// How an SMPP session binds (SMPP 3.4 section 4.1).
enum class bind_mode { transmitter, receiver, transceiver };
// How the receipted message id relates to the submit_sm_resp message id (carriers differ; DOMAIN.md).
enum class receipt_id_form { as_is, hex, dec };
// How a long message is split on the wire for this carrier.
enum class concat_method { udh8, udh16, sar, payload };
// What to do when a carrier answers a submit with a given command_status.
enum class status_action { retry, slow_down, permanent, rebind };
// How destination numbers are written on the wire: 84xxxxxxxxx (international) or 0xxxxxxxxx (national).
enum class number_form { international, national };
// A user's rights: sender sends for their wards, approver releases large sends, admin does everything.
enum class operator_role { sender, approver, admin };

// The spelling used in the YAML file ("transceiver", "as-is", "slow_down", ...); fmt prints enums this way.
std::string_view to_string(bind_mode v) noexcept;
std::string_view to_string(receipt_id_form v) noexcept;
std::string_view to_string(concat_method v) noexcept;
std::string_view to_string(status_action v) noexcept;
std::string_view to_string(number_form v) noexcept;
std::string_view to_string(operator_role v) noexcept;

namespace detail {
// The enums above, for the fmt::formatter below (fmt 9.1's format_as accepts integral results only).
template <typename E>
concept named_enum =
    std::is_same_v<E, bind_mode> || std::is_same_v<E, receipt_id_form> || std::is_same_v<E, concat_method> ||
    std::is_same_v<E, status_action> || std::is_same_v<E, number_form> || std::is_same_v<E, operator_role>;
}  // namespace detail

// A TCP endpoint such as 127.0.0.1:8787 or [::1]:8787 (brackets removed from host).
struct host_port {
  std::string host;
  std::uint16_t port = 0;
};

// A daily window, in local time, during which sends wait. from > to is a window across midnight.
struct quiet_hours {
  std::chrono::minutes from{0};  // minutes after local midnight, 0..1439
  std::chrono::minutes to{0};    // minutes after local midnight, 0..1439; the window is [from, to)
  // True when the local time of day (minutes after midnight, 0..1439) falls inside the window.
  bool contains(std::chrono::minutes time_of_day) const noexcept;
};

// gateway.tls: the files the HTTP API is served over HTTPS with (PEM).
struct tls_files {
  std::filesystem::path cert;  // certificate chain, the server's own first
  std::filesystem::path key;   // its private key
};

// gateway: what the HTTP listener accepts from clients it has not yet authenticated.
struct http_limits {
  int max_connections = 512;                // open connections in all; more are answered 503 and closed
  int max_connections_per_address = 64;     // from one client address (a proxy on this host is one)
  std::chrono::seconds header_timeout{10};  // a request's whole header, waiting included, must arrive in this
  std::uint64_t body_min_bytes_per_s = 8192;  // a body slower than this (after header_timeout's grace) is cut
  std::uint64_t max_import_bytes = 256ull << 20;  // max_import_mb: the largest CSV import body
};

// gateway: the HTTP API listener and the local clock.
// gateway.rate_limit: what the HTTP API takes from one operator and from bad tokens. The defaults are far
// above what a person, `loa status --watch` or `loa send --wait` ask.
struct rate_limit_config {
  double requests_per_second = 100;  // per operator token; faster requests get 429 with Retry-After
  int burst = 500;                   // requests a token may send at once before the rate applies
  int failed_logins_per_minute = 10;  // bad tokens per address and per token prefix (a decaying bucket)
};

struct gateway_config {
  host_port listen{"127.0.0.1", 8787};
  std::optional<tls_files> tls;  // absent: plain HTTP, allowed on loopback only
  http_limits http;
  std::chrono::minutes utc_offset{7 * 60};  // Vietnam is UTC+7 all year
  std::optional<quiet_hours> quiet;         // absent: no quiet hours
  rate_limit_config rate_limit;
  // True when `now` falls inside the quiet hours, in local time at utc_offset.
  bool quiet_at(std::chrono::system_clock::time_point now) const noexcept;
};

// redis: where the shared store and work queue live.
struct redis_config {
  // tcp for redis://, unix_socket for unix://, sentinel for sentinels + master, cluster for cluster
  enum class transport { tcp, unix_socket, sentinel, cluster };
  transport kind = transport::tcp;
  std::string host = "127.0.0.1";  // tcp only
  std::uint16_t port = 6379;       // tcp only
  std::filesystem::path socket;    // unix_socket only
  std::vector<host_port> sentinels;  // sentinel only: asked in turn for the primary's address
  std::string master;                // sentinel only: the name the sentinels monitor
  secret sentinel_password;          // sentinel only: AUTH for the sentinels (sentinel_password_env)
  std::vector<host_port> cluster;    // cluster only: seed nodes asked for the slot map (db is then 0)
  int db = 0;                      // SELECT after connect
  std::string username;            // Redis 6 ACL user; empty means AUTH with the password only
  secret password;                 // from the URL or password_env; empty means no AUTH
  // After each batch of claims, WAIT until this many replicas have it (0: no WAIT; 1 by default with
  // sentinels; with a cluster, set 1 when its primaries have replicas), at most wait_timeout: an
  // acknowledged claim then survives a failover.
  int wait_replicas = 0;
  std::chrono::milliseconds wait_timeout{100};
  // The URL without its password, safe to log.
  std::string display() const;
};

// The SMPP TON/NPI pair of an address.
struct ton_npi {
  std::uint8_t ton = 0;
  std::uint8_t npi = 0;
  friend bool operator==(const ton_npi&, const ton_npi&) = default;
};

// One SMSC connection set (one carrier). Defaults are those of DOMAIN.md and the SMPP 3.4 guidelines.
struct carrier_config {
  std::string name;
  std::string host;
  std::uint16_t port = 0;
  bool tls = false;         // SMPP over TLS, the SMSC's certificate verified for `host`
  std::string tls_ca;       // tls_ca: PEM file of the CA(s) to trust (resolved path); empty: the system store
  std::string system_id;    // at most 15 characters (SMPP C-Octet 16)
  secret password;          // at most 8 characters (SMPP C-Octet 9)
  std::string system_type;  // at most 12 characters; usually empty
  bind_mode bind = bind_mode::transceiver;
  int sessions = 1;                           // parallel binds, 1..64
  int window = 10;                            // unacknowledged submit_sm per session, 1..1000
  double tps = 100;                           // PDUs per second for the whole carrier, > 0
  std::chrono::seconds enquire_link{30};      // enquire_link_s
  std::chrono::seconds response_timeout{60};  // response_timeout_s: an unanswered request expires
  std::chrono::seconds reconnect_min{10};     // reconnect_min_s: first back-off
  std::chrono::seconds reconnect_max{120};    // reconnect_max_s: back-off cap
  receipt_id_form receipt_id = receipt_id_form::as_is;
  concat_method concat = concat_method::udh8;
  int max_parts = 0;                 // cap on parts per message; 0 in the file means limits.max_parts
  std::uint8_t data_coding_gsm = 0;  // data_coding this SMSC takes as the GSM default alphabet (0 or 1)
  ton_npi source{5, 0};              // source_ton/source_npi: alphanumeric brandname
  ton_npi dest{1, 1};                // dest_ton/dest_npi: international, ISDN
  number_form dest_number = number_form::international;  // dest_number; defaults from dest_ton (2 = national)
  std::optional<std::string> sender;  // brandname registered with this carrier, if not the default
  double price_per_part = 0;          // what the carrier bills per SMS part, in `currency`; 0: not configured
  std::vector<std::string> prefixes;  // international form, e.g. "8486"
  // command_status: the file's overrides of DOMAIN.md's table, which gateway/smpp/command_status.hpp holds.
  std::map<std::uint32_t, status_action> command_status;
  std::optional<status_action> other_status;  // command_status.other: any status neither table lists
};

// routing: which carrier gets a number.
struct routing_config {
  std::string default_carrier;                       // routing.default: numbers no prefix matches
  std::optional<std::filesystem::path> ported_file;  // resolved against the config file's directory
};

// One person or script allowed to use the API.
struct operator_config {
  std::string name;
  std::string token_sha256;        // 64 lower-case hex characters
  std::vector<std::string> wards;  // empty only for admin, meaning every ward
  operator_role role = operator_role::sender;
  std::string display_name;        // display_name: how people are shown the operator ("Nguyễn Thị Hoa"); may be empty
};

// wards.ID: what the configuration says about one ward beyond its id.
struct ward_config {
  std::string display_name;  // "Phường Long Thủy": shown beside the id, accepted at the send's confirmation
};

// approval: large sends wait for a second person.
struct approval_config {
  int above_recipients = 5000;  // a send to more recipients waits for an approver of the same ward
};

// confirmation: `loa send` without --yes asks the official to type the ward's name above this many recipients.
struct confirmation_config {
  std::uint64_t above_recipients = 1000;
};

// mo: keywords in citizens' replies, matched by the MO module without diacritics or case.
struct mo_config {
  std::vector<std::string> opt_out{"HUY", "TU CHOI"};
  std::vector<std::string> opt_in{"DK"};
  std::vector<std::string> help{"HD"};
  // Long replies come in parts: how long parts wait for the rest (then what came is read as it is), and how
  // many incomplete replies (and octets of their parts) a carrier's binds hold at once (the oldest give way).
  std::chrono::seconds reassembly_timeout{std::chrono::minutes(5)};
  std::size_t reassembly_max_messages = 1'000;
  std::size_t reassembly_max_bytes = 1'000'000;
};

// limits: defaults that apply to every carrier unless it says otherwise.
struct limits_config {
  int max_parts = 10;                        // parts per message, 1..255 (refused above, never truncated)
  std::chrono::seconds validity{24 * 3600};  // SMPP validity_period for notices
  // A submit whose answer was lost (crash, dropped bind, timeout) and that no receipt showed the carrier
  // took within the grace below: send it again (the carrier may then deliver it twice; DOMAIN.md: peers
  // resend), or only report it uncertain.
  bool resend_uncertain = true;              // limits.uncertain: resend | report
  // How long such a part waits at least for a receipt that shows the carrier took it (the campaign engine
  // waits 3 x the carrier's observed receipt delay, never less than this, never more than the validity).
  std::chrono::seconds uncertain_grace{60};  // limits.uncertain_grace
};

// The whole file.
struct configuration {
  std::filesystem::path file;  // where it was loaded from, as given
  gateway_config gateway;
  redis_config redis;
  std::string sender;  // default brandname (Decree 91/2020 rules)
  std::vector<carrier_config> carriers;
  routing_config routing;
  std::vector<operator_config> operators;
  std::map<std::string, ward_config> wards;  // wards: by id; a ward need not be listed
  std::filesystem::path templates_dir;  // resolved against the config file's directory
  approval_config approval;
  confirmation_config confirmation;
  std::string currency = "VND";  // of carriers' price_per_part, shown with the cost of a send
  mo_config mo;
  limits_config limits;
  // The keys whose secret is written in the file itself ("carriers.viettel.password", "redis.url"), not read
  // from the environment: what file_permissions.hpp warns about when others can read the file.
  std::vector<std::string> inline_secrets;
  // The carrier called name, or nullptr.
  const carrier_config* find_carrier(std::string_view name) const noexcept;
  // The ward's display_name, or its id when it has none.
  std::string ward_name(const std::string& ward) const;
  // The operator's display_name, or their login name when they have none (or are not configured).
  std::string operator_name(const std::string& name) const;
};

// Looks up an environment variable; nullopt when unset. Tests pass their own.
using env_lookup = std::function<std::optional<std::string>(const std::string& name)>;

// Reads the process environment (std::getenv).
std::optional<std::string> process_env(const std::string& name);

// Reads and validates a configuration file. Throws config_error.
configuration load_config(const std::filesystem::path& file, const env_lookup& env = process_env);

// Validates YAML text; name is used in messages and its directory resolves relative paths. Throws
// config_error.
configuration parse_config(std::string_view text, std::string_view name, const env_lookup& env = process_env);

// True for 127.0.0.0/8, ::1 and "localhost": only this host can reach a listener there (or be reached there).
bool is_loopback(const std::string& host);

// Checks a brandname sender against Decree 91/2020 Art. 23; returns what is wrong, or nullopt when valid.
std::optional<std::string> check_brandname(std::string_view sender);

// Ported numbers: number (as written in the file) -> carrier name.
using ported_map = std::map<std::string, std::string>;

// Reads a `number,carrier` CSV (optional header, # comments, blank lines); every carrier must exist in cfg.
// Throws config_error naming FILE:LINE.
ported_map load_ported(const std::filesystem::path& file, const configuration& cfg);

// The same on text already in memory; name is used in messages.
ported_map parse_ported(std::string_view text, std::string_view name, const configuration& cfg);

}  // namespace loa::config

// Prints "***": a secret never reaches a log by accident.
template <>
struct fmt::formatter<loa::config::secret> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(const loa::config::secret&, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format("***", ctx);
  }
};

// Prints a configuration enum with its YAML spelling.
template <loa::config::detail::named_enum E>
struct fmt::formatter<E> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(E v, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(loa::config::to_string(v), ctx);
  }
};
