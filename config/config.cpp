// YAML -> configuration. Every check reports the line of the offending node (yaml-cpp's Mark is 0-based).
#include "config/config.hpp"
#include "config/read_file.hpp"
#include "segments/name_match.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <ostream>
#include <set>
#include <sstream>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <yaml-cpp/yaml.h>

namespace loa::config {

namespace {

std::string make_what(const std::string& file, int line, const std::string& reason) {
  if (line > 0) return fmt::format("{}:{}: {}", file, line, reason);
  return fmt::format("{}: {}", file, reason);
}

}  // namespace

config_error::config_error(std::string file, int line, std::string reason)
    : std::runtime_error(make_what(file, line, reason)),
      file_(std::move(file)),
      line_(line),
      reason_(std::move(reason)) {}

std::ostream& operator<<(std::ostream& out, const secret&) {
  return out << "***";
}

std::string_view to_string(bind_mode v) noexcept {
  switch (v) {
    case bind_mode::transmitter:
      return "transmitter";
    case bind_mode::receiver:
      return "receiver";
    case bind_mode::transceiver:
      return "transceiver";
  }
  return "?";
}

std::string_view to_string(receipt_id_form v) noexcept {
  switch (v) {
    case receipt_id_form::as_is:
      return "as-is";
    case receipt_id_form::hex:
      return "hex";
    case receipt_id_form::dec:
      return "dec";
  }
  return "?";
}

std::string_view to_string(concat_method v) noexcept {
  switch (v) {
    case concat_method::udh8:
      return "udh8";
    case concat_method::udh16:
      return "udh16";
    case concat_method::sar:
      return "sar";
    case concat_method::payload:
      return "payload";
  }
  return "?";
}

std::string_view to_string(status_action v) noexcept {
  switch (v) {
    case status_action::retry:
      return "retry";
    case status_action::slow_down:
      return "slow_down";
    case status_action::permanent:
      return "permanent";
    case status_action::rebind:
      return "rebind";
  }
  return "?";
}

std::string_view to_string(number_form v) noexcept {
  switch (v) {
    case number_form::international:
      return "international";
    case number_form::national:
      return "national";
  }
  return "?";
}

std::string_view to_string(operator_role v) noexcept {
  switch (v) {
    case operator_role::sender:
      return "sender";
    case operator_role::approver:
      return "approver";
    case operator_role::admin:
      return "admin";
  }
  return "?";
}

bool quiet_hours::contains(std::chrono::minutes time_of_day) const noexcept {
  if (from == to) return false;
  if (from < to) return time_of_day >= from && time_of_day < to;
  return time_of_day >= from || time_of_day < to;  // across midnight, e.g. 21:30 -> 06:30
}

bool gateway_config::quiet_at(std::chrono::system_clock::time_point now) const noexcept {
  if (!quiet) return false;
  const auto local = std::chrono::floor<std::chrono::minutes>(now.time_since_epoch()) + utc_offset;
  return quiet->contains(std::chrono::minutes((local.count() % 1440 + 1440) % 1440));
}

std::string redis_config::display() const {
  auto joined = [](const std::vector<host_port>& nodes) {
    std::string list;
    for (const auto& s : nodes) {
      if (!list.empty()) list += ',';
      list += s.host.find(':') != std::string::npos ? fmt::format("[{}]:{}", s.host, s.port)
                                                    : fmt::format("{}:{}", s.host, s.port);
    }
    return list;
  };
  if (kind == transport::sentinel) return fmt::format("master {} db {} via sentinels {}", master, db, joined(sentinels));
  if (kind == transport::cluster) return fmt::format("cluster via {}", joined(cluster));
  if (kind == transport::unix_socket) {
    return db == 0 ? fmt::format("unix://{}", socket.string())
                   : fmt::format("unix://{}?db={}", socket.string(), db);
  }
  std::string userinfo;
  if (!password.empty())
    userinfo = username + ":***@";
  else if (!username.empty())
    userinfo = username + "@";
  const bool v6 = host.find(':') != std::string::npos;
  return fmt::format("redis://{}{}{}{}:{}/{}", userinfo, v6 ? "[" : "", host, v6 ? "]" : "", port, db);
}

const carrier_config* configuration::find_carrier(std::string_view name) const noexcept {
  for (const auto& c : carriers) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string configuration::ward_name(const std::string& ward) const {
  const auto it = wards.find(ward);
  return it == wards.end() || it->second.display_name.empty() ? ward : it->second.display_name;
}

std::string configuration::operator_name(const std::string& name) const {
  for (const auto& o : operators)
    if (o.name == name && !o.display_name.empty()) return o.display_name;
  return name;
}

std::optional<std::string> process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

std::optional<std::string> check_brandname(std::string_view s) {
  if (s.empty()) return "is empty";
  if (s.size() > 11) return fmt::format("'{}' is {} characters; a brandname has at most 11", s, s.size());
  bool all_digits = true;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '@') return fmt::format("'{}' contains '@', which is 0x00 in GSM-7 and breaks the address", s);
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.' || c == ' ';
    if (!ok) {
      if (c >= 0x80) {
        return fmt::format(
            "'{}' contains a non-Latin character; a brandname allows Latin letters, digits, "
            "'-', '_', '.' and space",
            s);
      }
      return fmt::format(
          "'{}' contains '{}'; a brandname allows Latin letters, digits, '-', '_', '.' and space", s, ch);
    }
    if (c < '0' || c > '9') all_digits = false;
  }
  if (all_digits) return fmt::format("'{}' is digits only; a brandname needs a letter (Decree 91/2020)", s);
  if (s.front() == ' ' || s.back() == ' ') return fmt::format("'{}' starts or ends with a space", s);
  return std::nullopt;
}

namespace {

namespace fs = std::filesystem;

int line_of(const YAML::Node& n) {
  if (!n.IsDefined()) return 0;
  const YAML::Mark m = n.Mark();
  return m.line >= 0 ? m.line + 1 : 0;
}

// What the parser carries from node to node.
struct context {
  std::string file;
  fs::path base_dir;
  const env_lookup& env;
  // Values whose own mark misleads: an empty value (`key:`) is marked where the next token starts, and a
  // block mapping where its first key is. For those, messages point at the line of the key that owns them.
  mutable std::vector<std::pair<YAML::Node, int>> key_lines;
  // Keys whose secret is written in the file (configuration::inline_secrets), in the order read.
  mutable std::vector<std::string> inline_secrets;

  // The line of the key that owns value, or 0 when it has none recorded.
  int key_line(const YAML::Node& value) const {
    for (const auto& [node, line] : key_lines) {
      if (node.is(value)) return line;
    }
    return 0;
  }
  // The line a message about node should name.
  int line(const YAML::Node& node) const {
    if (node.IsDefined() && node.IsNull()) {
      if (const int l = key_line(node)) return l;
    }
    return line_of(node);
  }
};

[[noreturn]] void fail(const context& cx, int line, std::string reason) {
  throw config_error(cx.file, line, std::move(reason));
}

[[noreturn]] void fail(const context& cx, const YAML::Node& at, std::string reason) {
  fail(cx, cx.line(at), std::move(reason));
}

std::string_view kind_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "a value";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Undefined:
      return "nothing";
  }
  return "something else";
}

std::string join(const std::vector<std::string_view>& items, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0) out += sep;
    out += items[i];
  }
  return out;
}

