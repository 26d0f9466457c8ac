// Ward and group names in requests, through broadcast::check_name (one check for every way a name comes in):
// refused with a 400 that names the field, or composed to NFC in place.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/api/http.hpp"
#include "gateway/broadcast/names.hpp"

namespace loa::api {

/// Checks the names a request carries outside its body: the path's {ward} and the query's `ward` and
/// `group` values. The server calls it for every request before its handler.
std::optional<response> check_request_names(request& r);

/// Checks `values` (names of `kind` from the body's `field`) and composes them to NFC in place; equal
/// names after composing are kept once.
std::optional<response> check_names(broadcast::name_kind kind, std::vector<std::string>& values,
                                    std::string_view field);

}  // namespace loa::api
