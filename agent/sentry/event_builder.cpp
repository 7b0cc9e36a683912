#include "agent/sentry/event_builder.h"

#include <algorithm>
#include <cctype>

#include "agent/sentry/breadcrumbs.h"
#include "agent/sentry/event_id.h"
#include "agent/sentry/exception.h"
#include "agent/sentry/request_context.h"
#include "parsers/field_plan.h"
#include "parsers/pino_error.h"
#include "parsers/pino_levels.h"
#include "parsers/record_access.h"
#include "parsers/record_fields.h"
#include "parsers/timestamp.h"

namespace faultline::sentry {

namespace {

bool is_hex(std::string_view s, size_t len) {
  return s.size() == len && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) != 0;
         });
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

json::Array synthetic_exception(std::string type, std::string value, json::Object mechanism) {
  mechanism.set("synthetic", true);
  json::Object ex;
  ex.set("type", std::move(type));
  ex.set("value", std::move(value));
  ex.set("mechanism", std::move(mechanism));
  json::Array values;
  values.push_back(std::move(ex));
  return values;
}

// The HTTP status an error object carries (`statusCode`, `status`, `status_code`), or 0.
int error_status(const json::Value* err) {
  if (err == nullptr || !err->is_object()) return 0;
  for (const char* key : {"statusCode", "status", "status_code"}) {
    const json::Value* s = err->find(key);
    if (s != nullptr && s->is_number() && s->as_double() >= 100 && s->as_double() <= 599) {
      return static_cast<int>(s->as_double());
    }
  }
  return 0;
}

// Whether an error (with a status) comes from an HTTP client calling another service rather
// than from the app's own handlers: by its class (axios, got, ky, node-fetch, undici, Stripe,
// Google's gaxios) or by what those clients attach (the request or response, axios's config,
// Stripe's raw body).
bool from_http_client(const json::Value& err) {
  // http-errors (createError, Express's and Fastify's own) marks what the app answers with.
  if (const json::Value* expose = err.find("expose"); expose && expose->is_bool()) return false;
  static constexpr std::string_view kClientTypes[] = {
      "AxiosError",    "HTTPError",       "RequestError", "FetchError",
      "ResponseError", "StatusCodeError", "GaxiosError",  "ResponseStatusCodeError"};
  for (const char* key : {"name", "type"}) {
    const std::string type = as_text(err.find(key)).value_or("");
    if (type.rfind("Stripe", 0) == 0) return true;
    for (std::string_view client : kClientTypes) {
      if (type == client) return true;
    }
  }
  if (const json::Value* axios = err.find("isAxiosError"); axios && axios->is_bool()) return true;
  for (const char* key : {"response", "request", "config", "raw"}) {
    const json::Value* v = err.find(key);
    if (v != nullptr && v->is_object()) return true;
  }
  return false;
}

// Whether the record reports a crash rather than an error the app handled: a fatal line, or what
// apps log from process.on('uncaughtException' | 'unhandledRejection') — the origin Node passes
// to the handler, or a message that opens with those event names. A message that merely
// contains the word ("unhandled input", an Express handler's "Unhandled error") is an error the
// app caught.
bool is_uncaught(std::optional<int> level, const std::string& origin, const std::string& message) {
  if (level && *level >= pino_level::kFatal) return true;
  if (origin.find("uncaught") != std::string::npos ||
      origin.find("unhandled") != std::string::npos) {
    return true;
  }
  // Longest first, so that "uncaughtexceptionmonitor" is not taken for "uncaughtexception".
  static constexpr std::string_view kCrashMessages[] = {
      "unhandled promise rejection", "uncaughtexceptionmonitor", "unhandled rejection",
      "uncaught exception",          "unhandledrejection",       "uncaughtexception"};
  for (std::string_view phrase : kCrashMessages) {
    if (message.rfind(phrase, 0) != 0) continue;
    // The phrase opens the message as words of their own ("uncaught exception, exiting").
    return message.size() == phrase.size() ||
           std::isalnum(static_cast<unsigned char>(message[phrase.size()])) == 0;
  }
  return false;
}

// The request's first line (or, failing that, its earliest breadcrumb) when it carries the
// request object, for when neither the error line nor the completion does (Fastify logs req only
// on "incoming request").
std::optional<json::Value> opening_line(const Incident& incident, const PinoFormat& format) {
  const auto with_request = [&format](const KeptLine& line) -> std::optional<json::Value> {
    if (line.cut) return std::nullopt;
    auto v = json::parse(line.text);
    if (v.ok() && v->is_object() && first_of(*v, format.request_keys) != nullptr) {
      return std::move(v).value();
    }
    return std::nullopt;
  };
  if (incident.opening) {
    if (auto v = with_request(*incident.opening)) return v;
  }
  for (const KeptLine& line : incident.breadcrumbs) {
    if (auto v = with_request(line)) return v;
  }
  return std::nullopt;
}

}  // namespace