// A mapping whose keys have been checked: every key known, none twice. Lookups never create nodes.
class mapping {
 public:
  mapping(const context& cx, const YAML::Node& node, std::string path, std::vector<std::string_view> allowed)
      : cx_(cx), node_(node), path_(std::move(path)) {
    if (!node.IsMap())
      fail(cx, node, fmt::format("{}: expected a mapping, found {}", prefix(), kind_name(node)));
    for (auto it = node.begin(); it != node.end(); ++it) {
      const YAML::Node key = it->first;
      if (!key.IsScalar()) fail(cx, key, fmt::format("{}: a key must be a plain name", path_));
      const std::string& k = key.Scalar();
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        std::string_view best;
        std::size_t best_d = 3;
        for (auto a : allowed) {
          const std::size_t d = segments::edit_distance(k, a);
          if (d < best_d) {
            best_d = d;
            best = a;
          }
        }
        if (!best.empty()) {
          fail(cx, key, fmt::format("{}: unknown key '{}' (did you mean '{}'?)", prefix(), k, best));
        }
        fail(cx, key, fmt::format("{}: unknown key '{}'; allowed: {}", prefix(), k, join(allowed, ", ")));
      }
      for (const auto& e : entries_) {
        if (e.name == k) {
          fail(cx, key,
               fmt::format("{}: key '{}' given twice (first on line {})", prefix(), k, line_of(e.key)));
        }
      }
      entries_.push_back({k, key, it->second});
      if (it->second.IsNull() || it->second.IsMap()) cx.key_lines.emplace_back(it->second, line_of(key));
    }
  }

  // The value of key, or an undefined node.
  std::optional<YAML::Node> get(std::string_view key) const {
    for (const auto& e : entries_) {
      if (e.name == key) return e.value;
    }
    return std::nullopt;
  }

  // The value of key; missing is an error at the mapping's line.
  YAML::Node require(std::string_view key) const {
    if (auto v = get(key)) return *v;
    const int owner = cx_.key_line(node_);
    fail(cx_, owner != 0 ? owner : line_of(node_),
         fmt::format("{}: missing required key '{}'", prefix(), key));
  }

  // The key node itself, for errors that point at the key.
  YAML::Node key_node(std::string_view key) const {
    for (const auto& e : entries_) {
      if (e.name == key) return e.key;
    }
    return node_;
  }

  // The dotted path of a child key, for messages.
  std::string path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  const YAML::Node& node() const { return node_; }

 private:
  std::string prefix() const { return path_.empty() ? "top level" : path_; }

  struct entry {
    std::string name;
    YAML::Node key;
    YAML::Node value;
  };
  const context& cx_;
  YAML::Node node_;
  std::string path_;
  std::vector<entry> entries_;
};

std::string read_string(const context& cx, const YAML::Node& n, const std::string& path) {
  if (!n.IsScalar()) fail(cx, n, fmt::format("{}: expected a string, found {}", path, kind_name(n)));
  return n.Scalar();
}

std::string read_nonempty(const context& cx, const YAML::Node& n, const std::string& path) {
  std::string s = read_string(cx, n, path);
  if (s.empty()) fail(cx, n, fmt::format("{}: must not be empty", path));
  return s;
}

long long read_int(const context& cx, const YAML::Node& n, const std::string& path, long long min,
                   long long max) {
  if (!n.IsScalar()) fail(cx, n, fmt::format("{}: expected an integer, found {}", path, kind_name(n)));
  const std::string& s = n.Scalar();
  long long v = 0;
  const char* b = s.data();
  const char* e = s.data() + s.size();
  if (b != e && *b == '+') ++b;
  auto [p, ec] = std::from_chars(b, e, v);
  if (ec == std::errc::result_out_of_range) {
    fail(cx, n, fmt::format("{}: {} is out of range {}..{}", path, s, min, max));
  }
  if (ec != std::errc() || p != e || b == e) {
    fail(cx, n, fmt::format("{}: expected an integer, found '{}'", path, s));
  }
  if (v < min || v > max) fail(cx, n, fmt::format("{}: {} is out of range {}..{}", path, s, min, max));
  return v;
}

template <typename T>
T read_int_as(const context& cx, const YAML::Node& n, const std::string& path, long long min, long long max) {
  return static_cast<T>(read_int(cx, n, path, min, max));
}

double read_number(const context& cx, const YAML::Node& n, const std::string& path) {
  if (!n.IsScalar()) fail(cx, n, fmt::format("{}: expected a number, found {}", path, kind_name(n)));
  const std::string& s = n.Scalar();
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty() || !std::isfinite(v)) {
    fail(cx, n, fmt::format("{}: expected a number, found '{}'", path, s));
  }
  return v;
}

double read_positive(const context& cx, const YAML::Node& n, const std::string& path, double max) {
  const double v = read_number(cx, n, path);
  if (v <= 0 || v > max)
    fail(cx, n, fmt::format("{}: {} is out of range: must be > 0 and at most {}", path, n.Scalar(), max));
  return v;
}

double read_non_negative(const context& cx, const YAML::Node& n, const std::string& path, double max) {
  const double v = read_number(cx, n, path);
  if (v < 0 || v > max)
    fail(cx, n, fmt::format("{}: {} is out of range: must be between 0 and {}", path, n.Scalar(), max));
  return v;
}

template <typename E, std::size_t N>
E read_enum(const context& cx, const YAML::Node& n, const std::string& path,
            const std::array<std::pair<std::string_view, E>, N>& table) {
  const std::string s = read_string(cx, n, path);
  std::vector<std::string_view> names;
  for (const auto& [name, value] : table) {
    if (name == s) return value;
    names.push_back(name);
  }
  fail(cx, n, fmt::format("{}: unknown value '{}'; expected {}", path, s, join(names, " | ")));
}

std::vector<std::string> read_string_list(const context& cx, const YAML::Node& n, const std::string& path) {
  if (!n.IsSequence()) fail(cx, n, fmt::format("{}: expected a list, found {}", path, kind_name(n)));
  std::vector<std::string> out;
  std::size_t i = 0;
  for (const auto& item : n) out.push_back(read_nonempty(cx, item, fmt::format("{}[{}]", path, i++)));
  return out;
}

