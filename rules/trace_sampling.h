// Which finished requests become Sentry transactions (docs/tracing.md): a decision that depends
// only on the request's trace, so that every run, every replay and every agent reading the same
// lines keeps the same ones.
//
//   1. respect_parent: a trace whose OpenTelemetry trace_flags say "not sampled" (bit 0 clear)
//      is never kept; one that says "sampled" always is.
//   2. Otherwise the trace's draw, a number in [0, 1) read from its trace id, is compared with the
//      rate of the request's route: the first route rule that matches, else sample_rate. A draw
//      at or above the highest rate of all is out whatever the route, so most requests are
//      decided before anything is parsed (first_look()).
//
// Lines without a trace id get ids derived from their request id (derive_ids()): a stable hash,
// the same on every agent, so that a request's error events and its transaction share a trace.
//
// Immutable once built; safe to use from several threads. Nothing here allocates.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace faultline::rules {

// A number in [0, 1) from a trace id (32 hex digits): its rightmost 56 bits over 2^56 (to a
// double's precision), the
// randomness W3C Trace Context (level 2) and OpenTelemetry's probability samplers use. 1.0 (never
// kept) for text that is not 32 hex digits.
double trace_draw(std::string_view trace_id);

// Whether `id` is a per-process counter (pino-http's 42, Fastify's req-42): unique only together
// with the pid and host that wrote it.
bool is_counter_id(std::string_view id);

struct DerivedIds {
  char trace_id[33];  // 32 lowercase hex digits and a NUL
  char span_id[17];   // 16 lowercase hex digits and a NUL
};
// Ids for a request that logged none, from its request id and, for a counter id, the process
// that wrote it (pid and hostname as written, JSON quotes included or not).
DerivedIds derive_ids(std::string_view request_id, std::string_view pid, std::string_view hostname);

// OpenTelemetry's trace flags as logged: "01" (hex, W3C) or a number; bit 0 is "sampled".
enum class ParentSampled : uint8_t { kUnknown, kYes, kNo };
ParentSampled parent_sampled(std::string_view trace_flags);

// A route rule: routes (templated paths such as /api/orders/:id) that `pattern` matches are kept
// at `rate`.
struct RouteRate {
  std::string label;  // for messages and explain: "tracing.routes[0]", "health checks"
  std::shared_ptr<const RE2> pattern;
  double rate = 0;
};

// Health and readiness probes: kept at 0 unless a route rule of the user's says otherwise.
std::vector<RouteRate> default_route_rates();

class TraceSampler {
 public:
  // `routes` are tried in order (the user's, then default_route_rates()).
  TraceSampler(double sample_rate, std::vector<RouteRate> routes, bool respect_parent);

  // Off: no rate above 0, so nothing is ever kept and no line is looked at.
  bool enabled() const { return max_rate_ > 0; }

  enum class Decision : uint8_t {
    kKeep,        // the parent said sampled
    kDropParent,  // the parent said not sampled
    kDropRate,    // the draw is above every rate
    kNeedRoute,   // the route decides: call by_route()
  };
  Decision first_look(ParentSampled parent, double draw) const;

  struct RouteDecision {
    bool keep = false;
    double rate = 0;
    const RouteRate* rule = nullptr;  // the rule that gave the rate; null: sample_rate
  };
  RouteDecision by_route(std::string_view route, double draw) const;

  double sample_rate() const { return sample_rate_; }

 private:
  double sample_rate_;
  std::vector<RouteRate> routes_;
  bool respect_parent_;
  double max_rate_;
};

}  // namespace faultline::rules
