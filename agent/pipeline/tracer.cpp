#include "agent/pipeline/tracer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

#include "agent/pipeline/job_lines.h"
#include "agent/sentry/event_id.h"
#include "agent/sentry/job_transaction.h"
#include "agent/sentry/request_context.h"
#include "agent/sentry/transaction_builder.h"
#include "parsers/record_access.h"

namespace faultline {

namespace {

bool is_hex(std::string_view s, size_t size) {
  return s.size() == size && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) != 0;
         });
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::vector<rules::RouteRate> with_defaults(std::vector<rules::RouteRate> routes) {
  for (rules::RouteRate& r : rules::default_route_rates()) routes.push_back(std::move(r));
  return routes;
}

}  // namespace

Tracer::Tracer(const config::Tracing& config, TracingMetrics& metrics)
    : sampler_(config.sample_rate, with_defaults(config.routes), config.respect_parent),
      templater_(config.url_patterns),
      metrics_(metrics) {}

rules::TraceSampler::Decision Tracer::first_look(std::string_view flags, double draw) {
  const rules::TraceSampler::Decision first =
      sampler_.first_look(rules::parent_sampled(flags), draw);
  if (first == rules::TraceSampler::Decision::kDropParent) metrics_.dropped_parent.add();
  if (first == rules::TraceSampler::Decision::kDropRate) metrics_.dropped_rate.add();
  return first;
}

bool Tracer::keep_by_route(std::string_view route, double draw, std::optional<double>& rate) {
  const rules::TraceSampler::RouteDecision d = sampler_.by_route(route, draw);
  if (!d.keep) {
    (d.rule != nullptr ? metrics_.dropped_route : metrics_.dropped_rate).add();
    return false;
  }
  rate = d.rate;
  return true;
}

std::optional<json::Value> Tracer::on_completion(const SourceState& source, const Line& line,
                                                 const RecordView& view,
                                                 const RequestState* request,
                                                 const Correlator& correlator,
                                                 const sentry::EventSettings& settings,
                                                 int64_t read_time_us) {
  // The trace: the line's, else one logged earlier in the request, else one derived from the
  // request id (or, without one, from the line itself), the same on every agent.
  std::string_view trace_id = view.trace_id;
  std::string_view span_id = view.span_id;
  std::string_view flags = view.trace_flags;
  if (!is_hex(trace_id, 32) && request != nullptr && is_hex(request->trace_id, 32)) {
    trace_id = request->trace_id;
    span_id = request->span_id;
  }
  if (flags.empty() && request != nullptr) flags = request->trace_flags;
  const rules::DerivedIds derived =
      view.request_id.empty() ? rules::derive_ids(line.text, "", "")
                              : rules::derive_ids(view.request_id, view.pid, view.hostname);
  if (!is_hex(trace_id, 32)) {
    trace_id = derived.trace_id;
    span_id = derived.span_id;
  }
  if (!is_hex(span_id, 16)) span_id = derived.span_id;

  const double draw = rules::trace_draw(trace_id);
  const rules::TraceSampler::Decision first = first_look(flags, draw);
  if (first != rules::TraceSampler::Decision::kKeep &&
      first != rules::TraceSampler::Decision::kNeedRoute) {
    return std::nullopt;
  }

  // Possibly kept: now the line is parsed and named.
  auto completion = json::parse(line.text);
  if (!completion.ok() || !completion->is_object()) {
    metrics_.dropped_unusable.add();
    return std::nullopt;
  }
  const PinoFormat& format = settings.format;
  std::optional<json::Value> opening;
  if (request != nullptr && first_of(*completion, format.request_keys) == nullptr) {
    if (auto text = correlator.opening_of(*request)) {
      if (auto parsed = json::parse(*text); parsed.ok() && parsed->is_object()) {
        opening = std::move(parsed).value();
      }
    }
  }
  const sentry::HttpFacts http =
      sentry::http_facts(*completion, nullptr, format, opening ? &*opening : nullptr);
  const rules::RouteName name = templater_.name(http.method, http.route, http.path);

  sentry::TransactionFacts facts;
  if (first == rules::TraceSampler::Decision::kNeedRoute &&
      !keep_by_route(name.route, draw, facts.sample_rate)) {
    return std::nullopt;
  }
  facts.event_id = sentry::event_id(source.key + "/transaction", line.offset, line.text);
  facts.name = name.name;
  facts.source = rules::to_string(name.source);
  facts.trace_id = lower(trace_id);
  facts.span_id = lower(span_id);
  facts.read_time_us = read_time_us;
  auto event =
      sentry::build_transaction(settings, *completion, opening ? &*opening : nullptr, http, facts);
  if (!event.ok()) {
    metrics_.dropped_unusable.add();
    return std::nullopt;
  }
  return std::move(event).value();
}

