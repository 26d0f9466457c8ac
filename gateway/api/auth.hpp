// Who is calling: a bearer token checked against the configured operators' SHA-256 digests in constant time,
// what their role lets them do, and which wards they may touch. Bad tokens are limited per address and per
// token prefix by buckets that decay and that no success resets; a valid token is never refused for others'
// failures, only when its own requests come faster than the per-operator rate (429 with Retry-After).
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
#include "gateway/api/keyed_buckets.hpp"
#include "gateway/common/log_throttle.hpp"

namespace loa::api {

/// The outcome of authenticating a request: the operator, or the response to send instead.
struct auth_result {
  const config::operator_config* who = nullptr;
  response refusal;  ///< 401 (no or bad token) or 429 (too many failures); meaningful when who is null
  explicit operator bool() const noexcept { return who != nullptr; }
};

/// How many bad tokens and how many requests the API takes.
struct auth_limits {
  /// Bad or missing tokens per address, and per token prefix: `failures` at once, then as many per
  /// `failure_window` (a bucket, so a pause earns back attempts gradually). Beyond: 429, Retry-After.
  int failures = 10;
  std::chrono::steady_clock::duration failure_window = std::chrono::minutes(1);
  /// Requests of one operator (one token): `request_burst` at once, `requests_per_second` after that; beyond:
  /// 429 with Retry-After. Generous: a person and `loa status --watch` never come near; 0 means no limit.
  double requests_per_second = 100;
  double request_burst = 500;
  /// Distinct addresses and prefixes remembered (each a few dozen bytes): the bound against a flood of keys.
  std::size_t max_keys = 10'000;
};

/// The limits of the configuration's gateway.rate_limit.
auth_limits limits_of(const config::rate_limit_config& configured);

/// Checks bearer tokens against the configured operators.
class authenticator {
 public:
  using clock = std::chrono::steady_clock;

  /// With the limits of `limits`.
  explicit authenticator(std::vector<config::operator_config> operators, auth_limits limits = {});
  /// `max_failures` bad tokens per address (and per token prefix) at once, refilled over `window`; the
  /// default request rate.
  authenticator(std::vector<config::operator_config> operators, int max_failures, clock::duration window);

  /// How many leading bytes of a presented token key its failure bucket: tokens that share them share it.
  static constexpr std::size_t token_prefix_bytes = 8;

  /// Reads "Authorization: Bearer TOKEN". Every operator's digest is compared, so timing tells nothing. A
  /// valid token passes whatever others did; a bad or missing one is 401, or 429 (with Retry-After) once its
  /// address or its prefix has used up its failures. Does not count against the request rate.
  auth_result authenticate(std::string_view authorization, std::string_view remote, clock::time_point now);

  /// For handlers (once per request): the operator when the request's token is valid, its requests within the
  /// rate, the role suffices and the operator may act on `ward` (empty: no ward involved); else the refusal
  /// to send (401, 403 naming the ward, or 429 with Retry-After).
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
  std::vector<config::operator_config> operators_;
  keyed_buckets failures_by_address_;
  keyed_buckets failures_by_prefix_;
  keyed_buckets requests_by_operator_;
  std::function<void(std::string_view)> refusal_log_;
  mutable log_throttle too_many_log_{std::chrono::seconds(10)};  // 429 lines: one per 10 s with a count
  // 403 for a configured ward not the caller's; 404 with the nearest of the caller's wards for one no
  // operator has (a typo), so that it does not read as a permission problem.
  response ward_refusal(const config::operator_config& who, std::string_view ward) const;
  void log_refusal(std::string_view remote, const response& refusal) const;
};

/// A 429 that says why and when to come back: a Retry-After header (whole seconds, at least 1) and
/// {"error", "retry_after_s"} in the body.
response too_many_requests(std::string_view why, std::chrono::steady_clock::duration wait);

/// For handlers: the operator out of authorize()'s verdict, or nullptr with the refusal moved to `refusal`.
const config::operator_config* who_or(std::variant<const config::operator_config*, response>& verdict,
                                      response& refusal);

}  // namespace loa::api