void set_deployment(json::Object& event, const EventSettings& settings, const json::Value& record) {
  if (!settings.server_name.empty()) {
    event.set("server_name", settings.server_name);
  } else if (auto host = as_text(record.find("hostname"))) {
    event.set("server_name", *host);
  }
  if (!settings.release.empty()) event.set("release", settings.release);
  event.set("environment", settings.environment);
  if (!settings.dist.empty()) event.set("dist", settings.dist);
}

EventBuilder::RecordPaths EventBuilder::record_paths(const EventSettings& settings) {
  const PinoFormat& format = settings.format;
  const std::string& nested = format.nested_key;
  RecordPaths p;
  p.job_id = with_nested(format.job_id_keys, nested);
  p.queue = with_nested(format.queue_keys, nested);
  p.request_id = with_nested(format.request_id_keys, nested);
  p.trace_id = with_nested(format.trace_id_keys, nested);
  p.span_id = with_nested(format.span_id_keys, nested);
  p.trace_flags = with_nested(format.trace_flags_keys, nested);
  const auto use = [&p](const std::vector<std::string>& paths) {
    for (const std::string& path : paths) {
      // erase_path() of a one-key path erases that key of the record.
      if (auto keys = FieldPlan::split_path(path); keys.ok() && keys->size() == 1) {
        p.used_keys.insert(keys->front());
      } else {
        p.used_paths.push_back(path);
      }
    }
  };
  for (const auto* keys :
       {&format.level_keys, &format.time_keys, &format.message_keys, &format.logger_keys,
        &format.trace_id_keys, &format.span_id_keys, &format.trace_flags_keys,
        &format.request_id_keys, &format.job_id_keys, &format.queue_keys, &format.error_keys}) {
    use(with_nested(*keys, nested));
  }
  use(settings.user_id_keys);
  use(format.request_keys);
  use(format.response_time_keys);
  // The response object a status key points into (pino-http's res, renamed or not): its status
  // is in the event already, its headers (set-cookie) are not wanted in extra. A request log
  // entry (GCP's httpRequest) describes the request and stays.
  for (const std::string& path : format.status_keys) {
    if (std::find(format.request_log_keys.begin(), format.request_log_keys.end(), path) !=
        format.request_log_keys.end()) {
      continue;
    }
    if (auto keys = FieldPlan::split_path(path); keys.ok() && keys->size() > 1) {
      p.used_keys.insert(keys->front());
    }
  }
  use({"req", "request", "res", "response", "responseTime", "hostname", "body", "origin", "jobName",
       "attemptsMade", "attempts", "failedReason"});
  return p;
}

EventBuilder::EventBuilder(EventSettings settings)
    : settings_(std::move(settings)), paths_(record_paths(settings_)) {
  if (!settings_.sources.roots.empty()) {
    sources_ = std::make_shared<SourceEnricher>(settings_.sources);
  }
}

