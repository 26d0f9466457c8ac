#include "tools/loa/carrier_check_command.hpp"

#include <fmt/core.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <map>
#include <memory>

#include "config/config.hpp"
#include "gateway/broadcast/numbers.hpp"
#include "gateway/carrier_link.hpp"
#include "gateway/smpp/deliver.hpp"
#include "tools/loa/i18n/translate.hpp"

namespace loa::cli {

using i18n::tr;
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

struct check_arguments {
  std::string carrier;
  std::string to;
  std::string text;
  std::string accents = "keep";
  double timeout_s = 30;
};

// What the check found, in the order it happens.
struct findings {
  bool bound = false;
  std::string smsc_system_id;
  std::optional<double> enquire_ms;
  std::string failure;  // why the check stopped early (bind refused, connect failed, submit refused)
  std::size_t parts = 0;
  std::string encoding;
  std::vector<std::string> message_ids;
  std::map<std::string, smpp::receipt> receipts;  // by normalised id
  std::chrono::steady_clock::time_point submitted_at;
  std::optional<double> receipt_after_s;
};

bool final_success(smpp::receipt_state s) {
  return s == smpp::receipt_state::delivered;
}
bool final_state(smpp::receipt_state s) {
  return s != smpp::receipt_state::enroute && s != smpp::receipt_state::accepted;
}

// The receipt of the whole message: delivered when every part is, else the first part's failure.
std::optional<smpp::receipt> overall_receipt(const findings& f) {
  if (f.receipts.empty()) return std::nullopt;
  for (const auto& [id, r] : f.receipts)
    if (!final_success(r.state)) return r;
  if (f.receipts.size() < f.message_ids.size()) return std::nullopt;
  return f.receipts.begin()->second;
}

json::object to_json(const check_arguments& a, const config::carrier_config& c, const findings& f) {
  json::array ids;
  for (const auto& id : f.message_ids) ids.emplace_back(id);
  json::object out{
      {"carrier", a.carrier}, {"bound", f.bound}, {"parts", f.parts}, {"message_ids", ids}, {"tls", c.tls}};
  if (!f.smsc_system_id.empty()) out["smsc_system_id"] = f.smsc_system_id;
  if (f.enquire_ms) out["enquire_link_ms"] = *f.enquire_ms;
  if (!f.encoding.empty()) out["encoding"] = f.encoding;
  if (!f.failure.empty()) out["error"] = f.failure;
  if (auto r = overall_receipt(f)) {
    out["receipt"] = {{"state", smpp::to_string(r->state)},
                      {"error", r->error},
                      {"id", r->id},
                      {"done_date", r->done_date},
                      {"after_s", f.receipt_after_s.value_or(0)}};
  } else {
    out["receipt"] = nullptr;
  }
  return out;
}

void print_human(const check_arguments& a, const config::carrier_config& c, const findings& f) {
  fmt::print("carrier   {} ({}:{}, {} bind{})\n", a.carrier, c.host, c.port, config::to_string(c.bind),
             c.tls ? ", TLS" : "");
  if (!f.bound) {
    fmt::print("bound     no: {}\n", f.failure.empty() ? "no answer in time" : f.failure);
    return;
  }
  fmt::print("bound     yes, SMSC system_id \"{}\"\n", f.smsc_system_id);
  if (f.enquire_ms) {
    fmt::print("enquire   answered in {:.1f} ms\n", *f.enquire_ms);
  } else {
    fmt::print("enquire   no answer in time\n");
  }
  if (a.to.empty()) return;
  fmt::print("message   {} part(s), {}, to {}\n", f.parts, f.encoding, a.to);
  for (std::size_t i = 0; i < f.message_ids.size(); ++i)
    fmt::print("part {}    id {}\n", i + 1, f.message_ids[i]);
  if (!f.failure.empty()) fmt::print("failed    {}\n", f.failure);
  if (auto r = overall_receipt(f)) {
    fmt::print("receipt   {}{} after {:.1f} s\n", smpp::to_string(r->state),
               r->error.empty() ? "" : " (err " + r->error + ")", f.receipt_after_s.value_or(0));
  } else if (f.failure.empty()) {
    fmt::print("receipt   none within {:.0f} s\n", a.timeout_s);
  }
}

int run_check(const global_options& globals, const check_arguments& a) {
  config::configuration cfg;
  try {
    cfg = config::load_config(globals.config_file);
  } catch (const config::config_error& e) {
    return fail(globals, exit_code::bad_input, e.what());
  }
  const config::carrier_config* carrier = cfg.find_carrier(a.carrier);
  if (!carrier) {
    std::string names;
    for (const auto& c : cfg.carriers) names += (names.empty() ? "" : ", ") + c.name;
    return fail(
        globals, exit_code::bad_input,
        fmt::format("{}: no carrier named '{}' (carriers: {})", globals.config_file, a.carrier, names));
  }
  if (a.to.empty() != a.text.empty())
    return fail(globals, exit_code::bad_input, "--to and --text go together");

  // Everything that can be refused is refused before connecting.
  std::vector<smpp::short_message> bodies;
  findings f;
  if (!a.to.empty()) {
    const auto number = broadcast::normalise_number(a.to);
    if (!number)
      return fail(globals, exit_code::bad_input,
                  fmt::format("--to {}: {}", a.to, broadcast::describe(number.problem)));
    segments::message m;
    const auto options =
        gateway::split_options_for(*carrier, cfg.limits, *segments::parse_accents(a.accents),
                                   static_cast<std::uint16_t>(std::random_device{}() & 0xFFFF));
    if (const auto status = segments::split(a.text, options, m); !status)
      return fail(globals, exit_code::bad_input, "--text: " + segments::describe(status, m));
    f.parts = m.parts.size();
    f.encoding = std::string(segments::to_string(m.coding));
    bodies = gateway::submit_bodies(
        m, *carrier, {carrier->sender.value_or(cfg.sender), number.number, true, cfg.limits.validity});
  }

  asio::io_context io;
  smpp::rate_limiter limiter(gateway::rate_settings_for(*carrier));
  std::unique_ptr<smpp::bind_driver> driver;
  std::unique_ptr<smpp::bind_driver>
      receiver;  // a transmitter's receipts come over a receiver bind of their own
  asio::steady_timer deadline(io);
  const auto mode = gateway::receipt_mode_for(*carrier);
  bool finished = false;

  auto finish = [&] {
    if (finished) return;
    finished = true;
    deadline.cancel();
    driver->async_stop([&] {
      if (receiver) {
        receiver->async_stop([&io] { io.stop(); });
      } else {
        io.stop();
      }
    });
  };
  auto all_receipts_in = [&] {
    if (f.message_ids.empty() || f.receipts.size() < f.message_ids.size()) return false;
    for (const auto& [id, r] : f.receipts)
      if (!final_state(r.state)) return false;
    return true;
  };
  auto send_parts = [&]() -> asio::awaitable<void> {
    f.submitted_at = std::chrono::steady_clock::now();
    for (auto& body : bodies) {
      auto outcome = co_await driver->async_submit(std::move(body), asio::use_awaitable);
      if (outcome.kind != smpp::outcome_kind::accepted) {
        f.failure = fmt::format("part {} not accepted: {} ({})", f.message_ids.size() + 1,
                                smpp::to_string(outcome.kind), outcome.error.message());
        finish();
        co_return;
      }
      f.message_ids.push_back(outcome.message_id);
    }
    if (all_receipts_in()) finish();  // a receipt may come before the last submit_sm_resp
  };

  smpp::deliver_sorter sorter(
      [&](smpp::receipt r) {
        const auto key = smpp::normalise_receipt_id(r.id, mode, smpp::id_origin::receipt);
        f.receipts[key] = std::move(r);
        f.receipt_after_s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - f.submitted_at).count();
        // Receipts for ids we never sent are ignored: only ours count.
        std::map<std::string, smpp::receipt> ours;
        for (const auto& id : f.message_ids) {
          const auto k = smpp::normalise_receipt_id(id, mode, smpp::id_origin::submit_resp);
          if (auto it = f.receipts.find(k); it != f.receipts.end()) ours.insert(*it);
        }
        if (ours.size() == f.message_ids.size() && all_receipts_in()) {
          f.receipts = std::move(ours);
          finish();
        }
      },
      [](smpp::mo_message) {});