// "HH:MM" -> minutes after midnight.
std::optional<int> parse_hh_mm(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (std::size_t i : {0U, 1U, 3U, 4U}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::chrono::minutes read_time_of_day(const context& cx, const YAML::Node& n, const std::string& path) {
  const std::string s = read_string(cx, n, path);
  auto v = parse_hh_mm(s);
  if (!v) fail(cx, n, fmt::format("{}: '{}' is not a time of day HH:MM (00:00..23:59)", path, s));
  return std::chrono::minutes(*v);
}

std::chrono::minutes read_utc_offset(const context& cx, const YAML::Node& n, const std::string& path) {
  const std::string s = read_string(cx, n, path);
  std::optional<int> v;
  if (s.size() == 6 && (s[0] == '+' || s[0] == '-')) v = parse_hh_mm(std::string_view(s).substr(1));
  if (!v || *v > 14 * 60) {
    fail(cx, n, fmt::format("{}: '{}' is not a UTC offset like \"+07:00\" (-12:00..+14:00)", path, s));
  }
  const int minutes = s[0] == '-' ? -*v : *v;
  if (minutes < -12 * 60) fail(cx, n, fmt::format("{}: '{}' is out of range -12:00..+14:00", path, s));
  return std::chrono::minutes(minutes);
}

// "86400", "3600s", "90m", "24h", "2d" -> seconds.
std::chrono::seconds read_duration(const context& cx, const YAML::Node& n, const std::string& path,
                                   std::chrono::seconds min, std::chrono::seconds max) {
  const std::string s = read_string(cx, n, path);
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  long long unit = 0;
  const std::string_view rest(p, static_cast<std::size_t>(s.data() + s.size() - p));
  if (ec == std::errc() && v >= 0) {
    if (rest.empty() || rest == "s")
      unit = 1;
    else if (rest == "m")
      unit = 60;
    else if (rest == "h")
      unit = 3600;
    else if (rest == "d")
      unit = 86400;
  }
  if (unit == 0 || v > std::numeric_limits<long long>::max() / unit) {
    fail(cx, n, fmt::format("{}: '{}' is not a duration like 3600, 90m, 24h or 2d", path, s));
  }
  const std::chrono::seconds d(v * unit);
  if (d < min || d > max) {
    fail(cx, n, fmt::format("{}: '{}' is out of range {}s..{}s", path, s, min.count(), max.count()));
  }
  return d;
}

// host:port, [v6]:port.
host_port read_host_port(const context& cx, const YAML::Node& n, const std::string& path) {
  const std::string s = read_string(cx, n, path);
  host_port hp;
  std::string port;
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    if (close != std::string::npos && close + 1 < s.size() && s[close + 1] == ':') {
      hp.host = s.substr(1, close - 1);
      port = s.substr(close + 2);
    }
  } else if (const auto colon = s.rfind(':'); colon != std::string::npos && s.find(':') == colon) {
    hp.host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  if (hp.host.empty() || port.empty()) {
    fail(cx, n, fmt::format("{}: '{}' is not host:port (for example 127.0.0.1:8787)", path, s));
  }
  unsigned v = 0;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
  if (ec != std::errc() || p != port.data() + port.size() || v < 1 || v > 65535) {
    fail(cx, n, fmt::format("{}: port '{}' is out of range 1..65535", path, port));
  }
  hp.port = static_cast<std::uint16_t>(v);
  return hp;
}

// Relative paths are relative to the config file's directory. CONTRACT.md's example writes them from the
// project root instead (config/ported.csv inside config/loa.yaml); that form keeps working: when the
// file-relative path does not exist and the working-directory one does, the latter is taken.
fs::path resolve(const context& cx, const std::string& p) {
  fs::path path(p);
  if (!path.is_relative()) return path.lexically_normal();
  const fs::path beside_config = (cx.base_dir / path).lexically_normal();
  std::error_code ec;
  if (!fs::exists(beside_config, ec) && fs::exists(path, ec)) return path.lexically_normal();
  return beside_config;
}

// password / password_env, never both. Reads the environment now so a missing variable stops the start.
secret read_secret(const context& cx, const mapping& m, std::size_t max_len) {
  auto plain = m.get("password");
  auto env_name = m.get("password_env");
  if (plain && env_name) {
    fail(cx, m.key_node("password_env"),
         fmt::format("{}: give either password or password_env, not both", m.path("password_env")));
  }
  std::string value;
  YAML::Node at;
  if (plain) {
    at = *plain;
    value = read_string(cx, *plain, m.path("password"));
    if (!value.empty()) cx.inline_secrets.push_back(m.path("password"));
  } else if (env_name) {
    at = *env_name;
    const std::string name = read_nonempty(cx, *env_name, m.path("password_env"));
    auto v = cx.env(name);
    if (!v) fail(cx, at, fmt::format("{}: environment variable {} is not set", m.path("password_env"), name));
    if (v->empty())
      fail(cx, at, fmt::format("{}: environment variable {} is empty", m.path("password_env"), name));
    value = std::move(*v);
  }
  if (value.size() > max_len) {
    // Never echo the value: it is a secret.
    fail(cx, at,
         fmt::format("{}: the password is {} characters; at most {} allowed", m.path("password"),
                     value.size(), max_len));
  }
  return secret(std::move(value));
}

bool is_slug(std::string_view s, std::size_t max) {
  if (s.empty() || s.size() > max) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::string percent_decode(const context& cx, const YAML::Node& at, const std::string& path,
                           std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    unsigned v = 0;
    if (i + 2 >= s.size() ||
        std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16).ptr != s.data() + i + 3) {
      fail(cx, at, fmt::format("{}: bad %-escape in the URL", path));
    }
    out += static_cast<char>(v);
    i += 2;
  }
  return out;
}

// ---- sections ---------------------------------------------------------------------------------------------

rate_limit_config read_rate_limit(const context& cx, const YAML::Node& n, const std::string& path) {
  const mapping m(cx, n, path, {"requests_per_second", "burst", "failed_logins_per_minute"});
  rate_limit_config r;
  if (auto v = m.get("requests_per_second"))
    r.requests_per_second = read_positive(cx, *v, m.path("requests_per_second"), 1e6);
  if (auto v = m.get("burst")) r.burst = read_int_as<int>(cx, *v, m.path("burst"), 1, 1'000'000);
  if (auto v = m.get("failed_logins_per_minute"))
    r.failed_logins_per_minute = read_int_as<int>(cx, *v, m.path("failed_logins_per_minute"), 1, 10'000);
  return r;
}

// A file the gateway will read at start (a certificate, a key): resolved like every path, and refused now,
// naming it, when it cannot be opened, so that the service never starts half-configured.
fs::path read_readable_file(const context& cx, const YAML::Node& n, const std::string& path) {
  const fs::path file = resolve(cx, read_nonempty(cx, n, path));
  std::error_code ec;
  if (fs::is_directory(file, ec))
    fail(cx, n, fmt::format("{}: {} is a directory, not a file", path, file.string()));
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (f == nullptr)
    fail(cx, n, fmt::format("{}: cannot read {}: {}", path, file.string(), std::strerror(errno)));
  std::fclose(f);
  return file;
}

gateway_config read_gateway(const context& cx, const YAML::Node& n) {
  const mapping m(
      cx, n, "gateway",
      {"listen", "utc_offset", "quiet_hours", "rate_limit", "tls", "max_connections",
       "max_connections_per_address", "header_timeout_s", "body_min_bytes_per_s", "max_import_mb"});
  gateway_config g;
  if (auto v = m.get("listen")) g.listen = read_host_port(cx, *v, m.path("listen"));
  if (auto v = m.get("tls"); v && !v->IsNull()) {
    const mapping t(cx, *v, m.path("tls"), {"cert", "key"});
    g.tls = tls_files{read_readable_file(cx, t.require("cert"), t.path("cert")),
                      read_readable_file(cx, t.require("key"), t.path("key"))};
  }
  if (!g.tls && !is_loopback(g.listen.host)) {
    // Tokens and citizens' numbers must not cross a network in clear.
    fail(cx, m.get("listen") ? *m.get("listen") : m.node(),
         fmt::format(
             "{}: {} is not a loopback address, and gateway.tls is not set: the API carries tokens and "
             "citizens' numbers, so it is served beyond this host over HTTPS only. Add gateway.tls "
             "{{cert, key}}, or listen on 127.0.0.1 behind a reverse proxy that serves HTTPS",
             m.path("listen"), g.listen.host));
  }
  auto& h = g.http;
  if (auto v = m.get("max_connections"))
    h.max_connections = read_int_as<int>(cx, *v, m.path("max_connections"), 1, 1'000'000);
  if (auto v = m.get("max_connections_per_address"))
    h.max_connections_per_address =
        read_int_as<int>(cx, *v, m.path("max_connections_per_address"), 1, 1'000'000);
  if (auto v = m.get("header_timeout_s"))
    h.header_timeout = std::chrono::seconds(read_int(cx, *v, m.path("header_timeout_s"), 1, 3600));
  if (auto v = m.get("body_min_bytes_per_s"))
    h.body_min_bytes_per_s = read_int_as<std::uint64_t>(cx, *v, m.path("body_min_bytes_per_s"), 1, 1ll << 40);
  if (auto v = m.get("max_import_mb"))
    h.max_import_bytes = read_int_as<std::uint64_t>(cx, *v, m.path("max_import_mb"), 1, 1ll << 20) << 20;
  if (auto v = m.get("utc_offset")) g.utc_offset = read_utc_offset(cx, *v, m.path("utc_offset"));
  if (auto v = m.get("quiet_hours"); v && !v->IsNull()) {
    const mapping q(cx, *v, m.path("quiet_hours"), {"from", "to"});
    quiet_hours w;
    w.from = read_time_of_day(cx, q.require("from"), q.path("from"));
    w.to = read_time_of_day(cx, q.require("to"), q.path("to"));
    if (w.from == w.to) {
      fail(cx, q.require("to"),
           fmt::format("{}: from and to are equal; remove quiet_hours to have none", m.path("quiet_hours")));
    }
    g.quiet = w;
  }
  if (auto v = m.get("rate_limit")) g.rate_limit = read_rate_limit(cx, *v, m.path("rate_limit"));
  return g;
}

// A non-empty list of distinct host:port (redis.sentinels, redis.cluster).
std::vector<host_port> read_host_port_list(const context& cx, const YAML::Node& list, const std::string& path) {
  if (!list.IsSequence() || list.size() == 0) {
    fail(cx, list,
         fmt::format("{}: expected a list of host:port, found {}", path,
                     list.IsSequence() ? "an empty list" : kind_name(list)));
  }
  std::vector<host_port> out;
  std::size_t i = 0;
  for (const auto& item : list) {
    const std::string item_path = fmt::format("{}[{}]", path, i++);
    auto hp = read_host_port(cx, item, item_path);
    for (const auto& seen : out)
      if (seen.host == hp.host && seen.port == hp.port)
        fail(cx, item, fmt::format("{}: {}:{} is listed twice", item_path, hp.host, hp.port));
    out.push_back(std::move(hp));
  }
  return out;
}

// redis.sentinels + redis.master (+ db, sentinel_password_env): the primary is whatever the sentinels name.
void read_redis_sentinels(const context& cx, const mapping& m, redis_config& r) {
  const auto list = m.get("sentinels");
  const auto master = m.get("master");
  if (!list) fail(cx, *master, "redis.master: needs redis.sentinels, the sentinels that monitor it");
  if (!master) fail(cx, m.key_node("sentinels"), "redis: missing required key 'master' (the name the sentinels monitor)");
  r.sentinels = read_host_port_list(cx, *list, "redis.sentinels");
  r.kind = redis_config::transport::sentinel;
  r.master = read_nonempty(cx, *master, "redis.master");
  if (r.master.find_first_of(" \t\r\n") != std::string::npos)
    fail(cx, *master, "redis.master: a sentinel master name has no spaces");
  if (auto v = m.get("db")) r.db = read_int_as<int>(cx, *v, "redis.db", 0, 255);
  if (auto v = m.get("sentinel_password_env")) {
    const std::string name = read_nonempty(cx, *v, "redis.sentinel_password_env");
    auto value = cx.env(name);
    if (!value || value->empty()) {
      fail(cx, *v, fmt::format("redis.sentinel_password_env: environment variable {} is {}", name,
                               value ? "empty" : "not set"));
    }
    r.sentinel_password = secret(std::move(*value));
  }
  r.wait_replicas = 1;  // a sentinel set-up has replicas: a claim is acknowledged once one has it
}

// redis.cluster: the seed nodes of a Redis Cluster, which has only database 0.
void read_redis_cluster(const context& cx, const mapping& m, redis_config& r) {
  r.cluster = read_host_port_list(cx, *m.get("cluster"), "redis.cluster");
  r.kind = redis_config::transport::cluster;
  if (auto v = m.get("db"); v && read_int_as<int>(cx, *v, "redis.db", 0, 255) != 0)
    fail(cx, *v, "redis.db: a Redis Cluster has only database 0; remove redis.db or set it to 0");
  if (m.get("sentinel_password_env"))
    fail(cx, m.key_node("sentinel_password_env"), "redis.sentinel_password_env: only with redis.sentinels + master");
}

redis_config read_redis(const context& cx, const YAML::Node& n) {
  const mapping m(cx, n, "redis",
                  {"url", "password_env", "sentinels", "master", "cluster", "db", "sentinel_password_env",
                   "wait_replicas", "wait_timeout_ms"});
  redis_config r;
  std::optional<YAML::Node> url_node = m.get("url");
  if (url_node && (m.get("sentinels") || m.get("master"))) {
    fail(cx, m.key_node(m.get("sentinels") ? "sentinels" : "master"),
         "redis: give either url or sentinels + master, not both");
  }
  if (m.get("cluster") && (url_node || m.get("sentinels") || m.get("master"))) {
    fail(cx, m.key_node("cluster"),
         "redis: give one of url, sentinels + master, or cluster (the seed nodes of a Redis Cluster)");
  }
  if (m.get("cluster")) {
    read_redis_cluster(cx, m, r);
  } else if (m.get("sentinels") || m.get("master")) {
    read_redis_sentinels(cx, m, r);
  } else {
    for (const char* key : {"db", "sentinel_password_env"}) {
      if (m.get(key)) {
        fail(cx, m.key_node(key),
             fmt::format("redis.{}: only with redis.sentinels + master{}", key,
                         std::string_view(key) == "db" ? " (with url, the database is the URL's /DB)" : ""));
      }
    }
  }
  if (auto v = m.get("wait_replicas")) r.wait_replicas = read_int_as<int>(cx, *v, "redis.wait_replicas", 0, 16);
  if (auto v = m.get("wait_timeout_ms")) {
    // WAIT n 0 would block forever: at least 1 ms.
    r.wait_timeout = std::chrono::milliseconds(read_int(cx, *v, "redis.wait_timeout_ms", 1, 60'000));
  }
  if (url_node) {
    const std::string path = m.path("url");
    const std::string url = read_nonempty(cx, *url_node, path);
    auto bad = [&](std::string_view why) {
      // The URL may hold a password: name the problem, not the URL.
      fail(cx, *url_node,
           fmt::format("{}: {} (expected redis://[:PASSWORD@]HOST[:PORT][/DB] or unix:///PATH[?db=N])", path,
                       why));
    };
    auto read_db = [&](std::string_view s) {
      int db = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), db);
      if (s.empty() || ec != std::errc() || p != s.data() + s.size() || db < 0 || db > 255) {
        bad("the database number must be 0..255");
      }
      return db;
    };
    if (url.rfind("unix://", 0) == 0) {
      r.kind = redis_config::transport::unix_socket;
      std::string rest = url.substr(7);
      if (const auto q = rest.find('?'); q != std::string::npos) {
        const std::string query = rest.substr(q + 1);
        rest.resize(q);
        if (query.rfind("db=", 0) != 0) bad("the only query parameter is db=N");
        r.db = read_db(std::string_view(query).substr(3));
      }
      if (rest.empty() || rest.front() != '/') bad("a unix socket path must be absolute");
      r.socket = rest;
    } else if (url.rfind("redis://", 0) == 0) {
      std::string rest = url.substr(8);
      std::string authority = rest.substr(0, rest.find('/'));
      const std::string tail =
          rest.size() > authority.size() ? rest.substr(authority.size() + 1) : std::string();
      if (const auto at = authority.rfind('@'); at != std::string::npos) {
        const std::string userinfo = authority.substr(0, at);
        authority = authority.substr(at + 1);
        const auto colon = userinfo.find(':');
        if (colon == std::string::npos) {
          bad("the user part must be :PASSWORD or USER:PASSWORD");
        }
        r.username = percent_decode(cx, *url_node, path, std::string_view(userinfo).substr(0, colon));
        r.password =
            secret(percent_decode(cx, *url_node, path, std::string_view(userinfo).substr(colon + 1)));
        if (!r.password.empty()) cx.inline_secrets.push_back(path);
      }
      std::string port;
      if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string::npos) bad("unclosed '[' in the host");
        r.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size()) {
          if (authority[close + 1] != ':') bad("expected ':' after ']'");
          port = authority.substr(close + 2);
          if (port.empty()) bad("empty port");
        }
      } else {
        const auto colon = authority.find(':');
        r.host = authority.substr(0, colon);
        if (colon != std::string::npos) {
          port = authority.substr(colon + 1);
          if (port.empty()) bad("empty port");
        }
      }
      if (r.host.empty()) bad("no host");
      if (!port.empty()) {
        unsigned v = 0;
        auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
        if (ec != std::errc() || p != port.data() + port.size() || v < 1 || v > 65535) {
          bad("the port must be 1..65535");
        }
        r.port = static_cast<std::uint16_t>(v);
      }
      if (!tail.empty()) r.db = read_db(tail);
    } else {
      bad("unknown scheme");
    }
  }
  if (auto v = m.get("password_env")) {
    const std::string name = read_nonempty(cx, *v, m.path("password_env"));
    if (!r.password.empty()) {
      fail(cx, *v,
           fmt::format("{}: the URL already has a password; give it in one place only",
                       m.path("password_env")));
    }
    auto value = cx.env(name);
    if (!value)
      fail(cx, *v, fmt::format("{}: environment variable {} is not set", m.path("password_env"), name));
    if (value->empty()) {
      fail(cx, *v, fmt::format("{}: environment variable {} is empty", m.path("password_env"), name));
    }
    r.password = secret(std::move(*value));
  }
  return r;
}

