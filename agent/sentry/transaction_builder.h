// Turns one finished request (pino-http's completion line, parsed) into the Sentry transaction
// @sentry/node's HTTP server instrumentation would have sent for it: `type: "transaction"`, the
// transaction's name and `transaction_info.source`, start and end as epoch seconds, the trace
// context (op "http.server", the status getSpanStatusFromHttpCode gives), the request, tags,
// release and environment (SENTRY-PROTOCOL.md §3; docs/tracing.md). No spans: the log knows only
// the request as a whole. Scrubbing and rule tags run on it afterwards.
//
// Which requests get here, their names and their trace ids are decided by the caller
// (agent/pipeline/tracer.h). Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/sentry/event_builder.h"
#include "agent/sentry/request_context.h"
#include "base/status.h"
#include "parsers/json.h"

namespace faultline::sentry {

struct TransactionFacts {
  std::string event_id;     // 32 lowercase hex
  std::string name;         // "GET /api/orders/:id"
  std::string_view source;  // "route" or "url"
  std::string trace_id;     // 32 lowercase hex
  std::string span_id;      // 16 lowercase hex: the request's span
  // The rate that kept it; none when the parent's trace flags decided (its rate is not known).
  std::optional<double> sample_rate;
  int64_t read_time_us = 0;  // when the line was read, for a line without a time
};

// `completion` is the completion line parsed; `opening` the request's earlier line that carries
// the request object when the completion does not (Fastify), or null; `http` what
// http_facts() read from both. Fails when the line gives no duration (no response time).
Result<json::Value> build_transaction(const EventSettings& settings, const json::Value& completion,
                                      const json::Value* opening, const HttpFacts& http,
                                      const TransactionFacts& facts);

// What the SDK puts on a root span (its attributes), read by Sentry's performance views:
// sentry.op, sentry.origin, sentry.source and, when known, sentry.sample_rate.
json::Object root_span_data(std::string_view op, std::string_view origin, std::string_view source,
                            std::optional<double> sample_rate);

// The end every transaction shares: its `contexts`, no spans (the log knows no child spans),
// and the sdk.
json::Value finish_transaction(json::Object event, json::Object contexts,
                               const EventSettings& settings);

// @sentry/core's getSpanStatusFromHttpCode: "ok" below 400, "not_found" for 404, … and
// "internal_error" for what it does not know. 0 (the client went away before an answer, pino-http's
// "request aborted") is "cancelled".
std::string_view span_status(int http_status);

}  // namespace faultline::sentry