Result<json::Value> EventBuilder::build(const Incident& incident,
                                        std::optional<json::Value> parsed) const {
  if (!parsed) {
    auto from_text = json::parse(incident.error.text);
    if (!from_text.ok()) return from_text.status();
    parsed = std::move(from_text).value();
  }
  if (!parsed->is_object()) return Status::Error("the error line is not a JSON object");
  json::Value record = std::move(*parsed);
  std::optional<json::Value> completion_parsed;
  const json::Value* completion = incident.completion ? incident.completion_record.get() : nullptr;
  if (incident.completion && completion == nullptr) {
    if (auto c = json::parse(incident.completion->text); c.ok() && c->is_object()) {
      completion_parsed = std::move(c).value();
      completion = &*completion_parsed;
    }
  }
  const PinoFormat& format = settings_.format;
  const std::string& nested = format.nested_key;
  // A job's earlier lines may include the request that enqueued it: that is not the request
  // the job failed in, so a job's event gets no request from them.
  const bool job = first_of(record, paths_.job_id) != nullptr;
  const std::optional<json::Value> opening =
      !job && first_of(record, format.request_keys) == nullptr &&
              (!completion || first_of(*completion, format.request_keys) == nullptr)
          ? opening_line(incident, format)
          : std::nullopt;

  json::Object event;
  event.members().reserve(20);  // every field an event may have
  event.set("event_id", event_id(incident.source_key, incident.error.offset, incident.error.text));

  json::Object extra;
  const std::optional<int64_t> time_us = record_time_us(record, format);
  if (time_us) {
    event.set("timestamp", static_cast<double>(*time_us) / 1e6);
  } else {
    event.set("timestamp", static_cast<double>(incident.read_time_us) / 1e6);
    extra.set("faultline_time", "read time: the record had no time");
  }
  event.set("platform", "node");

  const HttpFacts http = http_facts(record, completion, format, opening ? &*opening : nullptr);
  const std::optional<int> level = record_level(record, format);
  std::string sentry_lvl = level ? std::string(sentry_level(*level)) : "error";
  if (http.status >= 500 && (!level || *level < pino_level::kError)) sentry_lvl = "error";
  event.set("level", sentry_lvl);

  const std::optional<std::string> logger = as_text(first_of(record, format.logger_keys));
  event.set("logger", logger.value_or("pino"));
  set_deployment(event, settings_, record);

  // --- exception --------------------------------------------------------------------------
  const std::optional<std::string> message = record_message(record, format);
  const json::Value* err = find_error(record, format);
  const std::string origin = lower(as_text(record.find("origin")).value_or(""));
  const bool uncaught = is_uncaught(level, origin, lower(message.value_or("")));
  json::Object mechanism;
  mechanism.set("type", "faultline");
  mechanism.set("handled", !uncaught);

  json::Array exceptions;
  json::Object contexts;
  if (err != nullptr && !is_status_placeholder(*err)) {
    PinoErrorOptions parse_options;
    parse_options.stack.app_root = settings_.app_root;
    ErrorTree tree = parse_pino_error(*err, parse_options);
    ExceptionOptions options;
    options.handled = !uncaught;
    options.synthetic = !tree.root.error_like;  // a thrown string or number, as the SDK marks it
    ExceptionList list = exception_values(std::move(tree.root), options);
    exceptions = std::move(list.values);
    for (json::Member& m : list.contexts) contexts.set(m.key, std::move(m.value));
    if (list.dropped > 0 || tree.dropped > 0) {
      extra.set("faultline_linked_errors_dropped",
                static_cast<int64_t>(list.dropped + tree.dropped));
    }
  } else if (http.status >= 500) {
    std::string value = std::to_string(http.status);
    if (auto text = status_text(http.status); !text.empty()) value += " " + std::string(text);
    if (!http.method.empty() || !http.path.empty()) {
      value += ": " + http.method + (http.method.empty() ? "" : " ") + http.path;
    }
    exceptions = synthetic_exception(status_type(http.status), std::move(value), mechanism);
  } else {
    exceptions =
        synthetic_exception("Error", message.value_or("(no message)"), std::move(mechanism));
  }
  const std::string outer_value = as_text(exceptions.back().find("value")).value_or("");
  json::Object exception;
  exception.set("values", std::move(exceptions));
  event.set("exception", std::move(exception));
  if (message && *message != outer_value) {
    json::Object logentry;
    logentry.set("formatted", *message);
    event.set("logentry", std::move(logentry));
  }

  // --- request, tags, transaction -----------------------------------------------------------
  json::Object tags;
  if (level) {
    std::string_view label = format.levels.label(*level);
    tags.set("level", label.empty() ? std::to_string(*level) : std::string(label));
  }
  if (logger) tags.set("logger", tag_value(*logger));
  const json::Value* req = first_of(record, format.request_keys);
  if (req == nullptr && completion) req = first_of(*completion, format.request_keys);
  if (req == nullptr && opening) req = first_of(*opening, format.request_keys);
  const json::Value* body = record.find("body");
  if (body == nullptr && req != nullptr) body = req->find("body");
  if (req != nullptr && req->is_object()) {
    event.set("request", request_from(*req, body));
  }
  const std::optional<std::string> request_id = as_text(first_of(record, paths_.request_id));
  if (request_id) tags.set("request_id", tag_value(*request_id));
  if (!http.method.empty()) tags.set("http.method", tag_value(http.method));
  // An error's own status is, by Express's convention (finalhandler answers with
  // err.status || err.statusCode), the status the app answered with. Not so for the error of a
  // failed upstream call (axios, got, a payment API's client): a 401 from a bad live API key is
  // an outage of ours, not a client's mistake, and must not read as a 4xx response to drop.
  int status = http.status;
  if (const int own = error_status(err); own != 0) {
    if (status == 0 && !from_http_client(*err)) {
      status = own;
    } else if (own != status) {
      tags.set("error.status_code", std::to_string(own));
    }
  }
  if (status != 0) tags.set("http.status_code", std::to_string(status));
  if (!http.route.empty()) tags.set("route", tag_value(http.route));
  if (const std::string tx = transaction_name(http); !tx.empty()) event.set("transaction", tx);

  // --- job ----------------------------------------------------------------------------------
  const auto job_id = as_text(first_of(record, paths_.job_id));
  const auto queue = as_text(first_of(record, paths_.queue));
  if (job_id || queue) {
    json::Object job;
    if (job_id) {
      job.set("id", *job_id);
      tags.set("job.id", tag_value(*job_id));
    }
    if (queue) {
      job.set("queue", *queue);
      tags.set("queue", tag_value(*queue));
    }
    for (const char* key : {"jobName", "attemptsMade", "attempts", "failedReason"}) {
      if (const json::Value* v = record.find(key)) job.set(key, *v);
    }
    contexts.set("job", std::move(job));
  }
  if (err != nullptr && err->is_object()) {
    if (auto code = as_text(err->find("code"))) tags.set("error.code", tag_value(*code));
  }

  // --- user ---------------------------------------------------------------------------------
  if (auto user_id = as_text(first_of(record, settings_.user_id_keys))) {
    json::Object user;
    user.set("id", *user_id);
    event.set("user", std::move(user));
  }

  // --- trace --------------------------------------------------------------------------------
  std::string trace_id = as_text(first_of(record, paths_.trace_id)).value_or("");
  std::string span_id = as_text(first_of(record, paths_.span_id)).value_or("");
  std::string flags = as_text(first_of(record, paths_.trace_flags)).value_or("");
  if (!is_hex(trace_id, 32)) {
    trace_id = incident.trace_id;
    span_id = incident.span_id;
    flags = incident.trace_flags;
  }
  if (is_hex(trace_id, 32)) {
    json::Object trace;
    trace.set("trace_id", lower(trace_id));
    // Sentry requires a span id; without one, derive a stable one from the event id.
    trace.set("span_id", is_hex(span_id, 16) ? lower(span_id)
                                             : event.find("event_id")->as_string().substr(16));
    if (flags.size() == 2 && is_hex(flags, 2)) {
      trace.set("sampled", (std::stoi(flags, nullptr, 16) & 1) == 1);
    }
    contexts.set("trace", std::move(trace));
  }
  if (http.status != 0 || http.response_time_ms) {
    json::Object h;
    if (!http.method.empty()) h.set("method", http.method);
    if (!http.route.empty()) h.set("route", http.route);
    if (http.status != 0) h.set("status_code", http.status);
    if (http.response_time_ms) h.set("response_time_ms", *http.response_time_ms);
    contexts.set("http", std::move(h));
  }
  // The runtime, where the record says (apps often log process.version at start and in bindings).
  for (const char* key : {"node", "nodeVersion", "node_version"}) {
    const auto version = as_text(record.find(key));
    if (version && version->size() > 1 && (*version)[0] == 'v') {
      json::Object runtime;
      runtime.set("name", "node");
      runtime.set("version", *version);
      contexts.set("runtime", std::move(runtime));
      erase_path(record, key);
      break;
    }
  }
  if (!contexts.empty()) event.set("contexts", std::move(contexts));
  if (!tags.empty()) event.set("tags", std::move(tags));

  // --- breadcrumbs --------------------------------------------------------------------------
  if (!incident.breadcrumbs.empty() && settings_.max_breadcrumbs > 0) {
    json::Object crumbs;
    crumbs.set("values", breadcrumbs_from(incident.breadcrumbs, format, settings_.max_breadcrumbs));
    event.set("breadcrumbs", std::move(crumbs));
  }

  // --- extra: what the record says that the event does not say elsewhere ---------------------
  std::erase_if(record.as_object().members(),
                [this](const json::Member& m) { return paths_.used_keys.contains(m.key); });
  for (const std::string& path : paths_.used_paths) erase_path(record, path);
  if (job_id || queue) erase_path(record, "data");  // job payloads are often PII; never sent
  // The nestedKey object once its fields are used: nothing left, nothing to say.
  if (const json::Value* n = nested.empty() ? nullptr : record.find_path(nested);
      n != nullptr && n->is_object() && n->as_object().empty()) {
    erase_path(record, nested);
  }
  if (incident.forced) extra.set("faultline_completion", "not seen within the hold window");
  // The record's keys are unique already: take them whole (linear however many there are), then
  // add faultline's own notes.
  json::Object rest = std::move(record.as_object());
  for (json::Member& m : extra) rest.set(m.key, std::move(m.value));
  if (!rest.empty()) event.set("extra", std::move(rest));

  if (sources_) sources_->enrich(event);  // debug ids, source context: docs/sources.md

  json::Object sdk;
  sdk.set("name", settings_.sdk_name);
  sdk.set("version", settings_.sdk_version);
  event.set("sdk", std::move(sdk));
  return json::Value(std::move(event));
}

}  // namespace faultline::sentry