  smpp::bind_callbacks callbacks;
  callbacks.on_bound = [&](const std::string& smsc) {
    f.bound = true;
    f.smsc_system_id = smsc;
    driver->enquire_link();
  };
  callbacks.on_link_alive = [&](std::chrono::microseconds rtt) {
    if (f.enquire_ms) return;
    f.enquire_ms = static_cast<double>(rtt.count()) / 1000.0;
    if (bodies.empty()) {
      finish();
    } else {
      asio::co_spawn(io, send_parts(), asio::detached);
    }
  };
  callbacks.on_bind_refused = [&](std::error_code ec, bool) {
    f.failure = "bind refused: " + ec.message();
    finish();
  };
  callbacks.on_log = [&](std::error_code ec, std::string_view detail) {
    if (!f.bound && detail.starts_with("connect failed")) {  // a check reports, it does not keep retrying
      f.failure = "cannot connect: " + ec.message();
      finish();
    }
  };
  callbacks.on_deliver = [&](const smpp::pdu& p) { sorter(p); };

  auto settings = gateway::bind_settings_for(*carrier);
  settings.session.seed = 1;
  driver = std::make_unique<smpp::bind_driver>(io, settings, limiter, callbacks);
  if (carrier->bind == config::bind_mode::transmitter) {
    auto receiver_settings = settings;
    receiver_settings.session.mode = smpp::bind_mode::receiver;
    smpp::bind_callbacks receiver_callbacks;
    receiver_callbacks.on_deliver = [&](const smpp::pdu& p) { sorter(p); };
    receiver = std::make_unique<smpp::bind_driver>(io, receiver_settings, limiter, receiver_callbacks);
    receiver->start();
  }
  deadline.expires_after(std::chrono::milliseconds(static_cast<std::int64_t>(a.timeout_s * 1000)));
  deadline.async_wait([&](boost::system::error_code ec) {
    if (!ec) finish();
  });
  driver->start();
  io.run();