std::optional<json::Value> Tracer::on_job_end(const SourceState& source, const Line& line,
                                              const RecordView& view, const RequestState* job,
                                              const sentry::EventSettings& settings,
                                              int64_t read_time_us) {
  const JobEnd end = job_end(view);
  if (end == JobEnd::kNone) return std::nullopt;
  // The job's own span: derived from its queue and id (job ids are unique per queue, on every
  // worker, so the queue scopes them, not the process).
  const rules::DerivedIds own = rules::derive_ids(view.job_id, view.queue, "queue");
  std::string_view trace_id = view.trace_id;
  std::string_view span_id = view.span_id;
  std::string_view parent_span_id;
  std::string_view flags = view.trace_flags;
  if (!is_hex(trace_id, 32) && job != nullptr && is_hex(job->trace_id, 32)) {
    trace_id = job->trace_id;
    span_id = job->span_id;
  }
  if (flags.empty() && job != nullptr) flags = job->trace_flags;
  // The enqueuing request's trace, as its transaction and the job's error events have it.
  rules::DerivedIds request{};
  bool has_request = false;
  if (!view.request_id.empty()) {
    request = rules::derive_ids(view.request_id, view.pid, view.hostname);
    has_request = true;
  } else if (job != nullptr && job->has_job_request) {
    request = job->job_request_ids;
    has_request = true;
  }
  if (!is_hex(trace_id, 32) && has_request) {
    trace_id = request.trace_id;
    span_id = own.span_id;
    parent_span_id = request.span_id;
  }
  if (!is_hex(trace_id, 32)) trace_id = own.trace_id;
  if (!is_hex(span_id, 16)) span_id = own.span_id;

  const double draw = rules::trace_draw(trace_id);
  const rules::TraceSampler::Decision first = first_look(flags, draw);
  if (first != rules::TraceSampler::Decision::kKeep &&
      first != rules::TraceSampler::Decision::kNeedRoute) {
    return std::nullopt;
  }

  auto record = json::parse(line.text);
  if (!record.ok() || !record->is_object()) {
    metrics_.dropped_unusable.add();
    return std::nullopt;
  }
  sentry::JobFacts facts;
  facts.queue = std::string(view.queue);
  facts.job_id = std::string(view.job_id);
  facts.job_name = sentry::job_name_of(*record).value_or("");
  const std::string name = sentry::job_transaction_name(facts.queue, facts.job_name);
  if (first == rules::TraceSampler::Decision::kNeedRoute &&
      !keep_by_route(name, draw, facts.sample_rate)) {
    return std::nullopt;
  }
  // The end: the line's time. The start: the line's own measure of the attempt when it has one,
  // else the latest "active" line of the job, else its first line (which may be the enqueuing
  // request's, so the time includes the wait in the queue).
  facts.end_us = view.time_us.value_or(read_time_us);
  facts.start_us = facts.end_us;
  if (auto ms = sentry::job_duration_ms(*record)) {
    facts.start_us = facts.end_us - std::llround(*ms * 1000.0);
  } else if (job != nullptr && job->job_start_time != 0) {
    facts.start_us = std::min(facts.end_us, job->job_start_time);
  } else if (job != nullptr && job->job_first_time != 0) {
    facts.start_us = std::min(facts.end_us, job->job_first_time);
  }
  facts.failed = end == JobEnd::kFailed;
  facts.event_id = sentry::event_id(source.key + "/transaction", line.offset, line.text);
  facts.trace_id = lower(trace_id);
  facts.span_id = lower(span_id);
  facts.parent_span_id = lower(parent_span_id);
  return sentry::build_job_transaction(settings, *record, facts);
}

void Tracer::link(sentry::Incident& incident, const PinoFormat& format) const {
  if (!enabled() || is_hex(incident.trace_id, 32)) return;
  if (!incident.record) {
    auto parsed = json::parse(incident.error.text);
    if (!parsed.ok()) return;
    incident.record = std::move(parsed).value();
  }
  const json::Value& record = *incident.record;
  if (!record.is_object()) return;
  const std::string& nested = format.nested_key;
  const auto own = as_text(first_of(record, with_nested(format.trace_id_keys, nested)));
  if (own && is_hex(*own, 32)) return;  // the event builder takes the record's own trace
  const auto request_id = as_text(first_of(record, with_nested(format.request_id_keys, nested)));
  if (!request_id) return;
  const auto pid = as_text(first_of(record, format.pid_keys));
  const auto hostname = as_text(first_of(record, format.hostname_keys));
  const rules::DerivedIds ids =
      rules::derive_ids(*request_id, pid.value_or(""), hostname.value_or(""));
  incident.trace_id = ids.trace_id;
  incident.span_id = ids.span_id;
}

}  // namespace faultline
