#include "gateway/api/auth.hpp"

#include "gateway/broadcast/subscriber_store.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <optional>

namespace loa::api {

authenticator::authenticator(std::vector<config::operator_config> operators, int max_failures,
                             clock::duration window)
    : operators_(std::move(operators)), max_failures_(max_failures), window_(window) {}

auth_result authenticator::authenticate(std::string_view authorization, std::string_view remote,
                                        clock::time_point now) {
  if (failures_.size() > 10'000) {  // forget addresses whose window has passed, so the map stays small
    std::erase_if(failures_, [&](const auto& entry) { return now - entry.second.window_start > window_; });
  }
  auto& f = failures_[std::string(remote)];
  if (now - f.window_start > window_) f = {0, now};
  if (f.count >= max_failures_) {
    auth_result refused{nullptr, error_response(http::status::too_many_requests,
                                                "too many failed logins from this address; wait a minute")};
    log_refusal(remote, refused.refusal);
    return refused;
  }

  constexpr std::string_view scheme = "Bearer ";
  const config::operator_config* found = nullptr;
  if (authorization.size() > scheme.size() && authorization.starts_with(scheme)) {
    const std::string digest = broadcast::sha256_hex(authorization.substr(scheme.size()));
    for (const auto& op : operators_) {  // no early exit: every comparison takes the same time
      const bool same = op.token_sha256.size() == digest.size() &&
                        CRYPTO_memcmp(op.token_sha256.data(), digest.data(), digest.size()) == 0;
      if (same) found = &op;
    }
  }
  if (found) {
    failures_.erase(std::string(remote));
    return {found, {}};
  }
  ++f.count;
  const bool missing = authorization.empty();
  auth_result refused{
      nullptr, error_response(http::status::unauthorized, missing ? "no token: pass --token or set LOA_TOKEN"
                                                                  : "the token is not valid")};
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
  if (!has_role(*result.who, role)) {
    refusal =
        error_response(http::status::forbidden, "operator " + result.who->name + " has role " +
                                                    std::string(config::to_string(result.who->role)) +
                                                    "; this needs " + std::string(config::to_string(role)));
  } else if (!ward.empty() && !may_act_on(*result.who, ward)) {
    refusal =
        error_response(http::status::forbidden,
                       "operator " + result.who->name + " may not act on ward " + std::string(ward), "ward");
  }
  if (refusal) {
    log_refusal(r.remote, *refusal);
    return std::move(*refusal);
  }
  return result.who;
}

void authenticator::log_refusal(std::string_view remote, const response& refusal) const {
  if (refusal_log_)
    refusal_log_("refused " + std::to_string(static_cast<unsigned>(refusal.status)) + " to " +
                 std::string(remote) + ": " + refusal.body);
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
