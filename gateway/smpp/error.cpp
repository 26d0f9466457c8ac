#include "gateway/smpp/error.hpp"

#include <cstdio>

namespace loa::smpp {
namespace {

struct status_entry {
  std::uint32_t value;
  const char* name;
  const char* text;
};

// SMPP 3.4 table 5-2, lower-cased descriptions so that "NAME: description" reads as one sentence.
constexpr status_entry status_table[] = {
    {0x00, "ESME_ROK", "no error"},
    {0x01, "ESME_RINVMSGLEN", "message length is invalid"},
    {0x02, "ESME_RINVCMDLEN", "command length is invalid"},
    {0x03, "ESME_RINVCMDID", "invalid command id"},
    {0x04, "ESME_RINVBNDSTS", "incorrect bind status for given command"},
    {0x05, "ESME_RALYBND", "ESME already in bound state"},
    {0x06, "ESME_RINVPRTFLG", "invalid priority flag"},
    {0x07, "ESME_RINVREGDLVFLG", "invalid registered delivery flag"},
    {0x08, "ESME_RSYSERR", "system error"},
    {0x0A, "ESME_RINVSRCADR", "invalid source address"},
    {0x0B, "ESME_RINVDSTADR", "invalid destination address"},
    {0x0C, "ESME_RINVMSGID", "message id is invalid"},
    {0x0D, "ESME_RBINDFAIL", "bind failed"},
    {0x0E, "ESME_RINVPASWD", "invalid password"},
    {0x0F, "ESME_RINVSYSID", "invalid system id"},
    {0x11, "ESME_RCANCELFAIL", "cancel_sm failed"},
    {0x13, "ESME_RREPLACEFAIL", "replace_sm failed"},
    {0x14, "ESME_RMSGQFUL", "message queue full"},
    {0x15, "ESME_RINVSERTYP", "invalid service type"},
    {0x33, "ESME_RINVNUMDESTS", "invalid number of destinations"},
    {0x34, "ESME_RINVDLNAME", "invalid distribution list name"},
    {0x40, "ESME_RINVDESTFLAG", "destination flag is invalid"},
    {0x42, "ESME_RINVSUBREP", "invalid submit with replace request"},
    {0x43, "ESME_RINVESMCLASS", "invalid esm_class field data"},
    {0x44, "ESME_RCNTSUBDL", "cannot submit to distribution list"},
    {0x45, "ESME_RSUBMITFAIL", "submit_sm or submit_multi failed"},
    {0x48, "ESME_RINVSRCTON", "invalid source address TON"},
    {0x49, "ESME_RINVSRCNPI", "invalid source address NPI"},
    {0x50, "ESME_RINVDSTTON", "invalid destination address TON"},
    {0x51, "ESME_RINVDSTNPI", "invalid destination address NPI"},
    {0x53, "ESME_RINVSYSTYP", "invalid system_type field"},
    {0x54, "ESME_RINVREPFLAG", "invalid replace_if_present flag"},
    {0x55, "ESME_RINVNUMMSGS", "invalid number of messages"},
    {0x58, "ESME_RTHROTTLED", "throttling error"},
    {0x61, "ESME_RINVSCHED", "invalid scheduled delivery time"},
    {0x62, "ESME_RINVEXPIRY", "invalid message validity period"},
    {0x63, "ESME_RINVDFTMSGID", "predefined message invalid or not found"},
    {0x64, "ESME_RX_T_APPN", "ESME receiver temporary app error"},
    {0x65, "ESME_RX_P_APPN", "ESME receiver permanent app error"},
    {0x66, "ESME_RX_R_APPN", "ESME receiver reject message error"},
    {0x67, "ESME_RQUERYFAIL", "query_sm failed"},
    {0xC0, "ESME_RINVOPTPARSTREAM", "error in the optional part of the PDU body"},
    {0xC1, "ESME_ROPTPARNOTALLWD", "optional parameter not allowed"},
    {0xC2, "ESME_RINVPARLEN", "invalid parameter length"},
    {0xC3, "ESME_RMISSINGOPTPARAM", "expected optional parameter missing"},
    {0xC4, "ESME_RINVOPTPARAMVAL", "invalid optional parameter value"},
    {0xFE, "ESME_RDELIVERYFAILURE", "delivery failure"},
    {0xFF, "ESME_RUNKNOWNERR", "unknown error"},
};

const status_entry* find_status(std::uint32_t value) noexcept {
  for (const auto& e : status_table)
    if (e.value == value) return &e;
  return nullptr;
}

class error_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "loa.smpp"; }
  std::string message(int value) const override {
    switch (static_cast<error>(value)) {
      case error::bad_command_length: return "command_length out of range";
      case error::truncated: return "PDU truncated";
      case error::unknown_command: return "unknown command_id";
      case error::malformed_body: return "malformed PDU body";
      case error::bad_sm_length: return "sm_length does not match the short_message octets";
      case error::bad_tlv: return "malformed optional parameter";
      case error::encode_failed: return "PDU cannot be encoded";
      case error::response_timeout: return "no response in time";
      case error::bind_failed: return "bind failed";
      case error::connection_closed: return "connection closed";
      case error::window_closed: return "session closed with requests outstanding";
      case error::not_bound: return "session not bound";
      case error::generic_nack: return "peer answered generic_nack";
    }
    return "unknown loa.smpp error";
  }
};

class status_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "smpp.command_status"; }
  std::string message(int value) const override {
    const auto v = static_cast<std::uint32_t>(value);
    if (const auto* e = find_status(v)) return std::string(e->name) + ": " + e->text;
    char buf[40];
    std::snprintf(buf, sizeof buf, "command_status 0x%08X", v);
    return buf;
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const error_category_impl instance;
  return instance;
}

std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), error_category()}; }

const char* status_name(std::uint32_t command_status) noexcept {
  const auto* e = find_status(command_status);
  return e ? e->name : "";
}

const std::error_category& status_category() noexcept {
  static const status_category_impl instance;
  return instance;
}

std::error_code make_status_error(std::uint32_t command_status) noexcept {
  return {static_cast<int>(command_status), status_category()};
}

}  // namespace loa::smpp
