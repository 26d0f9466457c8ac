// Who is calling: a bearer token checked against the configured operators' SHA-256 digests in constant time,
// what their role lets them do, and which wards they may touch. Failed logins are rate-limited per address.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/config.hpp"
#include "gateway/api/http.hpp"

namespace loa::api {

/// The outcome of authenticating a request: the operator, or the response to send instead.
struct auth_result {
  const config::operator_config* who = nullptr;
  response refusal;  ///< 401 (no or bad token) or 429 (too many failures); meaningful when who is null
  explicit operator bool() const noexcept { return who != nullptr; }
};

/// Checks bearer tokens against the configured operators.
class authenticator {
 public:
  using clock = std::chrono::steady_clock;

  /// `max_failures` failed logins per address within `window` are answered 429 until the window passes.
  explicit authenticator(std::vector<config::operator_config> operators, int max_failures = 10,
                         clock::duration window = std::chrono::minutes(1));

  /// Reads "Authorization: Bearer TOKEN". Every operator's digest is compared, so timing tells nothing.
  auth_result authenticate(std::string_view authorization, std::string_view remote, clock::time_point now);

  /// For handlers: the operator when the request's token is valid, the role suffices and the operator may act
  /// on `ward` (empty: no ward involved); else the refusal to send (401, 403 naming the ward, or 429).
  std::variant<const config::operator_config*, response> authorize(const request& r, std::string_view ward,
                                                                   config::operator_role role,
                                                                   clock::time_point now = clock::now());

  /// Hears every refusal (401, 403, 429) with the address and the reason, never the token: for the log.
  void set_refusal_log(std::function<void(std::string_view)> log) { refusal_log_ = std::move(log); }

  /// True when `who` may act on `ward` (admins without wards may act on every ward).
  static bool may_act_on(const config::operator_config& who, std::string_view ward);

  /// True for an admin without wards: the one kind of operator that may act on every ward and number.
  static bool acts_on_every_ward(const config::operator_config& who);

  /// True when the role allows what `needed` allows (admin > approver > sender for approvals; admin for all).
  static bool has_role(const config::operator_config& who, config::operator_role needed);

 private:
  struct failures {
    int count = 0;
    clock::time_point window_start;
  };
  std::vector<config::operator_config> operators_;
  std::map<std::string, failures, std::less<>> failures_;
  int max_failures_;
  clock::duration window_;
  std::function<void(std::string_view)> refusal_log_;
  void log_refusal(std::string_view remote, const response& refusal) const;
};

/// For handlers: the operator out of authorize()'s verdict, or nullptr with the refusal moved to `refusal`.
const config::operator_config* who_or(std::variant<const config::operator_config*, response>& verdict,
                                      response& refusal);

}  // namespace loa::api
