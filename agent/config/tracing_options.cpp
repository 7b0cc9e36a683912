#include "agent/config/tracing_options.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parsers/json.h"
#include "rules/condition.h"

namespace faultline::config {

namespace {

std::shared_ptr<const RE2> compile(yaml::Reader& r, const yaml::Node& at, std::string_view path,
                                   const std::string& pattern, std::string_view written) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const RE2>(pattern, options);
  if (!re->ok()) {
    r.error(at, path, "bad RE2 pattern \"" + std::string(written) + "\": " + re->error());
    return nullptr;
  }
  return re;
}

// `route:` as one anchored pattern: a glob or a list of globs, each matching the whole route.
std::shared_ptr<const RE2> compile_globs(yaml::Reader& r, const yaml::Node& n,
                                         std::string_view path) {
  auto globs = r.text_list(n, path, "a route glob such as \"/api/orders/*\"",
                           /*allow_empty=*/false);
  if (!globs) return nullptr;
  std::string alternatives;
  for (const std::string& glob : *globs) {
    if (glob.empty()) {
      r.error(n, path, "expected a route glob such as \"/api/orders/*\", got an empty string");
      return nullptr;
    }
    if (!alternatives.empty()) alternatives += "|";
    alternatives += "(?:" + rules::glob_to_re2(glob) + ")";
  }
  return compile(r, n, path, "\\A(?:" + alternatives + ")\\z", n.is_scalar() ? n.text() : "");
}

}  // namespace

void read_trace_sample_rate(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p) {
  if (auto v = r.number(n, p, 0.0, 1.0)) c.tracing.sample_rate = *v;
}

void read_trace_respect_parent(Config& c, const yaml::Node& n, yaml::Reader& r,
                               std::string_view p) {
  if (auto v = r.boolean(n, p)) c.tracing.respect_parent = *v;
}

namespace {

// Reads a list, one item at a time with `read_item` (nullopt after a problem it reported); the
// list replaces `out` only when every item was good. Null empties it.
template <class T, class ReadItem>
void read_list(std::vector<T>& out, const yaml::Node& n, yaml::Reader& r, std::string_view p,
               std::string_view expected, ReadItem read_item) {
  if (n.is_null()) {
    out.clear();
    return;
  }
  if (!n.is_sequence()) {
    r.error(n, p, "expected " + std::string(expected) + ", got " + yaml::Reader::describe(n));
    return;
  }
  std::vector<T> items;
  bool ok = true;
  for (size_t i = 0; i < n.items().size(); ++i) {
    std::optional<T> item = read_item(n.items()[i], yaml::index_path(p, i));
    if (item) {
      items.push_back(std::move(*item));
    } else {
      ok = false;
    }
  }
  if (ok) out = std::move(items);
}

std::optional<rules::RouteRate> read_route(const yaml::Node& item, yaml::Reader& r,
                                           const std::string& at) {
  if (!item.is_map()) {
    r.error(item, at,
            "expected {route: GLOB, sample_rate: N} or {regex: RE2, sample_rate: N}, got " +
                yaml::Reader::describe(item));
    return std::nullopt;
  }
  if (!r.check_keys(item, at, {"route", "regex", "sample_rate"})) return std::nullopt;
  const yaml::Node& route = item["route"];
  const yaml::Node& regex = item["regex"];
  const yaml::Node& rate = item["sample_rate"];
  if (route.defined() == regex.defined()) {
    r.error(item, at,
            route.defined() ? "give either \"route\" (globs) or \"regex\" (RE2), not both"
                            : "missing key \"route\" (a glob such as \"/api/orders/*\") or "
                              "\"regex\" (an RE2 pattern)");
    return std::nullopt;
  }
  if (!rate.defined()) {
    r.error(item, at, "missing key \"sample_rate\" (a number from 0 to 1)");
    return std::nullopt;
  }
  rules::RouteRate rule;
  rule.label = at;
  if (route.defined()) {
    rule.pattern = compile_globs(r, route, at + ".route");
  } else if (auto text = r.text(regex, at + ".regex", "an RE2 pattern")) {
    rule.pattern = compile(r, regex, at + ".regex", *text, *text);
  }
  const auto value = r.number(rate, at + ".sample_rate", 0.0, 1.0);
  if (!rule.pattern || !value) return std::nullopt;
  rule.rate = *value;
  return rule;
}

std::optional<rules::SegmentPattern> read_url_pattern(const yaml::Node& item, yaml::Reader& r,
                                                      const std::string& at) {
  rules::SegmentPattern pattern;
  const yaml::Node* re = &item;
  std::string re_path = at;
  if (item.is_map()) {
    if (!r.check_keys(item, at, {"pattern", "placeholder"})) return std::nullopt;
    if (!item["pattern"].defined()) {
      r.error(item, at, "missing key \"pattern\" (an RE2 pattern for one path segment)");
      return std::nullopt;
    }
    re = &item["pattern"];
    re_path = at + ".pattern";
    if (const yaml::Node& ph = item["placeholder"]; ph.defined()) {
      auto text = r.text(ph, at + ".placeholder", "a placeholder such as \":sku\"");
      if (!text) return std::nullopt;
      if (text->size() < 2 || text->front() != ':' || text->find('/') != std::string::npos) {
        r.error(ph, at + ".placeholder",
                "expected a placeholder such as \":sku\" (a ':' and a name, no '/'), got " +
                    yaml::Reader::describe(ph));
        return std::nullopt;
      }
      pattern.placeholder = std::move(*text);
    }
  }
  auto text = r.text(*re, re_path, "an RE2 pattern for one path segment");
  if (!text) return std::nullopt;
  pattern.pattern = compile(r, *re, re_path, *text, *text);
  if (!pattern.pattern) return std::nullopt;
  return pattern;
}

}  // namespace

void read_trace_routes(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p) {
  read_list(
      c.tracing.routes, n, r, p,
      "a list of route rules like [{route: \"/api/checkout*\", sample_rate: 1}]",
      [&r](const yaml::Node& item, const std::string& at) { return read_route(item, r, at); });
}

void read_trace_url_patterns(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p) {
  read_list(c.tracing.url_patterns, n, r, p,
            "a list of RE2 patterns or {pattern: RE2, placeholder: \":name\"}",
            [&r](const yaml::Node& item, const std::string& at) {
              return read_url_pattern(item, r, at);
            });
}

std::string tracing_summary(const Tracing& t) {
  double highest = t.sample_rate;
  for (const rules::RouteRate& r : t.routes) highest = std::max(highest, r.rate);
  if (highest <= 0) return "off";
  std::string out = "sample_rate " + json::to_string(json::Value(t.sample_rate));
  if (!t.routes.empty()) {
    out += ", " + std::to_string(t.routes.size()) +
           (t.routes.size() == 1 ? " route rule" : " route rules");
  }
  if (!t.url_patterns.empty()) {
    out += ", " + std::to_string(t.url_patterns.size()) +
           (t.url_patterns.size() == 1 ? " url pattern" : " url patterns");
  }
  out += t.respect_parent ? ", respect_parent" : ", parents ignored";
  return out;
}

}  // namespace faultline::config
