// Deterministic trace sampling: the draw of a trace id, ids derived from request ids, the parent's
// trace flags and route rules.
#include <catch2/catch.hpp>

#include <string>

#include "rules/trace_sampling.h"

using namespace faultline::rules;

namespace {

std::shared_ptr<const RE2> re(const char* pattern) {
  return std::make_shared<const RE2>(pattern);
}

}  // namespace

TEST_CASE("trace sampling: the draw is the trace id's rightmost 56 bits", "[trace_sampling]") {
  CHECK(trace_draw("4bf92f3577b34da6a3ce929d0e0e4736") ==
        Approx(static_cast<double>(0xce929d0e0e4736ull) / static_cast<double>(1ull << 56)));
  CHECK(trace_draw("ffffffffffffffffff00000000000000") == 0.0);
  CHECK(trace_draw("000000000000000000ffffffffffffff") < 1.0);
  CHECK(trace_draw("000000000000000000ffffffffffffff") > 0.9999);
  // Upper case is the same id.
  CHECK(trace_draw("4BF92F3577B34DA6A3CE929D0E0E4736") ==
        trace_draw("4bf92f3577b34da6a3ce929d0e0e4736"));
  // Not a trace id: never kept.
  CHECK(trace_draw("") == 1.0);
  CHECK(trace_draw("4bf92f3577b34da6a3ce929d0e0e473") == 1.0);
  CHECK(trace_draw("4bf92f3577b34da6a3ce929d0e0e473x") == 1.0);
}