  // Keep only receipts for our ids.
  std::map<std::string, smpp::receipt> ours;
  for (const auto& id : f.message_ids) {
    const auto k = smpp::normalise_receipt_id(id, mode, smpp::id_origin::submit_resp);
    if (auto it = f.receipts.find(k); it != f.receipts.end()) ours.insert(*it);
  }
  f.receipts = std::move(ours);

  if (globals.json) {
    print_json(to_json(a, *carrier, f));
  } else {
    print_human(a, *carrier, f);
  }
  if (!f.bound) return static_cast<int>(exit_code::unreachable);
  const auto receipt = overall_receipt(f);
  const bool failed = !f.failure.empty() || (receipt && !final_success(receipt->state));
  return failed ? static_cast<int>(exit_code::some_failed) : 0;
}

}  // namespace

void add_carrier_check_command(CLI::App& app, const global_options& globals, std::function<int()>& run) {
  auto a = std::make_shared<check_arguments>();
  auto* carrier = app.add_subcommand("carrier", tr("Diagnostics of one carrier"))->require_subcommand(1);
  auto* check = carrier->add_subcommand(
      "check", tr("Bind, enquire_link, optionally send one message and wait for its receipt"));
  check->add_option("NAME", a->carrier, tr("The carrier's name in the configuration"))->required();
  check->add_option("--to", a->to, tr("Send one message to this number"));
  check->add_option("--text", a->text, tr("The message's text"));
  check->add_option("--accents", a->accents, "keep | strip | auto")
      ->check(CLI::IsMember({"keep", "strip", "auto"}));
  check->add_option("--timeout", a->timeout_s, tr("Seconds to wait for the bind and the receipt"))
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  check->callback([&run, &globals, a] { run = [&globals, a] { return run_check(globals, *a); }; });
}

}  // namespace loa::cli