constexpr std::array<std::pair<std::string_view, bind_mode>, 3> bind_names{{
    {"transmitter", bind_mode::transmitter},
    {"receiver", bind_mode::receiver},
    {"transceiver", bind_mode::transceiver},
}};
constexpr std::array<std::pair<std::string_view, receipt_id_form>, 3> receipt_names{{
    {"as-is", receipt_id_form::as_is},
    {"hex", receipt_id_form::hex},
    {"dec", receipt_id_form::dec},
}};
constexpr std::array<std::pair<std::string_view, concat_method>, 4> concat_names{{
    {"udh8", concat_method::udh8},
    {"udh16", concat_method::udh16},
    {"sar", concat_method::sar},
    {"payload", concat_method::payload},
}};
constexpr std::array<std::pair<std::string_view, status_action>, 4> action_names{{
    {"retry", status_action::retry},
    {"slow_down", status_action::slow_down},
    {"permanent", status_action::permanent},
    {"rebind", status_action::rebind},
}};
constexpr std::array<std::pair<std::string_view, number_form>, 2> number_form_names{{
    {"international", number_form::international},
    {"national", number_form::national},
}};
constexpr std::array<std::pair<std::string_view, operator_role>, 3> role_names{{
    {"sender", operator_role::sender},
    {"approver", operator_role::approver},
    {"admin", operator_role::admin},
}};

