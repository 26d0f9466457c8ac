#include "tests/integration/broadcast_rig.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "gateway/api/client.hpp"

namespace loa::test {
namespace {

namespace json = boost::json;
using boost::beast::http::verb;
using namespace std::chrono_literals;

std::vector<std::string> with_log(std::vector<std::string> args, const std::string& log) {
  std::vector<std::string> out{"--system-id", "loa", "--password", "secret", "--log", log};
  if (std::find(args.begin(), args.end(), "--receipt-delay-ms") == args.end())
    out.insert(out.end(), {"--receipt-delay-ms", "20"});
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

// The rig's own server: AOF with fsync on every write (a test may kill and restart it losing nothing).
redis_server_options own_redis(std::vector<std::string> extra_args) {
  redis_server_options o;
  o.append_only = true;
  o.extra_args = std::move(extra_args);
  return o;
}

}  // namespace

broadcast_rig::broadcast_rig(rig_options options) : redis(own_redis(options.redis_args)) {
  viettel_log_ = temp_path("loa-sim-viettel") + ".jsonl";
  vinaphone_log_ = temp_path("loa-sim-vinaphone") + ".jsonl";
  viettel_ = std::make_unique<smsc_sim>(with_log(options.viettel_args, viettel_log_));
  auto vina_args = options.vinaphone_args;
  vina_args.insert(vina_args.end(), {"--id-base", "hex", "--receipt-id-base", "dec"});
  vinaphone_ = std::make_unique<smsc_sim>(with_log(vina_args, vinaphone_log_));
  http_port = free_port();
  do second_http_port = free_port();
  while (second_http_port == http_port);
  config_path = temp_path("loa-broadcast") + ".yaml";
  second_config_path = temp_path("loa-broadcast-2") + ".yaml";
  gateway_log = temp_path("loa-gateway") + ".log";
  second_gateway_log = temp_path("loa-gateway-2") + ".log";
  const std::string common = "    system_id: loa\n    password: secret\n    window: 20\n    reconnect_min_s: 1\n"
                             "    reconnect_max_s: 2\n    response_timeout_s: 5\n";
  tls_ca_ = options.tls_ca;
  std::ostringstream rest;
  rest << options.gateway_lines;
  if (!options.tls_cert.empty())
    rest << "  tls: {cert: " << options.tls_cert << ", key: " << options.tls_key << "}\n";
  rest << "redis:\n";
  if (options.redis_lines.empty())
    rest << "  url: redis://127.0.0.1:" << redis.port() << "/0\n";
  else
    rest << options.redis_lines;
  rest << "sender: \"UBND LThuy\"\n"
       << "carriers:\n"
       << "  - name: viettel\n    host: 127.0.0.1\n    port: " << viettel_->port << "\n"
       << common << "    sessions: 2\n    prefixes: [\"8496\"]\n"
       << options.carrier_lines << options.viettel_lines
       << "  - name: vinaphone\n    host: 127.0.0.1\n    port: " << vinaphone_->port << "\n"
       << common << "    bind: transmitter\n    receipt_id: dec\n    prefixes: [\"8491\"]\n"
       << options.carrier_lines << options.vinaphone_lines
       << "routing:\n  default: viettel\n"
       // The shipped templates (tests run from the repository's root).
       << "templates_dir: " << (std::filesystem::current_path() / "templates/notices").string() << "\n"
       << options.top_lines << "operators:\n"
       << "  - name: hoa\n    token_sha256: "
          "\"0c7608d51a1cd241340365f240fcce28178d00f75c1f955e0a183db4a5f9e418\"\n"
       << "    wards: [long-thuy]\n    role: sender\n" << options.hoa_lines
       << "  - name: lan\n    token_sha256: "
          "\"2d849ec5db3ed8dbb4285bc4a42673db6bc5f16e187069da8c4a751a537aaf6b\"\n"
       << "    wards: [long-thuy]\n    role: approver\n"
       << options.operator_lines;
  // The gateway's name is its host and HTTP port: the second gateway is another gateway.
  std::ofstream(config_path) << "gateway:\n  listen: 127.0.0.1:" << http_port << "\n" << rest.str();
  std::ofstream(second_config_path) << "gateway:\n  listen: 127.0.0.1:" << second_http_port << "\n" << rest.str();
}

broadcast_rig::~broadcast_rig() {
  if (second_) second_->stop(SIGKILL, 5s);
  if (gateway_) gateway_->stop(SIGKILL, 5s);
}

namespace {

// GET /healthz, over HTTPS checked against `https_ca` when it is given: the answer, if 200.
std::optional<json::value> healthy(std::uint16_t port, const std::string& https_ca) {
  const std::string scheme = https_ca.empty() ? "http" : "https";
  api::client health(scheme + "://127.0.0.1:" + std::to_string(port), "", 2s, https_ca);
  api::reply r;
  if (health.call(verb::get, "/healthz", "", "", r) || r.status != 200) return std::nullopt;
  return r.body;
}

// Starts `loa gateway` with `config` and waits (bounded) until its /healthz shows Redis ready and, when
// `every_carrier_bound`, every carrier bound.
void start_one(std::optional<child_process>& process, const std::string& config, std::uint16_t port,
               const std::string& log, const std::string& https_ca, bool every_carrier_bound = true) {
  process.emplace(LOA_CLI_PATH, std::vector<std::string>{"--config", config, "gateway"}, log);
  for (int i = 0; i < 200; ++i) {
    if (auto body = healthy(port, https_ca)) {
      bool all_bound = true;
      for (const auto& [name, c] : body->at("carriers").as_object()) all_bound &= c.at("bound").as_bool();
      if (all_bound || !every_carrier_bound) return;
    }
    std::this_thread::sleep_for(50ms);
  }
  throw std::runtime_error(every_carrier_bound
                               ? "the gateway did not come up with every carrier bound; see " + log
                               : "the gateway did not come up with Redis ready; see " + log);
}

}  // namespace

void broadcast_rig::start_gateway() {
  start_one(gateway_, config_path, http_port, gateway_log, tls_ca_);
}

std::string broadcast_rig::server_url() const {
  return (tls_ca_.empty() ? "http://127.0.0.1:" : "https://127.0.0.1:") + std::to_string(http_port);
}

int broadcast_rig::gateway_pid() const {
  return gateway_ ? gateway_->pid() : 0;
}

void broadcast_rig::start_gateway_unbound() {
  start_one(gateway_, config_path, http_port, gateway_log, tls_ca_, false);
}

void broadcast_rig::kill_gateway() {
  if (gateway_) gateway_->stop(SIGKILL, 5s);
  gateway_.reset();
}

int broadcast_rig::stop_gateway() {
  const int code = gateway_ ? gateway_->stop(SIGTERM, 20s) : -1;
  gateway_.reset();
  return code;
}

void broadcast_rig::start_second_gateway() {
  start_one(second_, second_config_path, second_http_port, second_gateway_log, tls_ca_);
}

void broadcast_rig::kill_second_gateway() {
  if (second_) second_->stop(SIGKILL, 5s);
  second_.reset();
}

int broadcast_rig::stop_second_gateway() {
  const int code = second_ ? second_->stop(SIGTERM, 20s) : -1;
  second_.reset();
  return code;
}

std::pair<unsigned, json::value> broadcast_rig::call(verb method, const std::string& target,
                                                     const std::string& body) {
  return call_as("demo-token-hoa", method, target, body);
}

std::pair<unsigned, json::value> broadcast_rig::call_as(const std::string& token, verb method,
                                                        const std::string& target, const std::string& body) {
  api::client c(server_url(), token, 10s, tls_ca_);
  api::reply r;
  if (auto ec = c.call(method, target, body, body.empty() ? "" : "application/json", r))
    throw std::runtime_error("gateway unreachable: " + ec.message());
  return {r.status, r.body};
}

void broadcast_rig::import(const std::string& csv) {
  const auto path = temp_path("loa-import") + ".csv";
  std::ofstream(path) << csv;
  api::client c(server_url(), "demo-token-hoa", 30s, tls_ca_);
  api::reply r;
  if (c.call_file(verb::post, "/v1/wards/long-thuy/subscribers/import", path, "text/csv", r) || r.status != 200)
    throw std::runtime_error("import failed: " + json::serialize(r.body));
}

std::string broadcast_rig::send(json::object body) {
  if (!body.contains("ward")) body["ward"] = "long-thuy";
  auto [status, reply] = call(verb::post, "/v1/campaigns", json::serialize(body));
  if (status != 201 && status != 200) throw std::runtime_error("send refused: " + json::serialize(reply));
  return std::string(reply.at("id").as_string());
}

json::object broadcast_rig::status(const std::string& id) {
  auto [code, body] = call(verb::get, "/v1/campaigns/" + id);
  if (code != 200) throw std::runtime_error("status failed: " + json::serialize(body));
  return body.as_object();
}

bool broadcast_rig::try_status(const std::string& id, json::object& out) {
  auto [code, body] = call(verb::get, "/v1/campaigns/" + id);
  if (code == 503) {  // Redis away for a moment (a test restarts it): ask again
    std::this_thread::sleep_for(100ms);
    return false;
  }
  if (code != 200) throw std::runtime_error("status failed: " + json::serialize(body));
  out = body.as_object();
  return true;
}

json::object broadcast_rig::wait_finished(const std::string& id, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  json::object s;
  do {
    if (!try_status(id, s)) continue;
    const auto state = s.at("state").as_string();
    if ((state == "done" || state == "cancelled") && field(s, "pending") == 0) return s;
    std::this_thread::sleep_for(100ms);
  } while (std::chrono::steady_clock::now() < until);
  return s;
}

json::object broadcast_rig::wait_for(const std::string& id, const std::string& name, std::int64_t value,
                                     std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  json::object s;
  do {
    if (try_status(id, s) && field(s, name) >= value) return s;
    std::this_thread::sleep_for(20ms);
  } while (std::chrono::steady_clock::now() < until);
  return s;
}

std::pair<unsigned, std::string> broadcast_rig::scrape() const {
  api::client c(server_url(), "", 10s, tls_ca_);
  api::reply r;
  if (auto ec = c.call(verb::get, "/metrics", "", "", r))
    throw std::runtime_error("no /metrics: " + ec.message());
  return {r.status, r.body.is_string() ? std::string(r.body.as_string()) : json::serialize(r.body)};
}

accepted_messages broadcast_rig::accepted(const std::string& marker) const {
  accepted_messages out;
  for (const auto* path : {&viettel_log_, &vinaphone_log_}) {
    std::ifstream in(*path);
    std::string line;
    while (std::getline(in, line)) {
      boost::system::error_code ec;
      auto v = json::parse(line, ec);
      if (ec || !v.is_object()) continue;
      const auto& o = v.as_object();
      if (!o.contains("event") || o.at("event") != "message") continue;  // one per reassembled message
      if (std::string(o.at("text").as_string()).find(marker) == std::string::npos) continue;
      const std::string number(o.at("destination").as_string());
      ++out.messages;
      if (++out.by_number[number] > 1) out.duplicated.insert(number);
    }
  }
  return out;
}

std::vector<std::string> test_numbers(std::size_t count, std::size_t first) {
  std::vector<std::string> out;
  for (std::size_t i = first; i < first + count; ++i)
    out.push_back(fmt::format("{}{:07}", i % 2 ? "8491" : "8496", 1000000 + i * 7));
  return out;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::pair<int, std::string> run_gateway(const std::string& config) {
  const auto err_path = temp_path("loa-gateway-refusal");
  child_process p(LOA_CLI_PATH, {"--config", config, "gateway"}, err_path);
  const int code = p.stop(0, std::chrono::seconds(20));
  std::string err = file_text(err_path);
  std::remove(err_path.c_str());
  return {code, err};
}

bool has_exponent_number(const std::string& json_text) {
  static const std::regex exponent(R"([0-9][eE][+-]?[0-9])");
  return std::regex_search(json_text, exponent);
}

std::int64_t field(const boost::json::object& o, const std::string& name) {
  const auto* v = o.if_contains(name);
  return v && v->is_number() ? v->to_number<std::int64_t>() : -1;
}

namespace {

cli_result run_cli(std::vector<std::string> args, const std::string& config_path, const std::string& terminal,
                   int master, const std::string& typed, const char* language = "en") {
  setenv("LOA_TOKEN", "demo-token-hoa", 1);
  // The suites match the English source strings; Vietnamese (the default) is tested by test_i18n_cli.
  setenv("LOA_LANG", language, 1);
  args.insert(args.begin(), {"--config", config_path});
  const auto err_path = temp_path("loa-cli-stderr");
  child_process p(LOA_CLI_PATH, args, err_path, terminal);
  if (master >= 0 && ::write(master, typed.data(), typed.size()) != static_cast<ssize_t>(typed.size()))
    throw std::runtime_error("could not type at the pseudo-terminal");
  cli_result r;
  while (auto line = p.read_line(std::chrono::seconds(60))) r.out += *line + "\n";
  r.exit = p.stop(0, std::chrono::seconds(60));
  std::ifstream err(err_path);
  r.err.assign(std::istreambuf_iterator<char>(err), {});
  std::remove(err_path.c_str());
  return r;
}

}  // namespace

cli_result loa_cli(const broadcast_rig& rig, std::vector<std::string> args) {
  return run_cli(std::move(args), rig.config_path, {}, -1, {});
}

cli_result loa_cli_in(const broadcast_rig& rig, const char* language, std::vector<std::string> args) {
  return run_cli(std::move(args), rig.config_path, {}, -1, {}, language);
}

cli_result loa_cli_at_terminal(const broadcast_rig& rig, std::vector<std::string> args, const std::string& typed) {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0)
    throw std::runtime_error("no pseudo-terminal");
  const std::string terminal = ::ptsname(master);
  auto r = run_cli(std::move(args), rig.config_path, terminal, master, typed);
  ::close(master);
  return r;
}

}  // namespace loa::test