TEST_CASE("trace sampling: derived ids are stable and scoped like request ids",
          "[trace_sampling]") {
  const DerivedIds a = derive_ids("7", "8978", "\"vm\"");
  // Pinned: an agent on another machine, or a later build, must derive the same ids.
  CHECK(std::string(a.trace_id) == std::string(derive_ids("7", "8978", "\"vm\"").trace_id));
  CHECK(std::string(a.trace_id).size() == 32);
  CHECK(std::string(a.span_id).size() == 16);
  CHECK(std::string(a.trace_id).find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(std::string(a.span_id).find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(std::string(a.trace_id) == "473bac4e9ec6686b085b68eefae88899");
  CHECK(std::string(a.span_id) == "277b847b7610781e");
  // The hostname as the hot path reads it (a raw JSON token) or as a parsed record gives it.
  CHECK(std::string(derive_ids("7", "8978", "vm").trace_id) == a.trace_id);
  // A counter is scoped by its process; other ids are not.
  CHECK(std::string(derive_ids("7", "8979", "vm").trace_id) != a.trace_id);
  CHECK(std::string(derive_ids("req-7", "1", "a").trace_id) !=
        std::string(derive_ids("req-7", "1", "b").trace_id));
  const std::string uuid = "3f2c9a1e-7b4d-4c2a-9e1f-0a1b2c3d4e5f";
  CHECK(std::string(derive_ids(uuid, "1", "a").trace_id) ==
        std::string(derive_ids(uuid, "2", "b").trace_id));
  CHECK(std::string(derive_ids("8", "8978", "vm").trace_id) != a.trace_id);
  CHECK(is_counter_id("42"));
  CHECK(is_counter_id("req-42"));
  CHECK_FALSE(is_counter_id(uuid));
  CHECK_FALSE(is_counter_id(""));
}

TEST_CASE("trace sampling: a rate keeps that fraction of requests, the same ones every time",
          "[trace_sampling]") {
  const TraceSampler sampler(0.1, {}, true);
  int kept = 0;
  for (int i = 1; i <= 20000; ++i) {
    const DerivedIds ids = derive_ids(std::to_string(i), "1", "host");
    const double draw = trace_draw(ids.trace_id);
    CHECK(draw == trace_draw(derive_ids(std::to_string(i), "1", "host").trace_id));
    if (sampler.first_look(ParentSampled::kUnknown, draw) == TraceSampler::Decision::kNeedRoute &&
        sampler.by_route("/api/x", draw).keep) {
      ++kept;
    }
  }
  CHECK(kept > 1800);
  CHECK(kept < 2200);
}

TEST_CASE("trace sampling: the parent's flag decides when respect_parent is on",
          "[trace_sampling]") {
  CHECK(parent_sampled("01") == ParentSampled::kYes);
  CHECK(parent_sampled("00") == ParentSampled::kNo);
  CHECK(parent_sampled("03") == ParentSampled::kYes);
  CHECK(parent_sampled("02") == ParentSampled::kNo);
  CHECK(parent_sampled("1") == ParentSampled::kYes);
  CHECK(parent_sampled("0") == ParentSampled::kNo);
  CHECK(parent_sampled("") == ParentSampled::kUnknown);
  CHECK(parent_sampled("yes") == ParentSampled::kUnknown);

  const TraceSampler respect(0.5, {}, true);
  using D = TraceSampler::Decision;
  // Sampled upstream: kept even with a draw no rate would keep; not sampled: dropped even with
  // a draw every rate would keep.
  CHECK(respect.first_look(ParentSampled::kYes, 0.99) == D::kKeep);
  CHECK(respect.first_look(ParentSampled::kNo, 0.0) == D::kDropParent);
  CHECK(respect.first_look(ParentSampled::kUnknown, 0.1) == D::kNeedRoute);
  CHECK(respect.first_look(ParentSampled::kUnknown, 0.6) == D::kDropRate);

  const TraceSampler ignore(0.5, {}, false);
  CHECK(ignore.first_look(ParentSampled::kYes, 0.99) == D::kDropRate);
  CHECK(ignore.first_look(ParentSampled::kNo, 0.1) == D::kNeedRoute);
}

TEST_CASE("trace sampling: route rules, the user's first, health checks at 0", "[trace_sampling]") {
  std::vector<RouteRate> routes;
  routes.push_back({"tracing.routes[0]", re("\\A/api/pay(?s:.*)\\z"), 1.0});
  routes.push_back({"tracing.routes[1]", re("^/readyz$"), 0.5});
  for (RouteRate& r : default_route_rates()) routes.push_back(std::move(r));
  const TraceSampler sampler(0.2, std::move(routes), true);
  CHECK(sampler.enabled());

  using D = TraceSampler::Decision;
  // 0.9 is above sample_rate but below the highest rate (1.0): the route must be known.
  CHECK(sampler.first_look(ParentSampled::kUnknown, 0.9) == D::kNeedRoute);
  auto d = sampler.by_route("/api/payments/:id", 0.9);
  CHECK(d.keep);
  CHECK(d.rate == 1.0);
  REQUIRE(d.rule != nullptr);
  CHECK(d.rule->label == "tracing.routes[0]");

  d = sampler.by_route("/api/users/:id", 0.1);
  CHECK(d.keep);
  CHECK(d.rule == nullptr);
  CHECK_FALSE(sampler.by_route("/api/users/:id", 0.3).keep);

  // The defaults: health checks are never kept, whatever the draw...
  for (const char* route : {"/health", "/healthz", "/health/db", "/ready", "/livez", "/ping"}) {
    INFO(route);
    d = sampler.by_route(route, 0.0);
    CHECK_FALSE(d.keep);
    REQUIRE(d.rule != nullptr);
    CHECK(d.rule->label == "health and readiness checks");
  }
  CHECK(sampler.by_route("/healthy-food", 0.0).keep);
  // ... unless a rule of the user's comes first.
  CHECK(sampler.by_route("/readyz", 0.4).keep);
  CHECK_FALSE(sampler.by_route("/readyz", 0.6).keep);
}

TEST_CASE("trace sampling: off when no rate is above 0", "[trace_sampling]") {
  CHECK_FALSE(TraceSampler(0.0, default_route_rates(), true).enabled());
  std::vector<RouteRate> one;
  one.push_back({"tracing.routes[0]", re("^/api/checkout$"), 0.25});
  CHECK(TraceSampler(0.0, std::move(one), true).enabled());
}