std::string read_brandname(const context& cx, const YAML::Node& n, const std::string& path) {
  std::string s = read_string(cx, n, path);
  if (auto why = check_brandname(s)) fail(cx, n, fmt::format("{}: invalid brandname: {}", path, *why));
  return s;
}

std::uint32_t read_status_code(const context& cx, const YAML::Node& key, const std::string& path) {
  const std::string s = read_string(cx, key, path);
  std::uint32_t v = 0;
  std::from_chars_result r{};
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    r = std::from_chars(s.data() + 2, s.data() + s.size(), v, 16);
  } else {
    r = std::from_chars(s.data(), s.data() + s.size(), v, 10);
  }
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) {
    fail(cx, key,
         fmt::format("{}: '{}' is not a command_status (hex like 0x58 or decimal like 88, or 'other')", path,
                     s));
  }
  if (v == 0) fail(cx, key, fmt::format("{}: status 0 is ESME_ROK, not an error", path));
  return v;
}

// A carrier and the nodes that checks across carriers point at.
struct carrier_read {
  carrier_config carrier;
  YAML::Node name_node;
  std::vector<YAML::Node> prefix_nodes;
};

// tls / tls_ca. The CA file is read at start so that a wrong path stops the gateway with FILE:LINE, not every
// bind at run time.
void read_carrier_tls(const context& cx, const mapping& m, carrier_config& c) {
  if (auto v = m.get("tls")) {
    const std::string s = read_string(cx, *v, m.path("tls"));
    if (s != "true" && s != "false")
      fail(cx, *v, fmt::format("{}: '{}' is not true or false", m.path("tls"), s));
    c.tls = s == "true";
  }
  if (auto v = m.get("tls_ca")) {
    if (!c.tls)
      fail(cx, *v,
           fmt::format("{}: given but tls is not true; add `tls: true` to bind over TLS", m.path("tls_ca")));
    c.tls_ca = resolve(cx, read_nonempty(cx, *v, m.path("tls_ca"))).string();
    std::ifstream file(c.tls_ca);
    std::stringstream pem;
    pem << file.rdbuf();
    if (!file) fail(cx, *v, fmt::format("{}: cannot read {}", m.path("tls_ca"), c.tls_ca));
    if (pem.str().find("-----BEGIN CERTIFICATE-----") == std::string::npos)
      fail(cx, *v, fmt::format("{}: {} holds no PEM certificate", m.path("tls_ca"), c.tls_ca));
  }
}

