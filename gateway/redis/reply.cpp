#include "gateway/redis/reply.hpp"

namespace loa::redis {

reply reply::make_integer(std::int64_t value) {
  reply r;
  r.kind_ = kind::integer;
  r.integer_ = value;
  return r;
}

reply reply::make_text(kind type, std::string text) {
  reply r;
  r.kind_ = type;
  r.text_ = std::move(text);
  return r;
}

reply reply::make_array(std::vector<reply> elements) {
  reply r;
  r.kind_ = kind::array;
  r.elements_ = std::move(elements);
  return r;
}

const char* to_string(reply::kind k) noexcept {
  switch (k) {
    case reply::kind::nil:
      return "nil";
    case reply::kind::integer:
      return "integer";
    case reply::kind::string:
      return "string";
    case reply::kind::status:
      return "status";
    case reply::kind::error:
      return "error";
    case reply::kind::array:
      return "array";
  }
  return "unknown";
}

const reply* response::first_error() const noexcept {
  for (const auto& r : replies_)
    if (r.is_error()) return &r;
  return nullptr;
}

}  // namespace loa::redis
