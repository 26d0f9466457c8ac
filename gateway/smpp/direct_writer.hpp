// The PDUs the gateway sends once per message, written straight into the output buffer: submit_sm (and
// deliver_sm, the simulator's, the same body), submit_sm_resp and deliver_sm_resp. One pass, no libsmpp34: its
// packer formats every field through snprintf for an error text we never read (about 29 % of the gateway's CPU).
// The writer refuses exactly what the libsmpp34 path (encode_with_smpp34) refuses and otherwise writes the same
// octets; tests/gateway/smpp/test_direct_writer.cpp and the fuzzer fuzz_smpp_pack hold it to that.
#pragma once

#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "gateway/smpp/pdu.hpp"

namespace loa::smpp::detail {

/// True for the command_ids write_direct writes.
bool writes_directly(command_id id) noexcept;

/// Why libsmpp34 would refuse this submit_sm or deliver_sm body (`id`), naming the PDU field, e.g.
/// "submit_sm destination_addr: 21 octets, at most 20", or empty when it packs. Allocates only on a refusal.
std::string sm_problem(command_id id, const short_message& m);

/// True when sm_problem(id, m) is empty, without building the text.
bool sm_fits(command_id id, const short_message& m) noexcept;

/// Appends the wire form of `p` (writes_directly(p.id), a body, not body_omitted) to `out`; on error `out` is left
/// unchanged and error::encode_failed returned.
std::error_code write_direct(const pdu& p, std::vector<std::uint8_t>& out);

}  // namespace loa::smpp::detail
