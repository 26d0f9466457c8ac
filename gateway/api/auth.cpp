#include "gateway/api/auth.hpp"

#include "gateway/store/subscriber_store.hpp"
#include "segments/name_match.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <cstdint>
#include <optional>

namespace loa::api {

namespace {

bucket_settings failure_buckets(const auth_limits& limits) {
  const std::chrono::duration<double> window = limits.failure_window;
  return {limits.failures / std::max(window.count(), 1e-3), static_cast<double>(limits.failures),
          limits.max_keys};
}

auth_limits failures_per(int max_failures, authenticator::clock::duration window) {
  auth_limits limits;
  limits.failures = max_failures;
  limits.failure_window = window;
  return limits;
}

}  // namespace

response too_many_requests(std::string_view why, std::chrono::steady_clock::duration wait) {
  const auto seconds = std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::seconds>(wait).count());
  auto out = json_response(
      http::status::too_many_requests,
      {{"error", fmt::format("{}; try again in {} second{}", why, seconds, seconds == 1 ? "" : "s")},
       {"retry_after_s", seconds}});
  out.headers.emplace_back("Retry-After", std::to_string(seconds));
  return out;
}

auth_limits limits_of(const config::rate_limit_config& configured) {
  auth_limits limits;
  limits.failures = configured.failed_logins_per_minute;
  limits.failure_window = std::chrono::minutes(1);
  limits.requests_per_second = configured.requests_per_second;
  limits.request_burst = configured.burst;
  return limits;
}

authenticator::authenticator(std::vector<config::operator_config> operators, auth_limits limits)
    : operators_(std::move(operators)),
      failures_by_address_(failure_buckets(limits)),
      failures_by_prefix_(failure_buckets(limits)),
      requests_by_operator_({limits.requests_per_second, limits.request_burst, limits.max_keys}) {}

authenticator::authenticator(std::vector<config::operator_config> operators, int max_failures,
                             clock::duration window)
    : authenticator(std::move(operators), failures_per(max_failures, window)) {}

auth_result authenticator::authenticate(std::string_view authorization, std::string_view remote,
                                        clock::time_point now) {
  constexpr std::string_view scheme = "Bearer ";
  const config::operator_config* found = nullptr;
  std::string_view token;
  if (authorization.size() > scheme.size() && authorization.starts_with(scheme)) {
    token = authorization.substr(scheme.size());
    const std::string digest = broadcast::sha256_hex(token);
    for (const auto& op : operators_) {  // no early exit: every comparison takes the same time
      const bool same = op.token_sha256.size() == digest.size() &&
                        CRYPTO_memcmp(op.token_sha256.data(), digest.data(), digest.size()) == 0;
      if (same) found = &op;
    }
  }
  // A valid token is never refused here: the failures of others behind the same address (an office's NAT)
  // or with a token that starts alike are theirs. Nor does it forgive them: their buckets refill with time.
  if (found) return {found, {}};

  // A bad token counts against its address and the start of what was presented (one guesser behind many
  // addresses tries tokens that start alike). The prefix is only a key in memory; it is never logged.
  const std::string prefix = "t:" + std::string(token.substr(0, token_prefix_bytes));
  const bool keyed_by_prefix = !token.empty();
  auto wait = failures_by_address_.wait(remote, now);
  if (keyed_by_prefix) wait = std::max(wait, failures_by_prefix_.wait(prefix, now));
  if (wait == clock::duration::zero()) {
    wait = failures_by_address_.take(remote, now);
    if (keyed_by_prefix) wait = std::max(wait, failures_by_prefix_.take(prefix, now));
    if (wait == clock::duration::zero()) {
      auth_result refused{
          nullptr, error_response(http::status::unauthorized, authorization.empty()
                                                                  ? "no token: pass --token or set LOA_TOKEN"
                                                                  : "the token is not valid")};
      log_refusal(remote, refused.refusal);
      return refused;
    }
  }
  auth_result refused{
      nullptr, too_many_requests("too many bad tokens from this address, or starting like this one", wait)};
  log_refusal(remote, refused.refusal);
  return refused;
}

