#include "gateway/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace loa::gateway::metrics {
namespace {

enum type : int { counter_type, gauge_type, histogram_type };

constexpr std::string_view type_name(int t) {
  switch (t) {
    case counter_type:
      return "counter";
    case gauge_type:
      return "gauge";
    default:
      return "histogram";
  }
}

// [a-zA-Z_:][a-zA-Z0-9_:]* for metric names; labels the same without ':'.
bool valid_name(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

void check_labels(std::string_view metric, const labels& l) {
  for (const auto& [name, value] : l)
    if (!valid_name(name, false) || name.starts_with("__") || name == "le")
      throw std::logic_error(fmt::format("metric {}: bad label name '{}'", metric, name));
}

// {a="x",b="y"} with `extra` (le="...") last; "" when there are no labels at all.
void append_labels(std::string& out, const labels& l, std::string_view extra_name = {},
                   std::string_view extra_value = {}) {
  if (l.empty() && extra_name.empty()) return;
  out += '{';
  bool first = true;
  for (const auto& [name, value] : l) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    out += escape_label_value(value);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!first) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

}  // namespace

histogram::histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), per_bucket_(bounds_.size() + 1) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
      std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end())
    throw std::logic_error("histogram bounds must be strictly ascending");
}

void histogram::observe(double v) noexcept {
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);  // first bound >= v: le is inclusive
  ++per_bucket_[static_cast<std::size_t>(it - bounds_.begin())];
  ++count_;
  sum_ += v;
}

std::uint64_t histogram::cumulative(std::size_t i) const noexcept {
  std::uint64_t n = 0;
  for (std::size_t k = 0; k <= i && k < per_bucket_.size(); ++k) n += per_bucket_[k];
  return n;
}

std::vector<double> latency_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (const char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string escape_help(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (const char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

struct registry::family {
  std::string help;
  int type = counter_type;
  std::vector<double> bounds;  // histograms
  struct series {
    labels l;
    std::unique_ptr<counter> c;
    std::unique_ptr<gauge> g;
    std::unique_ptr<histogram> h;
    std::function<double()> read;
  };
  std::vector<std::unique_ptr<series>> all;  // in creation order

  series* find(const labels& l) {
    for (auto& s : all)
      if (s->l == l) return s.get();
    return nullptr;
  }
  series& add(const labels& l) {
    all.push_back(std::make_unique<series>());
    all.back()->l = l;
    return *all.back();
  }
};

registry::registry() = default;
registry::~registry() = default;

registry::family& registry::family_for(std::string_view name, std::string_view help, int t) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    if (!valid_name(name, true)) throw std::logic_error(fmt::format("bad metric name '{}'", name));
    auto f = std::make_unique<family>();
    f->help = std::string(help);
    f->type = t;
    it = families_.emplace(std::string(name), std::move(f)).first;
  } else if (it->second->type != t) {
    throw std::logic_error(
        fmt::format("metric {} is a {}, not a {}", name, type_name(it->second->type), type_name(t)));
  }
  return *it->second;
}

counter& registry::get_counter(std::string_view name, std::string_view help, const labels& l) {
  auto& f = family_for(name, help, counter_type);
  if (auto* s = f.find(l); s && s->c) return *s->c;
  check_labels(name, l);
  auto& s = f.add(l);
  s.c = std::make_unique<counter>();
  return *s.c;
}

gauge& registry::get_gauge(std::string_view name, std::string_view help, const labels& l) {
  auto& f = family_for(name, help, gauge_type);
  if (auto* s = f.find(l)) {
    if (!s->g) throw std::logic_error(fmt::format("metric {}: that series is read by a function", name));
    return *s->g;
  }
  check_labels(name, l);
  auto& s = f.add(l);
  s.g = std::make_unique<gauge>();
  return *s.g;
}

histogram& registry::get_histogram(std::string_view name, std::string_view help, std::vector<double> bounds,
                                   const labels& l) {
  auto& f = family_for(name, help, histogram_type);
  if (f.all.empty() && f.bounds.empty()) f.bounds = std::move(bounds);
  if (auto* s = f.find(l)) return *s->h;
  check_labels(name, l);
  auto& s = f.add(l);
  s.h = std::make_unique<histogram>(f.bounds);
  return *s.h;
}

void registry::gauge_fn(std::string_view name, std::string_view help, const labels& l,
                        std::function<double()> read) {
  auto& f = family_for(name, help, gauge_type);
  auto* s = f.find(l);
  if (s && !s->read) throw std::logic_error(fmt::format("metric {}: that series is a plain gauge", name));
  if (!s) {
    check_labels(name, l);
    s = &f.add(l);
  }
  s->read = std::move(read);  // the newest owner reads it
}

std::string registry::render() const {
  std::string out;
  for (const auto& [name, f] : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape_help(f->help), name, type_name(f->type));
    for (const auto& s : f->all) {
      if (f->type == histogram_type) {
        const auto& h = *s->h;
        const std::string bucket = name + "_bucket";
        for (std::size_t i = 0; i <= h.bounds().size(); ++i) {
          out += bucket;
          append_labels(out, s->l, "le", i < h.bounds().size() ? format_value(h.bounds()[i]) : "+Inf");
          out += fmt::format(" {}\n", h.cumulative(i));
        }
        out += name + "_sum";
        append_labels(out, s->l);
        out += ' ' + format_value(h.sum()) + '\n';
        out += name + "_count";
        append_labels(out, s->l);
        out += fmt::format(" {}\n", h.count());
        continue;
      }
      out += name;
      append_labels(out, s->l);
      if (s->c)
        out += fmt::format(" {}\n", s->c->value());
      else
        out += ' ' + format_value(s->read ? s->read() : s->g->value()) + '\n';
    }
  }
  return out;
}

}  // namespace loa::gateway::metrics
