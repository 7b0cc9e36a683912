#include "agent/pipeline/tracer.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "agent/sentry/event_id.h"
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
  const rules::TraceSampler::Decision first =
      sampler_.first_look(rules::parent_sampled(flags), draw);
  if (first == rules::TraceSampler::Decision::kDropParent) {
    metrics_.dropped_parent.add();
    return std::nullopt;
  }
  if (first == rules::TraceSampler::Decision::kDropRate) {
    metrics_.dropped_rate.add();
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
  if (first == rules::TraceSampler::Decision::kNeedRoute) {
    const rules::TraceSampler::RouteDecision d = sampler_.by_route(name.route, draw);
    if (!d.keep) {
      (d.rule != nullptr ? metrics_.dropped_route : metrics_.dropped_rate).add();
      return std::nullopt;
    }
    facts.sample_rate = d.rate;
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
