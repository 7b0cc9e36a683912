// Tracing on the pipeline (docs/tracing.md): a sample of the requests' completion lines becomes
// Sentry transactions, and error events of requests that logged no trace get the trace their
// transaction has, so that Sentry shows each error inside its request.
//
// The decision comes first and costs nearly nothing: the trace id (the line's, the request's, or
// one derived from the request id), its draw, the parent's trace flags. Only a line the draw may
// keep is parsed, named (rules/route_template.h) and checked against the route rules
// (rules/trace_sampling.h); only a kept one is built. A completion that is not sampled allocates
// nothing. Every outcome is counted in TracingMetrics.
//
// Immutable after construction but for the counters; owned by the pipeline thread.
#pragma once

#include <optional>

#include "agent/config/config.h"
#include "agent/pipeline/correlator.h"
#include "agent/pipeline/source_state.h"
#include "agent/sentry/event_builder.h"
#include "agent/sentry/incident.h"
#include "agent/telemetry/tracing_metrics.h"
#include "parsers/json.h"
#include "parsers/line_framer.h"
#include "parsers/pino_record.h"
#include "rules/route_template.h"
#include "rules/trace_sampling.h"

namespace faultline {

class Tracer {
 public:
  Tracer(const config::Tracing& config, TracingMetrics& metrics);
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  // Off (no rate above 0): nothing is looked at, and error events are left as they are.
  bool enabled() const { return sampler_.enabled(); }

  // A completion line (`view.completion`), after the correlator observed it: the transaction,
  // when the request is sampled. `request` is the correlator's state of the request
  // (Correlator::completed()), or null; `correlator` lends the request's opening line. The
  // event is built with `settings` (release, environment, pino keys); rules have not run on it.
  // `read_time_us` (wall time) stands in for the time of a line without one.
  std::optional<json::Value> on_completion(const SourceState& source, const Line& line,
                                           const RecordView& view, const RequestState* request,
                                           const Correlator& correlator,
                                           const sentry::EventSettings& settings,
                                           int64_t read_time_us);

  // A worker job's end line (job_end(view) is not kNone), after the correlator observed it: the
  // `queue.process` transaction, when the job is sampled. `job` is Correlator::job(), or null.
  // The trace: the line's, else the job's, else the enqueuing request's (from the request id the
  // job logged), else one derived from the queue and job id; decided before anything is parsed.
  std::optional<json::Value> on_job_end(const SourceState& source, const Line& line,
                                        const RecordView& view, const RequestState* job,
                                        const sentry::EventSettings& settings,
                                        int64_t read_time_us);

  // Gives an error incident whose record and request logged no trace id the ids its request's
  // transaction has (derived from the request id). Parses the error line into incident.record
  // when it is not parsed yet.
  void link(sentry::Incident& incident, const PinoFormat& format) const;

 private:
  // The sampler's first look at a trace, a drop counted.
  rules::TraceSampler::Decision first_look(std::string_view flags, double draw);
  // The route rules' say (when first_look() needed them), a drop counted; `rate` the rate kept at.
  bool keep_by_route(std::string_view route, double draw, std::optional<double>& rate);

  rules::TraceSampler sampler_;
  rules::RouteTemplater templater_;
  TracingMetrics& metrics_;
};

}  // namespace faultline
