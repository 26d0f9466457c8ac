// The client side of TLS, shared by the CLI's https client and SMPP binds over TLS: whom to trust (a CA file
// or the system store), which name the server's certificate must carry (a host name or an IP address), and
// why a handshake was refused, in words an operator can act on.
#pragma once

#include <string>
#include <system_error>

struct ssl_st;  // OpenSSL's SSL, kept out of this header

namespace boost::asio::ssl {
class context;
}

namespace loa::tls {

/// Why TLS could not be set up or the server was not believed. Zero is never used.
enum class error {
  ca_file_unreadable = 1,   // the CA file (--cacert, LOA_CACERT, tls_ca) cannot be opened
  ca_file_invalid,          // the CA file holds no PEM certificate OpenSSL can load
  no_system_store,          // no CA file given and the system's CA store cannot be loaded
  untrusted_certificate,    // no trusted CA signed the server's certificate
  self_signed_certificate,  // the server's certificate is self-signed (or its chain ends in an unknown root)
  expired_certificate,      // the server's certificate (or one in its chain) is expired or not yet valid
  wrong_host,               // the server's certificate is not for the host name or IP address connected to
  not_verified,             // any other reason OpenSSL gives for not verifying the certificate
  bad_host,                 // the host to check the certificate against cannot be set (empty, NUL inside)
  token_in_clear,           // a token would go over plain HTTP to a host beyond loopback: refused, unsent
};

/// The category of `error` ("loa.tls").
const std::error_category& error_category() noexcept;

/// Makes `error` usable as std::error_code.
std::error_code make_error_code(error e) noexcept;

/// Makes `context` (made with ssl::context::tls_client) verify servers: TLS 1.2 at least, the peer's
/// certificate required, signed by a CA of `ca_file` (PEM), or of the system store when `ca_file` is empty.
std::error_code trust(boost::asio::ssl::context& context, const std::string& ca_file);

/// Makes one connection accept only a certificate for `host` (a DNS name, or an IP address checked against
/// the certificate's IP entries) and sends `host` as SNI when it is a name. Call before the handshake.
std::error_code expect_host(ssl_st* connection, const std::string& host);

/// After a failed handshake: the reason in our terms when the server's certificate did not verify, else
/// `handshake_error` unchanged (a server that does not speak TLS, a network failure).
std::error_code explain_handshake_failure(const ssl_st* connection, std::error_code handshake_error);

/// True for the errors that mean "this server's certificate is not to be believed".
bool is_verification_failure(std::error_code ec) noexcept;

}  // namespace loa::tls

template <>
struct std::is_error_code_enum<loa::tls::error> : std::true_type {};
