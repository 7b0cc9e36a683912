// The transaction event alone: the SDK's status mapping and the fields built from one completion.
#include <catch2/catch.hpp>

#include "agent/sentry/transaction_builder.h"

using namespace faultline;
using namespace faultline::sentry;

TEST_CASE("transaction: span status from the HTTP status, as getSpanStatusFromHttpCode",
          "[transaction]") {
  // @sentry/core 11 (src/tracing/spanstatus.ts), status by status.
  CHECK(span_status(200) == "ok");
  CHECK(span_status(204) == "ok");
  CHECK(span_status(302) == "ok");
  CHECK(span_status(100) == "ok");
  CHECK(span_status(400) == "invalid_argument");
  CHECK(span_status(401) == "unauthenticated");
  CHECK(span_status(403) == "permission_denied");
  CHECK(span_status(404) == "not_found");
  CHECK(span_status(409) == "already_exists");
  CHECK(span_status(413) == "failed_precondition");
  CHECK(span_status(422) == "invalid_argument");
  CHECK(span_status(429) == "resource_exhausted");
  CHECK(span_status(499) == "cancelled");
  CHECK(span_status(500) == "internal_error");
  CHECK(span_status(501) == "unimplemented");
  CHECK(span_status(502) == "internal_error");
  CHECK(span_status(503) == "unavailable");
  CHECK(span_status(504) == "deadline_exceeded");
  CHECK(span_status(600) == "internal_error");
  CHECK(span_status(0) == "cancelled");  // aborted: no answer was sent
}

TEST_CASE("transaction: built from a completion line", "[transaction]") {
  auto line = json::parse(
      R"({"level":30,"time":1795502011175,"pid":1,"hostname":"vm","req":{"id":1,"method":"POST","url":"/api/payments?x=1","headers":{"host":"h"}},"body":{"card":"4111"},"userId":"u7","res":{"statusCode":201},"responseTime":6,"msg":"request completed"})");
  REQUIRE(line.ok());
  EventSettings settings;
  settings.release = "shop@1";
  settings.environment = "staging";
  settings.dist = "7";
  settings.sdk_version = "0.1.0";
  const HttpFacts http = http_facts(*line, nullptr, settings.format);
  TransactionFacts facts;
  facts.event_id = "0123456789abcdef0123456789abcdef";
  facts.name = "POST /api/payments";
  facts.source = "url";
  facts.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  facts.span_id = "00f067aa0ba902b7";
  facts.sample_rate = 0.25;
  auto built = build_transaction(settings, *line, nullptr, http, facts);
  REQUIRE(built.ok());
  const json::Value& t = *built;
  CHECK(t.find("event_id")->as_string() == facts.event_id);
  CHECK(t.find("timestamp")->as_double() == 1795502011.175);
  CHECK(t.find("start_timestamp")->as_double() == 1795502011.169);
  CHECK(t.find("release")->as_string() == "shop@1");
  CHECK(t.find("environment")->as_string() == "staging");
  CHECK(t.find("dist")->as_string() == "7");
  CHECK(t.find_path("user.id")->as_string() == "u7");
  // No body on a transaction.
  CHECK(t.find_path("request.data") == nullptr);
  CHECK(t.find_path("request.method")->as_string() == "POST");
  CHECK(t.find_path("contexts.trace.status")->as_string() == "ok");
  CHECK(t.find_path("contexts.trace.data")->find("sentry.sample_rate")->as_double() == 0.25);
  CHECK(t.find_path("contexts.trace.data")->find("http.response.status_code")->as_int() == 201);

  // No response time: no duration to report.
  auto no_time = json::parse(R"({"time":1795502011175,"res":{"statusCode":200}})");
  REQUIRE(no_time.ok());
  CHECK_FALSE(build_transaction(settings, *no_time, nullptr,
                                http_facts(*no_time, nullptr, settings.format), facts)
                  .ok());
}