carrier_read read_carrier(const context& cx, const YAML::Node& n, std::size_t index, int default_max_parts) {
  // Name first, so every later message can say which carrier.
  std::string path = fmt::format("carriers[{}]", index);
  if (n.IsMap()) {
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == "name" && it->second.IsScalar() &&
          is_slug(it->second.Scalar(), 32)) {
        path = "carriers." + it->second.Scalar();
      }
    }
  }
  const mapping m(cx, n, path,
                  {"name",
                   "host",
                   "port",
                   "tls",
                   "tls_ca",
                   "system_id",
                   "password",
                   "password_env",
                   "system_type",
                   "bind",
                   "sessions",
                   "window",
                   "tps",
                   "enquire_link_s",
                   "response_timeout_s",
                   "reconnect_min_s",
                   "reconnect_max_s",
                   "receipt_id",
                   "concat",
                   "max_parts",
                   "data_coding_gsm",
                   "source_ton",
                   "source_npi",
                   "dest_ton",
                   "dest_npi",
                   "dest_number",
                   "sender",
                   "price_per_part",
                   "prefixes",
                   "command_status"});
  carrier_read out;
  carrier_config& c = out.carrier;
  {
    const YAML::Node v = m.require("name");
    out.name_node = v;
    c.name = read_nonempty(cx, v, m.path("name"));
    if (!is_slug(c.name, 32)) {
      fail(cx, v,
           fmt::format("{}: '{}' must be 1..32 characters of a-z, 0-9, '-', '_'", m.path("name"), c.name));
    }
  }
  c.host = read_nonempty(cx, m.require("host"), m.path("host"));
  c.port = read_int_as<std::uint16_t>(cx, m.require("port"), m.path("port"), 1, 65535);
  read_carrier_tls(cx, m, c);
  {
    const YAML::Node v = m.require("system_id");
    c.system_id = read_nonempty(cx, v, m.path("system_id"));
    if (c.system_id.size() > 15) {
      fail(cx, v,
           fmt::format("{}: '{}' is {} characters; SMPP allows at most 15", m.path("system_id"), c.system_id,
                       c.system_id.size()));
    }
  }
  c.password = read_secret(cx, m, 8);
  if (auto v = m.get("system_type")) {
    c.system_type = read_string(cx, *v, m.path("system_type"));
    if (c.system_type.size() > 12) {
      fail(cx, *v,
           fmt::format("{}: '{}' is {} characters; SMPP allows at most 12", m.path("system_type"),
                       c.system_type, c.system_type.size()));
    }
  }
  if (auto v = m.get("bind")) c.bind = read_enum(cx, *v, m.path("bind"), bind_names);
  if (auto v = m.get("sessions")) c.sessions = read_int_as<int>(cx, *v, m.path("sessions"), 1, 64);
  if (auto v = m.get("window")) c.window = read_int_as<int>(cx, *v, m.path("window"), 1, 1000);
  if (auto v = m.get("tps")) c.tps = read_positive(cx, *v, m.path("tps"), 1'000'000);
  if (auto v = m.get("enquire_link_s")) {
    c.enquire_link = std::chrono::seconds(read_int(cx, *v, m.path("enquire_link_s"), 1, 3600));
  }
  if (auto v = m.get("response_timeout_s")) {
    c.response_timeout = std::chrono::seconds(read_int(cx, *v, m.path("response_timeout_s"), 1, 600));
  }
  if (auto v = m.get("reconnect_min_s")) {
    c.reconnect_min = std::chrono::seconds(read_int(cx, *v, m.path("reconnect_min_s"), 1, 3600));
  }
  if (auto v = m.get("reconnect_max_s")) {
    c.reconnect_max = std::chrono::seconds(read_int(cx, *v, m.path("reconnect_max_s"), 1, 3600));
  }
  if (c.reconnect_max < c.reconnect_min) {
    const YAML::Node at = m.get("reconnect_max_s").value_or(m.get("reconnect_min_s").value_or(n));
    fail(cx, at,
         fmt::format("{}: reconnect_max_s ({}) is below reconnect_min_s ({})", path, c.reconnect_max.count(),
                     c.reconnect_min.count()));
  }
  if (auto v = m.get("receipt_id")) c.receipt_id = read_enum(cx, *v, m.path("receipt_id"), receipt_names);
  if (auto v = m.get("concat")) c.concat = read_enum(cx, *v, m.path("concat"), concat_names);
  c.max_parts = default_max_parts;
  if (auto v = m.get("max_parts")) c.max_parts = read_int_as<int>(cx, *v, m.path("max_parts"), 1, 255);
  if (auto v = m.get("data_coding_gsm")) {
    c.data_coding_gsm = read_int_as<std::uint8_t>(cx, *v, m.path("data_coding_gsm"), 0, 1);
  }
  auto read_npi = [&](std::string_view key, std::uint8_t& npi_out) {
    if (auto v = m.get(key)) {
      const auto npi = read_int(cx, *v, m.path(key), 0, 18);
      // SMPP 3.4 section 5.2.6: the only NPI values defined.
      constexpr std::array<long long, 10> valid{0, 1, 3, 4, 6, 8, 9, 10, 14, 18};
      if (std::find(valid.begin(), valid.end(), npi) == valid.end()) {
        fail(cx, *v,
             fmt::format("{}: {} is not an SMPP NPI; expected 0 | 1 | 3 | 4 | 6 | 8 | 9 | 10 | 14 | 18",
                         m.path(key), npi));
      }
      npi_out = static_cast<std::uint8_t>(npi);
    }
  };
  if (auto v = m.get("source_ton"))
    c.source.ton = read_int_as<std::uint8_t>(cx, *v, m.path("source_ton"), 0, 6);
  read_npi("source_npi", c.source.npi);
  if (auto v = m.get("dest_ton")) c.dest.ton = read_int_as<std::uint8_t>(cx, *v, m.path("dest_ton"), 0, 6);
  read_npi("dest_npi", c.dest.npi);
  // TON 2 (national) means 0xxxxxxxxx on the wire; anything else is written 84xxxxxxxxx unless the file says
  // so.
  c.dest_number = c.dest.ton == 2 ? number_form::national : number_form::international;
  if (auto v = m.get("dest_number")) {
    c.dest_number = read_enum(cx, *v, m.path("dest_number"), number_form_names);
    if ((c.dest_number == number_form::national && c.dest.ton == 1) ||
        (c.dest_number == number_form::international && c.dest.ton == 2)) {
      fail(cx, *v,
           fmt::format("{}: {} contradicts dest_ton {}", m.path("dest_number"), to_string(c.dest_number),
                       c.dest.ton));
    }
  }
  if (auto v = m.get("sender")) c.sender = read_brandname(cx, *v, m.path("sender"));
  if (auto v = m.get("price_per_part"))
    c.price_per_part = read_non_negative(cx, *v, m.path("price_per_part"), 1'000'000);
  if (auto v = m.get("prefixes")) {
    const std::string ppath = m.path("prefixes");
    if (!v->IsSequence()) fail(cx, *v, fmt::format("{}: expected a list, found {}", ppath, kind_name(*v)));
    std::size_t i = 0;
    for (const auto& item : *v) {
      const std::string ipath = fmt::format("{}[{}]", ppath, i++);
      std::string p = read_nonempty(cx, item, ipath);
      const bool digits = std::all_of(p.begin(), p.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
      if (!digits || p.size() < 3 || p.size() > 11 || p.rfind("84", 0) != 0) {
        fail(cx, item,
             fmt::format("{}: '{}' must be 3..11 digits in the international form 84... (8498 for 098)",
                         ipath, p));
      }
      if (std::find(c.prefixes.begin(), c.prefixes.end(), p) != c.prefixes.end()) {
        fail(cx, item, fmt::format("{}: prefix '{}' is listed twice", ipath, p));
      }
      c.prefixes.push_back(std::move(p));
      out.prefix_nodes.push_back(item);
    }
  }
  if (auto v = m.get("command_status")) {
    const std::string spath = m.path("command_status");
    if (!v->IsMap()) fail(cx, *v, fmt::format("{}: expected a mapping, found {}", spath, kind_name(*v)));
    std::set<std::uint32_t> seen;
    bool other_seen = false;
    for (auto it = v->begin(); it != v->end(); ++it) {
      const YAML::Node key = it->first;
      if (key.IsScalar() && key.Scalar() == "other") {
        if (other_seen) fail(cx, key, fmt::format("{}: key 'other' given twice", spath));
        other_seen = true;
        c.other_status = read_enum(cx, it->second, spath + ".other", action_names);
        continue;
      }
      const std::uint32_t code = read_status_code(cx, key, spath);
      if (!seen.insert(code).second)
        fail(cx, key, fmt::format("{}: status 0x{:02X} given twice", spath, code));
      c.command_status[code] =
          read_enum(cx, it->second, fmt::format("{}.{}", spath, key.Scalar()), action_names);
    }
  }
  return out;
}

// An operator and the nodes that checks across operators point at.
struct operator_read {
  operator_config op;
  YAML::Node name_node;
  YAML::Node token_node;
};

