#include "agent/sentry/job_transaction.h"

#include <vector>

#include "agent/sentry/transaction_builder.h"
#include "parsers/record_access.h"

namespace faultline::sentry {

namespace {

constexpr std::string_view kOp = "queue.process";
constexpr std::string_view kSource = "task";
// type.category.integration: made automatically, from a queue consumer, by faultline.
constexpr std::string_view kOrigin = "auto.queue.faultline";

}  // namespace

std::string job_transaction_name(std::string_view queue, std::string_view job_name) {
  std::string name(queue);
  if (!name.empty() && !job_name.empty()) name += ' ';
  name += job_name;
  return name.empty() ? std::string("job") : name;
}

std::optional<double> job_duration_ms(const json::Value& end_line) {
  static const std::vector<std::string> kKeys = {"duration", "durationMs", "duration_ms"};
  const json::Value* v = first_of(end_line, kKeys);
  if (v == nullptr || !v->is_number() || v->as_double() < 0) return std::nullopt;
  return v->as_double();
}

std::optional<std::string> job_name_of(const json::Value& line) {
  static const std::vector<std::string> kKeys = {"jobName", "job.name"};
  return as_text(first_of(line, kKeys));
}

json::Value build_job_transaction(const EventSettings& settings, const json::Value& end_line,
                                  const JobFacts& facts) {
  json::Object event;
  event.set("event_id", facts.event_id);
  event.set("type", "transaction");
  event.set("transaction", job_transaction_name(facts.queue, facts.job_name));
  json::Object info;
  info.set("source", kSource);
  event.set("transaction_info", std::move(info));
  event.set("start_timestamp", static_cast<double>(facts.start_us) / 1e6);
  event.set("timestamp", static_cast<double>(facts.end_us) / 1e6);
  event.set("platform", "node");
  set_deployment(event, settings, end_line);

  json::Object tags;
  if (!facts.queue.empty()) tags.set("queue", tag_value(facts.queue));
  if (!facts.job_name.empty()) tags.set("job.name", tag_value(facts.job_name));
  if (!tags.empty()) event.set("tags", std::move(tags));

  json::Object contexts;
  json::Object trace;
  trace.set("trace_id", facts.trace_id);
  trace.set("span_id", facts.span_id);
  if (!facts.parent_span_id.empty()) trace.set("parent_span_id", facts.parent_span_id);
  trace.set("op", kOp);
  trace.set("status", facts.failed ? "internal_error" : "ok");
  trace.set("origin", kOrigin);
  json::Object data = root_span_data(kOp, kOrigin, kSource, facts.sample_rate);
  // OpenTelemetry's messaging conventions, as the BullMQ instrumentation sets them.
  if (!facts.queue.empty()) data.set("messaging.destination.name", facts.queue);
  data.set("messaging.message.id", facts.job_id);
  trace.set("data", std::move(data));
  contexts.set("trace", std::move(trace));
  return finish_transaction(std::move(event), std::move(contexts), settings);
}

}  // namespace faultline::sentry
