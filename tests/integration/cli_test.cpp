// The `loa` program as officials and cron use it, against real processes: loa-smsc-sim for `carrier check`,
// redis-server and `loa gateway` for the subscriber commands.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "gateway/api/client.hpp"
#include "tests/fixtures/redis_server.hpp"
#include "tests/integration/fixtures/process.hpp"

using namespace loa;
namespace json = boost::json;

namespace {

// Three UCS-2 parts (67 + 67 + the rest): a vaccination notice as a ward sends it.
const std::string notice =
    "UBND phường Long Thủy thông báo: Lịch tiêm chủng vắc xin sởi - rubella cho trẻ từ 1 đến 5 tuổi vào thứ "
    "Hai "
    "23/11/2026, 7h30 tại Trạm Y tế phường. Mang theo sổ tiêm chủng.";

struct run_result {
  int exit = -1;
  std::string out;
};

// Runs `loa ARGS...` to its end (bounded) and returns its exit code and stdout.
run_result loa_cli(const std::vector<std::string>& args, const std::string& token = "demo-token-hoa") {
  setenv("LOA_TOKEN", token.c_str(), 1);
  test::child_process p(LOA_CLI_PATH, args, test::temp_path("loa-cli-stderr"));
  run_result r;
  while (auto line = p.read_line(std::chrono::seconds(30))) r.out += *line + "\n";
  r.exit = p.stop(0, std::chrono::seconds(30));
  return r;
}

json::value parse(const run_result& r) {
  INFO(r.out);
  boost::system::error_code ec;
  auto v = json::parse(r.out, ec);
  REQUIRE_FALSE(ec);
  return v;
}

// A configuration with one carrier (the simulator on `sim_port`) and the demo operators.
std::string write_config(std::uint16_t sim_port, std::uint16_t http_port = 8787,
                         std::uint16_t redis_port = 6379, std::string_view extra_carrier_lines = "") {
  const std::string path = test::temp_path("loa-config") + ".yaml";
  std::ofstream(path) << "gateway:\n  listen: 127.0.0.1:" << http_port << "\n"
                      << "redis:\n  url: redis://127.0.0.1:" << redis_port << "/0\n"
                      << "sender: \"UBND LThuy\"\n"
                      << "carriers:\n  - name: viettel\n    host: 127.0.0.1\n    port: " << sim_port
                      << "\n    system_id: loa\n    password: secret\n    prefixes: [\"8491\", \"8496\"]\n"
                      << extra_carrier_lines << "operators:\n"
                      << "  - name: hoa\n    token_sha256: "
                         "\"0c7608d51a1cd241340365f240fcce28178d00f75c1f955e0a183db4a5f9e418\"\n"
                      << "    wards: [long-thuy]\n    role: sender\n";
  return path;
}

}  // namespace

TEST_CASE("cli: carrier check binds, probes, sends a three-part Vietnamese notice and shows its receipt") {
  test::smsc_sim sim({"--system-id", "loa", "--password", "secret", "--receipt-delay-ms", "50"});
  const auto config = write_config(sim.port);
  auto r = loa_cli({"--config", config, "--json", "carrier", "check", "viettel", "--to", "0912345678",
                    "--text", notice, "--timeout", "10"});
  CHECK(r.exit == 0);
  const auto v = parse(r);
  CHECK(v.at("carrier") == "viettel");
  CHECK(v.at("bound") == true);
  CHECK(v.at("parts") == 3);
  CHECK(v.at("encoding") == "ucs2");
  CHECK(v.at("message_ids").as_array().size() == 3);
  REQUIRE(v.at("receipt").is_object());
  CHECK(v.at("receipt").at("state") == "delivered");

  r = loa_cli({"--config", config, "carrier", "check", "viettel"});  // human output, no message
  CHECK(r.exit == 0);
  CHECK(r.out.find("bound     yes") != std::string::npos);
  CHECK(r.out.find("enquire   answered") != std::string::npos);
}

