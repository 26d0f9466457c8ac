#include "tools/loa/remote.hpp"

#include <fmt/core.h>

#include "gateway/common/tls.hpp"
#include "tools/loa/client_config.hpp"

namespace loa::cli {

std::string server_url(const global_options& globals) {
  if (!globals.server.empty()) return globals.server;
  try {
    const auto cfg = load_client_config(globals);
    return fmt::format("{}://{}:{}", cfg.gateway.tls ? "https" : "http", cfg.gateway.listen.host,
                       cfg.gateway.listen.port);
  } catch (const std::exception&) {
    return "http://127.0.0.1:8787";  // an official's machine may have no configuration: the usual local
                                     // gateway
  }
}

std::string url_encode(std::string_view text) {
  std::string out;
  for (const char byte : text) {
    const auto c = static_cast<unsigned char>(byte);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

namespace {

// A 429 names the wait: the gateway's message says it; else the Retry-After header or the body's retry_after_s.
std::string too_many_requests_message(std::string message, const api::reply& reply) {
  if (message.find("try again in") != std::string::npos) return message;
  std::string wait = reply.retry_after;
  if (const auto* o = reply.body.if_object(); wait.empty() && o)
    if (const auto* s = o->if_contains("retry_after_s"); s && s->is_int64()) wait = std::to_string(s->as_int64());
  if (wait.empty()) return message;
  return fmt::format("{}; try again in {} s", message, wait);
}

}  // namespace

api::client make_client(const global_options& globals, std::chrono::milliseconds timeout) {
  return api::client(server_url(globals), globals.token, timeout, globals.cacert);
}

call_failure describe_failure(const global_options& globals, const api::client& client, std::error_code ec) {
  const std::string& url = client.server();
  if (ec == std::errc::invalid_argument && !api::parse_server(url)) {
    return {exit_code::bad_input,
            fmt::format("--server {}: expected https://HOST:PORT, http://HOST:PORT or HOST:PORT", url),
            false};
  }
  if (ec == tls::error::ca_file_unreadable || ec == tls::error::ca_file_invalid) {
    return {exit_code::bad_input, fmt::format("--cacert {}: {}", globals.cacert, ec.message()), false};
  }
  if (ec == tls::error::token_in_clear) {
    const auto address = api::parse_server(url);
    return {exit_code::bad_input,
            fmt::format("--server {}: {}; nothing was sent. Use https://{}:{} (a gateway beyond loopback "
                        "serves the API only over TLS)",
                        url, ec.message(), address ? address->host : url, address ? address->port : "PORT"),
            false};
  }
  if (ec == tls::error::no_system_store) {
    return {exit_code::bad_input, fmt::format("{}; pass --cacert FILE or set LOA_CACERT", ec.message()),
            false};
  }
  if (tls::is_verification_failure(ec)) {
    // Nothing was sent: the token goes out only after the certificate verified.
    std::string hint;
    if (ec == tls::error::wrong_host) {
      const auto address = api::parse_server(url);
      hint = fmt::format(" (it must name {})", address ? address->host : url);
    } else if (ec != tls::error::expired_certificate) {
      hint = globals.cacert.empty() ? " (pass the CA that signed it with --cacert FILE or LOA_CACERT)"
                                    : fmt::format(" (checked against the CA in {})", globals.cacert);
    }
    return {exit_code::unreachable,
            fmt::format("refused the gateway at {}: {}{}; nothing was sent", url, ec.message(), hint), false};
  }
  return {exit_code::unreachable,
          fmt::format("cannot reach the gateway at {} ({}); is `loa gateway` running?", url, ec.message()),
          true};
}

remote_result call_gateway(const global_options& globals, boost::beast::http::verb method,
                           const std::string& target, const std::string& body, const std::string& file) {
  api::client client = make_client(globals, std::chrono::seconds(30));
  api::reply reply;
  const auto ec = file.empty()
                      ? client.call(method, target, body, body.empty() ? "" : "application/json", reply)
                      : client.call_file(method, target, file, "text/csv", reply);
  if (ec) {
    const auto why = describe_failure(globals, client, ec);
    return {std::nullopt, fail(globals, why.code, why.message)};
  }
  if (reply.status >= 200 && reply.status < 300) return {std::move(reply.body), 0};

  std::string message = reply.body.is_object() && reply.body.as_object().contains("error")
                            ? std::string(reply.body.at("error").as_string())
                            : fmt::format("the gateway answered HTTP {}", reply.status);
  if (reply.body.is_object() && reply.body.as_object().contains("field"))
    message += fmt::format(" (field: {})", std::string(reply.body.at("field").as_string()));
  if (reply.status == 429) message = too_many_requests_message(message, reply);
  exit_code code = exit_code::bad_input;
  if (reply.status == 401 || reply.status == 403 || reply.status == 429) code = exit_code::not_permitted;
  if (reply.status >= 500) code = exit_code::unreachable;
  if (globals.json &&
      reply.body.is_object()) {  // keep everything the gateway said (an import's invalid rows)
    print_json(reply.body);
    return {std::nullopt, static_cast<int>(code)};
  }
  return {std::nullopt, fail(globals, code, message)};
}

}  // namespace loa::cli