std::variant<const config::operator_config*, response> authenticator::authorize(const request& r,
                                                                                std::string_view ward,
                                                                                config::operator_role role,
                                                                                clock::time_point now) {
  auto result = authenticate(r.authorization, r.remote, now);
  if (!result) return std::move(result.refusal);
  std::optional<response> refusal;
  if (const auto wait = requests_by_operator_.take(result.who->name, now); wait != clock::duration::zero()) {
    const auto& limits = requests_by_operator_.settings();
    refusal =
        too_many_requests("operator " + result.who->name + " sends requests faster than the gateway takes (" +
                              fmt::format("{:g}", limits.per_second) + " a second, " +
                              fmt::format("{:g}", limits.burst) + " at once)",
                          wait);
  } else if (!has_role(*result.who, role)) {
    refusal =
        error_response(http::status::forbidden, "operator " + result.who->name + " has role " +
                                                    std::string(config::to_string(result.who->role)) +
                                                    "; this needs " + std::string(config::to_string(role)));
  } else if (!ward.empty() && !may_act_on(*result.who, ward)) {
    refusal = ward_refusal(*result.who, ward);
  }
  if (refusal) {
    log_refusal(r.remote, *refusal);
    return std::move(*refusal);
  }
  return result.who;
}

response authenticator::ward_refusal(const config::operator_config& who, std::string_view ward) const {
  const bool configured = std::any_of(operators_.begin(), operators_.end(), [&](const config::operator_config& o) {
    return std::find(o.wards.begin(), o.wards.end(), ward) != o.wards.end();
  });
  if (configured)
    return error_response(http::status::forbidden,
                          "operator " + who.name + " may not act on ward " + std::string(ward), "ward");
  // A mistyped ward is not a permission problem. Suggest only among the caller's own wards: others' names are
  // theirs to know.
  std::string message = fmt::format("no ward {} among the wards operator {} may act on", ward, who.name);
  if (auto near = segments::nearest_names(ward, who.wards); !near.empty())
    message += ": " + segments::did_you_mean(near);
  return error_response(http::status::not_found, message, "ward");
}

void authenticator::log_refusal(std::string_view remote, const response& refusal) const {
  if (!refusal_log_) return;
  std::string line = "refused " + std::to_string(static_cast<unsigned>(refusal.status)) + " to " +
                     std::string(remote) + ": " + refusal.body;
  // A 429 is what a flood of guesses or requests gets: one line per interval, with the count, is enough.
  if (refusal.status == http::status::too_many_requests) {
    std::uint64_t held_back = 0;
    if (!too_many_log_.allow(log_throttle::clock::now(), held_back)) return;
    if (held_back > 0) line += " (and " + std::to_string(held_back) + " more 429s since the last such line)";
  }
  refusal_log_(line);
}

bool authenticator::acts_on_every_ward(const config::operator_config& who) {
  return who.role == config::operator_role::admin && who.wards.empty();
}

bool authenticator::may_act_on(const config::operator_config& who, std::string_view ward) {
  if (acts_on_every_ward(who)) return true;
  return std::find(who.wards.begin(), who.wards.end(), ward) != who.wards.end();
}

bool authenticator::has_role(const config::operator_config& who, config::operator_role needed) {
  using config::operator_role;
  switch (needed) {
    case operator_role::sender:
      return true;
    case operator_role::approver:
      return who.role == operator_role::approver || who.role == operator_role::admin;
    case operator_role::admin:
      return who.role == operator_role::admin;
  }
  return false;
}

const config::operator_config* who_or(std::variant<const config::operator_config*, response>& verdict,
                                      response& refusal) {
  if (auto* r = std::get_if<response>(&verdict)) {
    refusal = std::move(*r);
    return nullptr;
  }
  return std::get<const config::operator_config*>(verdict);
}

}  // namespace loa::api
