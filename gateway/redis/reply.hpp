// Replies as plain C++ values. hiredis 0.14 frees its redisReply right after the callback returns (there is
// no way to keep it), so each reply is converted once into this small tree and owned by the caller from then
// on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loa::redis {

/// One reply of RESP2: nil, integer, bulk string, status, error or array (of replies).
class reply {
 public:
  /// The RESP2 reply types.
  enum class kind : std::uint8_t { nil, integer, string, status, error, array };

  /// A nil reply (GET of a missing key, a null array).
  reply() = default;
  /// An integer reply (INCR, DEL, EXISTS...).
  static reply make_integer(std::int64_t value);
  /// A bulk string (binary-safe), a status (+OK) or an error (-ERR ...), by `type`.
  static reply make_text(kind type, std::string text);
  /// An array of replies (LRANGE, XREADGROUP...).
  static reply make_array(std::vector<reply> elements);

  /// The reply's type.
  kind type() const noexcept { return kind_; }
  /// True for a nil reply.
  bool is_nil() const noexcept { return kind_ == kind::nil; }
  /// True for an error reply; its message is str().
  bool is_error() const noexcept { return kind_ == kind::error; }
  /// The value of an integer reply (0 for other types).
  std::int64_t integer() const noexcept { return integer_; }
  /// The bytes of a string, status or error reply (empty for other types).
  const std::string& str() const noexcept { return text_; }
  /// The elements of an array reply (empty for other types).
  const std::vector<reply>& elements() const noexcept { return elements_; }
  /// Moves the bytes out (for large values), leaving the reply's text empty.
  std::string take_str() noexcept { return std::move(text_); }

  /// Equal type and content, recursively.
  friend bool operator==(const reply&, const reply&) = default;

 private:
  kind kind_ = kind::nil;
  std::int64_t integer_ = 0;
  std::string text_;
  std::vector<reply> elements_;
};

/// The type's name ("string", "error"...).
const char* to_string(reply::kind k) noexcept;

/// The replies of one request, one per command in order. Move-only: a 10,000-command pipeline is not copied
/// by accident.
class response {
 public:
  /// An empty response (what a failed request carries, with the replies received so far).
  response() = default;
  /// Takes the replies.
  explicit response(std::vector<reply> replies) : replies_(std::move(replies)) {}
  response(response&&) noexcept = default;
  response& operator=(response&&) noexcept = default;
  response(const response&) = delete;
  response& operator=(const response&) = delete;

  /// Number of replies (equal to the number of commands when the request succeeded).
  std::size_t size() const noexcept { return replies_.size(); }
  /// True when there is no reply.
  bool empty() const noexcept { return replies_.empty(); }
  /// The reply to the i-th command.
  const reply& operator[](std::size_t i) const { return replies_[i]; }
  /// Mutable access, e.g. to take_str() a large value.
  reply& operator[](std::size_t i) { return replies_[i]; }
  /// Iteration in command order.
  auto begin() const noexcept { return replies_.begin(); }
  /// Iteration in command order.
  auto end() const noexcept { return replies_.end(); }
  /// The first error reply, or nullptr when no command failed.
  const reply* first_error() const noexcept;
  /// Gives the replies away.
  std::vector<reply> release() && noexcept { return std::move(replies_); }

 private:
  std::vector<reply> replies_;
};

}  // namespace loa::redis
