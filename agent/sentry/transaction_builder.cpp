#include "agent/sentry/transaction_builder.h"

#include <cmath>

#include "parsers/record_access.h"
#include "parsers/record_fields.h"

namespace faultline::sentry {

namespace {

constexpr std::string_view kOp = "http.server";
// Sentry's trace origin convention, type.category.integration: made automatically, from an HTTP
// server, by faultline.
constexpr std::string_view kOrigin = "auto.http.faultline";

}  // namespace

std::string_view span_status(int status) {
  if (status == 0) return "cancelled";
  if (status >= 100 && status < 400) return "ok";
  switch (status) {
    case 401:
      return "unauthenticated";
    case 403:
      return "permission_denied";
    case 404:
      return "not_found";
    case 409:
      return "already_exists";
    case 413:
      return "failed_precondition";
    case 429:
      return "resource_exhausted";
    case 499:
      return "cancelled";
    case 501:
      return "unimplemented";
    case 503:
      return "unavailable";
    case 504:
      return "deadline_exceeded";
    default:
      return status >= 400 && status < 500 ? "invalid_argument" : "internal_error";
  }
}

json::Object root_span_data(std::string_view op, std::string_view origin, std::string_view source,
                            std::optional<double> sample_rate) {
  json::Object data;
  data.set("sentry.op", op);
  data.set("sentry.origin", origin);
  data.set("sentry.source", source);
  if (sample_rate) data.set("sentry.sample_rate", *sample_rate);
  return data;
}

json::Value finish_transaction(json::Object event, json::Object contexts,
                               const EventSettings& settings) {
  event.set("contexts", std::move(contexts));
  event.set("spans", json::Array{});
  json::Object sdk;
  sdk.set("name", settings.sdk_name);
  sdk.set("version", settings.sdk_version);
  event.set("sdk", std::move(sdk));
  return json::Value(std::move(event));
}

Result<json::Value> build_transaction(const EventSettings& settings, const json::Value& completion,
                                      const json::Value* opening, const HttpFacts& http,
                                      const TransactionFacts& facts) {
  if (!http.response_time_ms || *http.response_time_ms < 0) {
    return Status::Error("the completion line has no response time");
  }
  const PinoFormat& format = settings.format;
  // In whole microseconds, so that the duration is the response time to the microsecond (a
  // double of epoch seconds has no room for more).
  const int64_t end_us = record_time_us(completion, format).value_or(facts.read_time_us);
  const int64_t start_us = end_us - std::llround(*http.response_time_ms * 1000.0);

  json::Object event;
  event.set("event_id", facts.event_id);
  event.set("type", "transaction");
  event.set("transaction", facts.name);
  json::Object info;
  info.set("source", facts.source);
  event.set("transaction_info", std::move(info));
  event.set("start_timestamp", static_cast<double>(start_us) / 1e6);
  event.set("timestamp", static_cast<double>(end_us) / 1e6);
  event.set("platform", "node");
  set_deployment(event, settings, completion);

  // The request without its body: a performance event has no use for one.
  const json::Value* req = first_of(completion, format.request_keys);
  if (req == nullptr && opening != nullptr) req = first_of(*opening, format.request_keys);
  if (req != nullptr && req->is_object()) event.set("request", request_from(*req, nullptr));
  if (auto user_id = as_text(first_of(completion, settings.user_id_keys))) {
    json::Object user;
    user.set("id", *user_id);
    event.set("user", std::move(user));
  }

  json::Object tags;
  if (http.status != 0) tags.set("http.status_code", std::to_string(http.status));
  if (!http.method.empty()) tags.set("http.method", tag_value(http.method));
  if (!http.route.empty()) tags.set("route", tag_value(http.route));
  if (!tags.empty()) event.set("tags", std::move(tags));

  json::Object contexts;
  json::Object trace;
  trace.set("trace_id", facts.trace_id);
  trace.set("span_id", facts.span_id);
  trace.set("op", kOp);
  trace.set("status", span_status(http.status));
  trace.set("origin", kOrigin);
  json::Object data = root_span_data(kOp, kOrigin, facts.source, facts.sample_rate);
  if (!http.method.empty()) data.set("http.request.method", http.method);
  if (http.status != 0) data.set("http.response.status_code", http.status);
  if (!http.route.empty()) data.set("http.route", http.route);
  trace.set("data", std::move(data));
  contexts.set("trace", std::move(trace));
  if (http.status != 0) {
    json::Object response;
    response.set("status_code", http.status);
    contexts.set("response", std::move(response));
  }
  return finish_transaction(std::move(event), std::move(contexts), settings);
}

}  // namespace faultline::sentry