operator_read read_operator(const context& cx, const YAML::Node& n, std::size_t index) {
  const mapping m(cx, n, fmt::format("operators[{}]", index),
                  {"name", "token_sha256", "wards", "role", "display_name"});
  operator_read out;
  operator_config& o = out.op;
  out.name_node = m.require("name");
  o.name = read_nonempty(cx, out.name_node, m.path("name"));
  {
    const YAML::Node v = m.require("token_sha256");
    out.token_node = v;
    std::string t = read_string(cx, v, m.path("token_sha256"));
    const bool hex = std::all_of(t.begin(), t.end(),
                                 [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)); });
    if (t.size() != 64 || !hex) {
      fail(cx, v,
           fmt::format("{}: must be 64 hex characters (sha256sum of the token), found {} characters{}",
                       m.path("token_sha256"), t.size(), hex ? "" : " with non-hex ones"));
    }
    std::transform(t.begin(), t.end(), t.begin(),
                   [](char ch) { return static_cast<char>(std::tolower(static_cast<unsigned char>(ch))); });
    o.token_sha256 = std::move(t);
  }
  o.role = read_enum(cx, m.require("role"), m.path("role"), role_names);
  if (auto v = m.get("display_name")) o.display_name = read_nonempty(cx, *v, m.path("display_name"));
  if (auto v = m.get("wards")) {
    o.wards = read_string_list(cx, *v, m.path("wards"));
    std::size_t i = 0;
    for (const auto& item : *v) {
      const std::string& w = o.wards[i];
      if (!is_slug(w, 64)) {
        fail(cx, item,
             fmt::format("{}[{}]: ward '{}' must be a-z, 0-9, '-', '_' (like long-thuy)", m.path("wards"), i,
                         w));
      }
      if (std::find(o.wards.begin(), o.wards.begin() + static_cast<std::ptrdiff_t>(i), w) !=
          o.wards.begin() + static_cast<std::ptrdiff_t>(i)) {
        fail(cx, item, fmt::format("{}[{}]: ward '{}' is listed twice", m.path("wards"), i, w));
      }
      ++i;
    }
  }
  if (o.wards.empty() && o.role != operator_role::admin) {
    fail(cx, m.get("wards").value_or(n),
         fmt::format("{}: a {} needs at least one ward", m.path("wards"), to_string(o.role)));
  }
  return out;
}

// wards: {ID: {display_name: "Phường Long Thủy"}}: names for people, beside the ids used everywhere else.
std::map<std::string, ward_config> read_wards(const context& cx, const YAML::Node& n) {
  if (!n.IsMap()) fail(cx, n, fmt::format("wards: expected a mapping of ward ids, found {}", kind_name(n)));
  std::map<std::string, ward_config> out;
  for (auto it = n.begin(); it != n.end(); ++it) {
    const YAML::Node key = it->first;
    const std::string id = key.IsScalar() ? key.Scalar() : std::string();
    if (!is_slug(id, 64))
      fail(cx, key, fmt::format("wards: ward '{}' must be a-z, 0-9, '-', '_' (like long-thuy)", id));
    if (out.count(id)) fail(cx, key, fmt::format("wards: ward '{}' is given twice", id));
    const mapping w(cx, it->second, "wards." + id, {"display_name"});
    ward_config ward;
    if (auto v = w.get("display_name")) ward.display_name = read_nonempty(cx, *v, w.path("display_name"));
    out.emplace(id, std::move(ward));
  }
  return out;
}

std::string upper_ascii(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](char ch) { return static_cast<char>(std::toupper(static_cast<unsigned char>(ch))); });
  return s;
}

mo_config read_mo(const context& cx, const YAML::Node& n) {
  const mapping m(
      cx, n, "mo",
      {"opt_out", "opt_in", "help", "reassembly_timeout", "reassembly_max_messages", "reassembly_max_bytes"});
  mo_config mo;
  std::map<std::string, std::string> owner;  // keyword -> list, to refuse one word with two meanings
  auto read_list = [&](std::string_view key, std::vector<std::string>& out) {
    auto v = m.get(key);
    if (!v) {
      for (const auto& w : out) owner.emplace(upper_ascii(w), std::string(key));
      return;
    }
    out = read_string_list(cx, *v, m.path(key));
    std::size_t i = 0;
    for (const auto& item : *v) {
      auto [it, fresh] = owner.emplace(upper_ascii(out[i]), std::string(key));
      if (!fresh) {
        fail(cx, item,
             fmt::format("{}[{}]: keyword '{}' is already in mo.{}", m.path(key), i, out[i], it->second));
      }
      ++i;
    }
  };
  read_list("opt_out", mo.opt_out);
  read_list("opt_in", mo.opt_in);
  read_list("help", mo.help);
  if (auto v = m.get("reassembly_timeout"))
    mo.reassembly_timeout =
        read_duration(cx, *v, m.path("reassembly_timeout"), std::chrono::seconds(1), std::chrono::hours(1));
  if (auto v = m.get("reassembly_max_messages"))
    mo.reassembly_max_messages =
        static_cast<std::size_t>(read_int(cx, *v, m.path("reassembly_max_messages"), 1, 1'000'000));
  if (auto v = m.get("reassembly_max_bytes"))
    mo.reassembly_max_bytes =
        static_cast<std::size_t>(read_int(cx, *v, m.path("reassembly_max_bytes"), 1'000, 1'000'000'000));
  return mo;
}