TEST_CASE("cli: carrier check reports a failed receipt with exit 4, with ids in another base matched") {
  test::smsc_sim sim({"--system-id", "loa", "--password", "secret", "--receipt-delay-ms", "20", "--fail-rate",
                      "1", "--id-base", "hex", "--receipt-id-base", "dec"});
  const auto config = write_config(sim.port, 8787, 6379, "    receipt_id: dec\n");
  auto r = loa_cli({"--config", config, "--json", "carrier", "check", "viettel", "--to", "+84 91 234 5678",
                    "--text", "Hop to dan pho 5 luc 19h", "--timeout", "10"});
  CHECK(r.exit == 4);
  const auto v = parse(r);
  REQUIRE(v.at("receipt").is_object());
  CHECK(v.at("receipt").at("state") != "delivered");
}

TEST_CASE("cli: a transmitter bind gets its receipts over a receiver bind of its own") {
  test::smsc_sim sim({"--system-id", "loa", "--password", "secret", "--receipt-delay-ms", "50"});
  const auto config = write_config(sim.port, 8787, 6379, "    bind: transmitter\n");
  auto r = loa_cli({"--config", config, "--json", "carrier", "check", "viettel", "--to", "0912345678",
                    "--text", notice, "--timeout", "10"});
  CHECK(r.exit == 0);
  const auto v = parse(r);
  REQUIRE(v.at("receipt").is_object());
  CHECK(v.at("receipt").at("state") == "delivered");
}

TEST_CASE("cli: carrier check without a carrier to reach exits 3, with bad input 1") {
  test::smsc_sim sim({"--system-id", "loa", "--password", "other"});
  auto r = loa_cli(
      {"--config", write_config(sim.port), "--json", "carrier", "check", "viettel", "--timeout", "5"});
  CHECK(r.exit == 3);
  CHECK(parse(r).at("bound") == false);
  r = loa_cli({"--config", write_config(test::free_port()), "--json", "carrier", "check", "viettel",
               "--timeout", "5"});
  CHECK(r.exit == 3);
  r = loa_cli({"--config", write_config(sim.port), "carrier", "check", "viettel", "--to", "0243825123",
               "--text", "x"});
  CHECK(r.exit == 1);
  r = loa_cli({"--config", write_config(sim.port), "carrier", "check", "mobifone"});
  CHECK(r.exit == 1);
}

