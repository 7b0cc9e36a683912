#include "rules/trace_sampling.h"

#include <algorithm>
#include <initializer_list>

#include "rules/condition.h"

namespace faultline::rules {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A hash that is the same on every platform and build (std::hash is not): FNV-1a over the
// length-prefixed parts, then SplitMix64's finalizer to spread the bits.
uint64_t stable_hash(uint64_t seed, std::initializer_list<std::string_view> parts) {
  uint64_t h = 0xcbf29ce484222325ull ^ seed;
  const auto add = [&h](unsigned char byte) {
    h ^= byte;
    h *= 0x100000001b3ull;
  };
  for (std::string_view part : parts) {
    for (int shift = 0; shift < 64; shift += 8)
      add(static_cast<unsigned char>(part.size() >> shift));
    for (char c : part) add(static_cast<unsigned char>(c));
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

void write_hex(uint64_t v, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out[i] = kHex[v & 0xF];
    v >>= 4;
  }
}

// A pid or hostname as the hot path reads it (the raw JSON token) or as a parsed record gives it.
std::string_view unquoted(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

}  // namespace

double trace_draw(std::string_view trace_id) {
  if (trace_id.size() != 32) return 1.0;
  uint64_t low = 0;
  for (size_t i = 0; i < trace_id.size(); ++i) {
    const int v = hex_value(trace_id[i]);
    if (v < 0) return 1.0;
    if (i >= 18) low = (low << 4) | static_cast<uint64_t>(v);  // the rightmost 14 digits
  }
  // To a double's 53 bits, so that the largest value stays below 1.
  return static_cast<double>(low >> 3) / static_cast<double>(uint64_t{1} << 53);
}

bool is_counter_id(std::string_view id) {
  if (id.rfind("req-", 0) == 0) id.remove_prefix(4);
  if (id.empty() || id.size() > 20) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

DerivedIds derive_ids(std::string_view request_id, std::string_view pid,
                      std::string_view hostname) {
  std::string_view p, h;
  if (is_counter_id(request_id)) {
    p = unquoted(pid);
    h = unquoted(hostname);
  }
  DerivedIds ids{};
  write_hex(stable_hash(1, {request_id, p, h}), ids.trace_id);
  write_hex(stable_hash(2, {request_id, p, h}), ids.trace_id + 16);
  write_hex(stable_hash(3, {request_id, p, h}), ids.span_id);
  ids.trace_id[32] = '\0';
  ids.span_id[16] = '\0';
  return ids;
}

ParentSampled parent_sampled(std::string_view flags) {
  if (flags.empty()) return ParentSampled::kUnknown;
  int value = 0;
  if (flags.size() == 2 && hex_value(flags[0]) >= 0 && hex_value(flags[1]) >= 0) {
    value = hex_value(flags[0]) * 16 + hex_value(flags[1]);  // "01", the W3C form
  } else if (flags.size() <= 3 &&
             std::all_of(flags.begin(), flags.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    for (char c : flags) value = value * 10 + (c - '0');  // 1, a number
  } else {
    return ParentSampled::kUnknown;
  }
  return (value & 1) != 0 ? ParentSampled::kYes : ParentSampled::kNo;
}

std::vector<RouteRate> default_route_rates() {
  static const std::string kHealth = [] {
    std::string alt;
    for (const char* glob : {"/health", "/health/*", "/healthz", "/healthcheck", "/ready",
                             "/readyz", "/live", "/livez", "/ping", "/status"}) {
      if (!alt.empty()) alt += "|";
      alt += "(?:" + glob_to_re2(glob) + ")";
    }
    return "\\A(?:" + alt + ")\\z";
  }();
  static const auto kPattern = std::make_shared<const RE2>(kHealth);
  return {RouteRate{"health and readiness checks", kPattern, 0.0}};
}

TraceSampler::TraceSampler(double sample_rate, std::vector<RouteRate> routes, bool respect_parent)
    : sample_rate_(sample_rate),
      routes_(std::move(routes)),
      respect_parent_(respect_parent),
      max_rate_(sample_rate) {
  for (const RouteRate& r : routes_) max_rate_ = std::max(max_rate_, r.rate);
}

TraceSampler::Decision TraceSampler::first_look(ParentSampled parent, double draw) const {
  if (respect_parent_ && parent == ParentSampled::kYes) return Decision::kKeep;
  if (respect_parent_ && parent == ParentSampled::kNo) return Decision::kDropParent;
  return draw < max_rate_ ? Decision::kNeedRoute : Decision::kDropRate;
}

TraceSampler::RouteDecision TraceSampler::by_route(std::string_view route, double draw) const {
  RouteDecision d;
  d.rate = sample_rate_;
  for (const RouteRate& r : routes_) {
    if (r.pattern && RE2::PartialMatch(route, *r.pattern)) {
      d.rate = r.rate;
      d.rule = &r;
      break;
    }
  }
  d.keep = draw < d.rate;
  return d;
}

}  // namespace faultline::rules
