#include "gateway/common/tls.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>

#include <fstream>

namespace loa::tls {
namespace {

struct category : std::error_category {
  const char* name() const noexcept override { return "loa.tls"; }
  std::string message(int value) const override {
    switch (static_cast<error>(value)) {
      case error::ca_file_unreadable:
        return "the CA file cannot be read";
      case error::ca_file_invalid:
        return "the CA file holds no PEM certificate";
      case error::no_system_store:
        return "the system's CA certificates cannot be loaded (give a CA file)";
      case error::untrusted_certificate:
        return "the server's certificate is not signed by a trusted CA";
      case error::self_signed_certificate:
        return "the server's certificate is self-signed, and not trusted";
      case error::expired_certificate:
        return "the server's certificate is expired or not yet valid";
      case error::wrong_host:
        return "the server's certificate is for another host name or address";
      case error::not_verified:
        return "the server's certificate does not verify";
      case error::bad_host:
        return "the host name cannot be checked against a certificate";
      case error::token_in_clear:
        return "the token would travel in clear to a host beyond this machine";
    }
    return "TLS error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const category instance;
  return instance;
}

std::error_code make_error_code(error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

std::error_code trust(boost::asio::ssl::context& context, const std::string& ca_file) {
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  context.set_verify_mode(boost::asio::ssl::verify_peer);
  boost::system::error_code ec;
  if (ca_file.empty()) {
    context.set_default_verify_paths(ec);
    return ec ? make_error_code(error::no_system_store) : std::error_code{};
  }
  // Told apart from a file OpenSSL cannot parse, so that the message says which mistake it is.
  if (!std::ifstream(ca_file)) return error::ca_file_unreadable;
  context.load_verify_file(ca_file, ec);
  return ec ? make_error_code(error::ca_file_invalid) : std::error_code{};
}

std::error_code expect_host(ssl_st* connection, const std::string& host) {
  if (host.empty() || host.find('\0') != std::string::npos) return error::bad_host;
  X509_VERIFY_PARAM* param = SSL_get0_param(connection);
  boost::system::error_code not_ip;
  boost::asio::ip::make_address(host, not_ip);
  if (!not_ip) {
    // A certificate for 127.0.0.1 names it in an IP entry; no SNI for addresses (RFC 6066).
    return X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1 ? std::error_code{}
                                                                   : make_error_code(error::bad_host);
  }
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (SSL_set1_host(connection, host.c_str()) != 1) return error::bad_host;
  // SSL_set_tlsext_host_name, without the macro's C cast.
  if (SSL_ctrl(connection, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(host.c_str())) != 1)
    return error::bad_host;
  return {};
}

std::error_code explain_handshake_failure(const ssl_st* connection, std::error_code handshake_error) {
  // X509_V_OK also when the handshake ended before any certificate was checked: then the handshake's own
  // error says more.
  switch (SSL_get_verify_result(connection)) {
    case X509_V_OK:
      return handshake_error;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
    case X509_V_ERR_EMAIL_MISMATCH:
      return error::wrong_host;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return error::self_signed_certificate;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return error::expired_certificate;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      return error::untrusted_certificate;
    default:
      return error::not_verified;
  }
}

bool is_verification_failure(std::error_code ec) noexcept {
  if (ec.category() != error_category()) return false;
  switch (static_cast<error>(ec.value())) {
    case error::untrusted_certificate:
    case error::self_signed_certificate:
    case error::expired_certificate:
    case error::wrong_host:
    case error::not_verified:
      return true;
    default:
      return false;
  }
}

}  // namespace loa::tls