TEST_CASE(
    "cli: the gateway keeps a ward's subscribers; officials import, count, list and are refused elsewhere") {
  test::redis_server redis;
  const auto http_port = test::free_port();
  const auto config = write_config(test::free_port(), http_port, redis.port());
  test::child_process gateway(LOA_CLI_PATH, {"--config", config, "gateway"},
                              test::temp_path("loa-gateway-log"));
  // Ready when /healthz answers 200 (Redis connected), bounded.
  const std::string url = "http://127.0.0.1:" + std::to_string(http_port);
  bool ready = false;
  for (int i = 0; i < 100 && !ready; ++i) {
    api::reply reply;
    ready = !api::client(url, "").call(boost::beast::http::verb::get, "/healthz", "", "", reply) &&
            reply.status == 200;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(ready);

  const std::string csv = test::temp_path("loa-import") + ".csv";
  std::ofstream(csv) << "\xEF\xBB\xBFSố điện thoại,Họ tên,Nhóm\r\n"
                     << "0912345678,Nguyễn Văn An,ho-gia-dinh;to-5\r\n"
                     << "+84 96 123 4567,\"Trần, Thị Bình\",ho-gia-dinh\r\n"
                     << "0243 825 1234,UBND,ho-gia-dinh\r\n"
                     << "\r\n"
                     << "01621234567,Lê C,to-5\r\n"
                     << "0912345678,Nguyễn Văn An,\r\n";
  auto r = loa_cli({"--config", config, "--json", "subscribers", "import", csv, "--ward", "long-thuy",
                    "--group", "nguoi-nhan-tin"});
  CHECK(r.exit == 0);
  auto v = parse(r);
  CHECK(v.at("imported") == 3);
  CHECK(v.at("duplicates") == 1);
  REQUIRE(v.at("invalid").as_array().size() == 1);
  CHECK(v.at("invalid").as_array()[0].at("line") == 4);

  r = loa_cli({"--config", config, "--json", "groups", "list", "--ward", "long-thuy"});
  CHECK(r.exit == 0);
  v = parse(r);
  std::map<std::string, std::int64_t> sizes;
  for (const auto& g : v.at("groups").as_array())
    sizes[std::string(g.at("name").as_string())] = g.at("count").as_int64();
  CHECK(sizes == std::map<std::string, std::int64_t>{{"ho-gia-dinh", 2}, {"nguoi-nhan-tin", 3}, {"to-5", 2}});

  r = loa_cli(
      {"--config", config, "--json", "subscribers", "count", "--ward", "long-thuy", "--group", "to-5"});
  CHECK(parse(r).at("count") == 2);
  r = loa_cli({"--config", config, "--json", "groups", "list", "--ward", "an-phu"});
  CHECK(r.exit == 2);  // another ward's groups: refused
  CHECK(parse(r).at("error").as_string().find("an-phu") != json::string::npos);
  r = loa_cli({"--config", config, "subscribers", "count", "--ward", "long-thuy"}, "wrong-token");
  CHECK(r.exit == 2);

  r = loa_cli({"--config", config, "subscribers", "forget", "0912345678"});
  CHECK(r.exit == 0);
  CHECK(redis.command({"HGET", "loa:{w:long-thuy}:sub:" + std::to_string(84912345678ull % 4096),
                       "84912345678"}) == "(nil)");
  r = loa_cli({"--config", config, "--json", "subscribers", "count", "--ward", "long-thuy"});
  CHECK(parse(r).at("count") == 2);

  CHECK(gateway.stop() == 0);  // SIGTERM: a clean stop
  r = loa_cli({"--config", config, "subscribers", "count", "--ward", "long-thuy"});
  CHECK(r.exit == 3);  // no gateway: unreachable
}

TEST_CASE("cli: an official's commands read the configuration without the secrets its password_env names") {
  // The carrier's password is in a variable of the gateway's environment only (systemd's EnvironmentFile),
  // never in an official's shell.
  unsetenv("LOA_TEST_SMPP_PASSWORD");
  const auto http_port = test::free_port();  // no gateway listens there
  const std::string config = test::temp_path("loa-config") + ".yaml";
  std::ofstream(config) << "gateway:\n  listen: 127.0.0.1:" << http_port << "\n"
                        << "redis:\n  url: redis://127.0.0.1:6379/0\n"
                        << "sender: \"UBND LThuy\"\n"
                        << "carriers:\n  - name: viettel\n    host: 127.0.0.1\n    port: 2775\n"
                        << "    system_id: loa\n    password_env: LOA_TEST_SMPP_PASSWORD\n"
                        << "    prefixes: [\"8496\"]\n"
                        << "templates_dir: "
                        << (std::filesystem::current_path() / "templates/notices").string()
                        << "\noperators:\n  - name: hoa\n    token_sha256: "
                           "\"0c7608d51a1cd241340365f240fcce28178d00f75c1f955e0a183db4a5f9e418\"\n"
                        << "    wards: [long-thuy]\n    role: sender\n";
  auto r = loa_cli({"--config", config, "templates", "list"});
  CHECK(r.exit == 0);
  CHECK(r.out.find("lich-tiem-chung") != std::string::npos);
  // The gateway's address comes from the file too, not from the fallback 127.0.0.1:8787.
  r = loa_cli({"--config", config, "--json", "status", "1"});
  CHECK(r.exit == 3);
  CHECK(parse(r).at("error").as_string().find(":" + std::to_string(http_port)) != json::string::npos);
  // The gateway itself needs the password: refused at start.
  r = loa_cli({"--config", config, "gateway"});
  CHECK(r.exit == 1);
}