configuration read_root(const context& cx, const YAML::Node& root) {
  if (!root.IsDefined() || root.IsNull()) {
    fail(cx, 1, "the file is empty; expected a mapping with gateway, redis, sender, carriers, ...");
  }
  const mapping m(cx, root, "",
                  {"gateway", "redis", "sender", "carriers", "routing", "operators", "templates_dir",
                   "approval", "confirmation", "currency", "mo", "limits", "wards"});
  configuration c;
  if (auto v = m.get("wards"); v && !v->IsNull()) c.wards = read_wards(cx, *v);
  if (auto v = m.get("limits")) {
    const mapping l(cx, *v, "limits", {"max_parts", "validity", "uncertain", "uncertain_grace"});
    if (auto x = l.get("uncertain_grace"))
      c.limits.uncertain_grace =
          read_duration(cx, *x, l.path("uncertain_grace"), std::chrono::seconds(1), std::chrono::hours(24));
    if (auto x = l.get("uncertain")) {
      constexpr std::array<std::pair<std::string_view, bool>, 2> uncertain_names{
          {{"report", false}, {"resend", true}}};
      c.limits.resend_uncertain = read_enum(cx, *x, l.path("uncertain"), uncertain_names);
    }
    if (auto x = l.get("max_parts"))
      c.limits.max_parts = read_int_as<int>(cx, *x, l.path("max_parts"), 1, 255);
    if (auto x = l.get("validity")) {
      c.limits.validity =
          read_duration(cx, *x, l.path("validity"), std::chrono::minutes(1), std::chrono::hours(24 * 30));
    }
  }
  if (auto v = m.get("gateway")) c.gateway = read_gateway(cx, *v);
  if (auto v = m.get("redis")) c.redis = read_redis(cx, *v);
  c.sender = read_brandname(cx, m.require("sender"), "sender");

  const YAML::Node carriers = m.require("carriers");
  if (!carriers.IsSequence() || carriers.size() == 0) {
    fail(cx, carriers,
         fmt::format("carriers: expected a list of at least one carrier, found {}",
                     carriers.IsSequence() ? "an empty list" : kind_name(carriers)));
  }
  std::map<std::string, std::pair<std::string, int>> prefix_owner;  // prefix -> (carrier, line)
  std::map<std::string, int> name_line;
  std::size_t index = 0;
  for (const auto& item : carriers) {
    auto [carrier, name_node, prefix_nodes] = read_carrier(cx, item, index++, c.limits.max_parts);
    if (auto [it, fresh] = name_line.emplace(carrier.name, line_of(name_node)); !fresh) {
      fail(cx, name_node,
           fmt::format("carriers: duplicate carrier name '{}' (first on line {})", carrier.name, it->second));
    }
    for (std::size_t i = 0; i < carrier.prefixes.size(); ++i) {
      const std::string& prefix = carrier.prefixes[i];
      const YAML::Node& p = prefix_nodes[i];
      if (auto [it, fresh] = prefix_owner.emplace(prefix, std::make_pair(carrier.name, line_of(p))); !fresh) {
        fail(cx, p,
             fmt::format("carriers.{}.prefixes[{}]: prefix '{}' is already claimed by carrier '{}' (line {})",
                         carrier.name, i, prefix, it->second.first, it->second.second));
      }
    }
    c.carriers.push_back(std::move(carrier));
  }

  if (auto v = m.get("routing")) {
    const mapping r(cx, *v, "routing", {"default", "ported_file"});
    if (auto d = r.get("default")) {
      c.routing.default_carrier = read_nonempty(cx, *d, r.path("default"));
      if (c.find_carrier(c.routing.default_carrier) == nullptr) {
        std::vector<std::string_view> names;
        for (const auto& carrier : c.carriers) names.push_back(carrier.name);
        fail(cx, *d,
             fmt::format("routing.default: '{}' is not a carrier; expected {}", c.routing.default_carrier,
                         join(names, " | ")));
      }
    }
    if (auto p = r.get("ported_file"); p && !p->IsNull()) {
      c.routing.ported_file = resolve(cx, read_nonempty(cx, *p, r.path("ported_file")));
    }
  }
  if (c.routing.default_carrier.empty()) {
    if (c.carriers.size() != 1) {
      fail(cx, m.key_node("routing"),
           "routing: missing required key 'default' (the carrier for numbers "
           "no prefix matches)");
    }
    c.routing.default_carrier = c.carriers.front().name;
  }

  if (auto v = m.get("operators"); v && !v->IsNull()) {
    if (!v->IsSequence()) fail(cx, *v, fmt::format("operators: expected a list, found {}", kind_name(*v)));
    std::map<std::string, int> names;
    std::map<std::string, int> tokens;
    std::size_t i = 0;
    for (const auto& item : *v) {
      auto [o, name_node, token_node] = read_operator(cx, item, i);
      if (auto [it, fresh] = names.emplace(o.name, line_of(name_node)); !fresh) {
        fail(cx, name_node,
             fmt::format("operators[{}].name: duplicate operator '{}' (first on line {})", i, o.name,
                         it->second));
      }
      if (auto [it, fresh] = tokens.emplace(o.token_sha256, line_of(token_node)); !fresh) {
        fail(cx, token_node,
             fmt::format(
                 "operators[{}].token_sha256: the same token as the operator on line {}; each person needs "
                 "their own token",
                 i, it->second));
      }
      c.operators.push_back(std::move(o));
      ++i;
    }
  }

  c.templates_dir = (cx.base_dir / "templates").lexically_normal();  // default: beside the config file
  if (auto v = m.get("templates_dir")) c.templates_dir = resolve(cx, read_nonempty(cx, *v, "templates_dir"));
  if (auto v = m.get("approval")) {
    const mapping a(cx, *v, "approval", {"above_recipients"});
    if (auto x = a.get("above_recipients")) {
      c.approval.above_recipients = read_int_as<int>(cx, *x, a.path("above_recipients"), 1, 100'000'000);
    }
  }
  if (auto v = m.get("confirmation")) {
    const mapping a(cx, *v, "confirmation", {"above_recipients"});
    if (auto x = a.get("above_recipients")) {
      c.confirmation.above_recipients =
          read_int_as<std::uint64_t>(cx, *x, a.path("above_recipients"), 0, 100'000'000);
    }
  }
  if (auto v = m.get("currency")) {
    c.currency = read_nonempty(cx, *v, "currency");
    if (c.currency.size() > 8) fail(cx, *v, "currency: at most 8 characters (VND, USD, ...)");
  }
  if (auto v = m.get("mo")) {
    c.mo = read_mo(cx, *v);
  }
  return c;
}

}  // namespace

bool is_loopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

std::string detail::read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw config_error(file.string(), 0, fmt::format("cannot open: {}", std::strerror(errno)));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw config_error(file.string(), 0, "cannot read");
  return ss.str();
}

configuration parse_config(std::string_view text, std::string_view name, const env_lookup& env) {
  const context cx{std::string(name), fs::path(name).parent_path(), env, {}, {}};
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    fail(cx, e.mark.line >= 0 ? e.mark.line + 1 : 0, fmt::format("YAML syntax error: {}", e.msg));
  } catch (const YAML::Exception& e) {
    fail(cx, e.mark.line >= 0 ? e.mark.line + 1 : 0, fmt::format("YAML error: {}", e.msg));
  }
  configuration c;
  try {
    c = read_root(cx, root);
  } catch (const YAML::Exception& e) {
    // Should not happen (every lookup is checked), but never let a yaml-cpp type escape this file.
    fail(cx, e.mark.line >= 0 ? e.mark.line + 1 : 0, fmt::format("YAML error: {}", e.msg));
  }
  c.file = fs::path(name);
  c.inline_secrets = std::move(cx.inline_secrets);
  return c;
}

configuration load_config(const fs::path& file, const env_lookup& env) {
  return parse_config(detail::read_file(file), file.string(), env);
}

ported_map parse_ported(std::string_view text, std::string_view name, const configuration& cfg) {
  const std::string file(name);
  ported_map out;
  std::map<std::string, int> first_line;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM from spreadsheet exports
  int line_no = 0;
  bool seen_row = false;
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
  };
  while (!text.empty()) {
    ++line_no;
    const auto nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty() || line.front() == '#') continue;
    const auto comma = line.find(',');
    if (comma == std::string_view::npos) {
      throw config_error(file, line_no, fmt::format("expected number,carrier, found '{}'", line));
    }
    const std::string_view number = trim(line.substr(0, comma));
    const std::string_view carrier = trim(line.substr(comma + 1));
    const bool first_row = !seen_row;
    seen_row = true;
    if (first_row && number == "number" && carrier == "carrier") continue;  // header row
    if (carrier.find(',') != std::string_view::npos) {
      throw config_error(file, line_no, fmt::format("expected two fields number,carrier, found '{}'", line));
    }
    if (number.empty()) throw config_error(file, line_no, "the number is empty");
    const bool plausible = std::all_of(number.begin(), number.end(), [](char ch) {
      return (ch >= '0' && ch <= '9') || ch == '+' || ch == ' ' || ch == '.' || ch == '-';
    });
    if (!plausible) {
      throw config_error(file, line_no, fmt::format("'{}' is not a phone number", number));
    }
    if (carrier.empty()) throw config_error(file, line_no, "the carrier is empty");
    if (cfg.find_carrier(carrier) == nullptr) {
      std::vector<std::string_view> names;
      for (const auto& c : cfg.carriers) names.push_back(c.name);
      throw config_error(file, line_no,
                         fmt::format("unknown carrier '{}'; expected {}", carrier, join(names, " | ")));
    }
    std::string key(number);
    if (auto [it, fresh] = first_line.emplace(key, line_no); !fresh) {
      throw config_error(file, line_no,
                         fmt::format("number '{}' is listed twice (first on line {})", key, it->second));
    }
    out.emplace(std::move(key), std::string(carrier));
  }
  return out;
}

ported_map load_ported(const fs::path& file, const configuration& cfg) {
  return parse_ported(detail::read_file(file), file.string(), cfg);
}

}  // namespace loa::config
