#include "agent/config/options.h"

#include <re2/re2.h>

#include "agent/config/detect_rules.h"

namespace faultline::config {

namespace {

// Every option applies a YAML value the same way; the macro keeps the table below one line per
// idea instead of five.
#define FL_APPLY \
  [](Config & c, const YAML::Node& n, const YamlReader& r, std::string_view p) -> Status

// "auto" keeps the built-in list of candidate keys; anything else is the one key to use.
Status read_key_choice(const YAML::Node& n, const YamlReader& r, std::string_view p,
                       std::vector<std::string>& keys) {
  std::vector<std::string> v;
  if (auto s = r.read_list(n, p, v); !s.ok()) return s;
  if (v.size() == 1 && v[0] == "auto") return Status::Ok();
  if (v.empty()) return r.error(n, p, "expected \"auto\", a key or a list of keys, got nothing");
  keys = std::move(v);
  return Status::Ok();
}

Status read_levels(Config& c, const YAML::Node& n, const YamlReader& r, std::string_view p) {
  if (n.IsNull()) return Status::Ok();
  if (!n.IsMap()) return r.error(n, p, "expected a mapping of level names to numbers");
  for (auto it = n.begin(); it != n.end(); ++it) {
    const std::string label = it->first.Scalar();
    int number = 0;
    if (auto s = r.read(it->second, join_path(p, label), number, 0, 1000); !s.ok()) return s;
    c.pino.format.levels.set(label, number);
  }
  return Status::Ok();
}

Status read_inputs(Config& c, const YAML::Node& n, const YamlReader& r, std::string_view p) {
  if (n.IsNull()) return Status::Ok();
  if (!n.IsSequence()) return r.error(n, p, "expected a list of inputs like [{path: ...}]");
  c.inputs.clear();
  for (size_t i = 0; i < n.size(); ++i) {
    const std::string item_path = std::string(p) + "[" + std::to_string(i) + "]";
    const YAML::Node item = n[i];
    if (auto s = r.check_keys(item, item_path, {"path", "start_at"}); !s.ok()) return s;
    Input input;
    if (!item["path"]) return r.error(item, item_path, "missing key \"path\"");
    if (auto s = r.read(item["path"], item_path + ".path", input.path); !s.ok()) return s;
    if (input.path.empty()) return r.error(item["path"], item_path + ".path", "must not be empty");
    if (item["start_at"]) {
      if (auto s = r.read_enum(item["start_at"], item_path + ".start_at", input.start_at,
                               {"end", "beginning"});
          !s.ok()) {
        return s;
      }
    }
    c.inputs.push_back(std::move(input));
  }
  return Status::Ok();
}

}  // namespace

const std::vector<Option>& options() {
  static const std::vector<Option> table = {
      // sentry ------------------------------------------------------------------------------
      {"sentry.dsn", "string", "$SENTRY_DSN",
       "Where events go. Empty means send nothing (replay --print still shows them).",
       FL_APPLY{return r.read(n, p, c.sentry.dsn);
}
}  // namespace faultline::config
, {"sentry.release", "string", "$SENTRY_RELEASE, then CI variables",
   "The release events belong to; see docs/configuration.md for the detection order.",
   FL_APPLY{return r.read(n, p, c.sentry.release);
}
}
, {"sentry.release_file", "path", "",
   "A file whose first line is the release (a deploy's REVISION file); re-read when it changes.",
   FL_APPLY{return r.read(n, p, c.sentry.release_file);
}
}
, {"sentry.environment", "string", "$SENTRY_ENVIRONMENT, else production",
   "The environment events belong to.", FL_APPLY{return r.read(n, p, c.sentry.environment);
}
}
, {"sentry.dist", "string", "$SENTRY_DIST", "The distribution (build) of the release.",
   FL_APPLY{return r.read(n, p, c.sentry.dist);
}
}
, {"sentry.server_name", "string", "the record's hostname",
   "Overrides server_name for every event.", FL_APPLY{return r.read(n, p, c.sentry.server_name);
}
}
,
    // inputs ------------------------------------------------------------------------------
    {"inputs", "list", "[]",
     "Files for `faultline run` to tail: [{path: GLOB, start_at: end|beginning}].",
     FL_APPLY{return read_inputs(c, n, r, p);
}
}
,
    // pino --------------------------------------------------------------------------------
    {"pino.message_key", "key or list", "auto (msg, message)", "pino's messageKey.",
     FL_APPLY{return read_key_choice(n, r, p, c.pino.format.message_keys);
}
}
, {"pino.error_key", "key or list", "auto (err, error)", "pino's errorKey.",
   FL_APPLY{return read_key_choice(n, r, p, c.pino.format.error_keys);
}
}
, {"pino.level_key", "key or list", "auto (level, severity)",
   "Where the level is (formatters.level can rename it).",
   FL_APPLY{return read_key_choice(n, r, p, c.pino.format.level_keys);
}
}
, {"pino.time_key", "key or list", "auto (time, @timestamp, timestamp)",
   "Where the time is: epoch ms, epoch s or RFC 3339.",
   FL_APPLY{return read_key_choice(n, r, p, c.pino.format.time_keys);
}
}
, {"pino.nested_key", "key", "", "pino's nestedKey, if the app sets one.",
   FL_APPLY{return r.read(n, p, c.pino.format.nested_key);
}
}
, {"pino.levels", "mapping", "{}",
   "Custom level names and numbers (customLevels), e.g. {audit: 35}.",
   FL_APPLY{return read_levels(c, n, r, p);
}
}
, {"pino.request_id_keys", "list", "[reqId, req.id, requestId, request_id, request.id]",
   "Where the request id is; the first present wins.",
   FL_APPLY{return r.read_list(n, p, c.pino.format.request_id_keys);
}
}
, {"pino.trace_id_keys", "list", "[trace_id, traceId]", "Where the trace id is.",
   FL_APPLY{return r.read_list(n, p, c.pino.format.trace_id_keys);
}
}
, {"pino.span_id_keys", "list", "[span_id, spanId]", "Where the span id is.",
   FL_APPLY{return r.read_list(n, p, c.pino.format.span_id_keys);
}
}
, {"pino.trace_flags_keys", "list", "[trace_flags, traceFlags]", "Where the trace flags are.",
   FL_APPLY{return r.read_list(n, p, c.pino.format.trace_flags_keys);
}
}
, {"pino.user_id_keys", "list", "[userId, user.id, req.user.id, user_id]",
   "Where an internal user id is; it becomes user.id (ids only, never emails).",
   FL_APPLY{return r.read_list(n, p, c.pino.user_id_keys);
}
}
, {"pino.app_root", "path", "inferred from the stack",
   "The app's directory, for frame modules (the SDK uses dirname(process.argv[1])).",
   FL_APPLY{return r.read(n, p, c.pino.app_root);
}
}
, {"pino.max_line_bytes", "size", "1MiB",
   "Longer lines are skipped and counted (pipe still passes them through).",
   FL_APPLY{return r.read_size(n, p, c.pino.max_line_bytes);
}
}
,
    // correlation -------------------------------------------------------------------------
    {"correlation.enabled", "bool", "true", "Correlate lines by request id and trace id.",
     FL_APPLY{return r.read(n, p, c.correlation.enabled);
}
}
, {"correlation.hold", "duration", "5s",
   "How long an error waits for its request's completion line.",
   FL_APPLY{return r.read_duration(n, p, c.correlation.hold);
}
}
, {"correlation.max_requests", "count", "10000", "Open requests tracked at once (LRU).",
   FL_APPLY{return r.read(n, p, c.correlation.max_requests, 1, 10'000'000);
}
}
, {"correlation.max_records_per_request", "count", "30",
   "Earlier lines kept per request, as breadcrumb candidates.",
   FL_APPLY{return r.read(n, p, c.correlation.max_records_per_request, 0, 10'000);
}
}
, {"correlation.max_record_bytes", "size", "8KiB", "Longer kept lines are cut to this.",
   FL_APPLY{return r.read_size(n, p, c.correlation.max_record_bytes);
}
}
, {"correlation.max_bytes", "size", "64MiB",
   "Memory for all kept lines together; the oldest are overwritten first.",
   FL_APPLY{return r.read_size(n, p, c.correlation.max_bytes);
}
}
, {"correlation.ttl", "duration", "10m", "State of a request that never completes is freed.",
   FL_APPLY{return r.read_duration(n, p, c.correlation.ttl);
}
}
, {"correlation.max_breadcrumbs", "count", "30", "Breadcrumbs per event.",
   FL_APPLY{return r.read(n, p, c.correlation.max_breadcrumbs, 0, 1000);
}
}
,
    // rules -------------------------------------------------------------------------------
    {"rules.presets", "mapping or list", "{secrets: true, express-noise: true}",
     "Built-in rule files in rules/presets/ to apply before your own (see docs/rules.md).",
     FL_APPLY{(void)c, (void)n, (void)r, (void)p;  // compiled with the rest of the section
return Status::Ok();
}
}
, {"rules.list", "list", "[]", "Your rules, applied in order (see docs/rules.md).",
   FL_APPLY{(void)c, (void)n, (void)r, (void)p;
return Status::Ok();
}
}
, {"rules.detect.min_level", "level", "error", "Records at or above this level are errors.",
   FL_APPLY{return r.read_level(n, p, c.rules.detect.min_level);
}
}
, {"rules.detect.err_floor", "level", "warn",
   "Records with an error object at or above this level are errors.",
   FL_APPLY{return r.read_level(n, p, c.rules.detect.err_floor);
}
}
, {"rules.detect.status_5xx", "bool", "true",
   "pino-http completions with a 5xx status are errors (pino-http logs them at info).",
   FL_APPLY{return r.read(n, p, c.rules.detect.status_5xx);
}
}
, {"rules.detect.job_retries", "bool", "false",
   "Report a worker job's failed attempts that will be retried, not only the last one.",
   FL_APPLY{return r.read(n, p, c.rules.detect.job_retries);
}
}
, {"rules.detect.include", "list", "[]",
   "Rules that make matching records errors: [{level, max_level, message, has, status, "
   "match}].",
   FL_APPLY{return read_detect_rules(c, n, r, p, c.rules.detect.include);
}
}
, {"rules.detect.exclude", "list", "[]",
   "Rules that make matching records not errors (same conditions; checked last).",
   FL_APPLY{return read_detect_rules(c, n, r, p, c.rules.detect.exclude);
}
}
,
    // delivery ----------------------------------------------------------------------------
    {"delivery.spool_dir", "path", "<state.dir>/spool",
     "Where events wait, durably, until Sentry accepts them.",
     FL_APPLY{return r.read(n, p, c.delivery.spool_dir);
}
}
, {"delivery.spool_max_bytes", "size", "256MiB",
   "Spool bound; past it the oldest events are dropped and counted.",
   FL_APPLY{return r.read_size(n, p, c.delivery.spool_max_bytes);
}
}
, {"delivery.concurrency", "count", "1", "Requests in flight to Sentry (1 to 4).",
   FL_APPLY{return r.read(n, p, c.delivery.concurrency, 1, 4);
}
}
, {"delivery.connect_timeout", "duration", "10s", "TCP + TLS connect timeout.",
   FL_APPLY{return r.read_duration(n, p, c.delivery.connect_timeout);
}
}
, {"delivery.request_timeout", "duration", "30s", "Whole-request timeout.",
   FL_APPLY{return r.read_duration(n, p, c.delivery.request_timeout);
}
}
, {"delivery.shutdown_grace", "duration", "10s",
   "On SIGTERM, how long to keep sending before leaving the rest in the spool.",
   FL_APPLY{return r.read_duration(n, p, c.delivery.shutdown_grace);
}
}
, {"delivery.gzip_threshold", "size", "32KiB", "Bodies larger than this are gzipped.",
   FL_APPLY{return r.read_size(n, p, c.delivery.gzip_threshold);
}
}
, {"delivery.tls_verify", "bool", "true",
   "Verify Sentry's TLS certificate. Turning it off is logged at every start.",
   FL_APPLY{return r.read(n, p, c.delivery.tls_verify);
}
}
, {"delivery.ca_file", "path", "system CAs", "A CA bundle to trust instead of the system's.",
   FL_APPLY{return r.read(n, p, c.delivery.ca_file);
}
}
, {"delivery.ca_path", "path", "system CAs", "A directory of CA certificates.",
   FL_APPLY{return r.read(n, p, c.delivery.ca_path);
}
}
, {"delivery.proxy", "url", "$HTTPS_PROXY / $HTTP_PROXY",
   "An HTTP(S) proxy for requests to Sentry (NO_PROXY is honoured).",
   FL_APPLY{return r.read(n, p, c.delivery.proxy);
}
}
, {"delivery.backoff_initial", "duration", "1s", "First retry delay (full jitter).",
   FL_APPLY{return r.read_duration(n, p, c.delivery.backoff_initial);
}
}
, {"delivery.backoff_max", "duration", "5m", "Retry delay cap.",
   FL_APPLY{return r.read_duration(n, p, c.delivery.backoff_max);
}
}
,
    // state -------------------------------------------------------------------------------
    {"state.dir", "path", "/var/lib/faultline (root) or $XDG_STATE_HOME/faultline",
     "Where faultline keeps its spool and checkpoints.", FL_APPLY{return r.read(n, p, c.state.dir);
}
}
,
    // log ---------------------------------------------------------------------------------
    {"log.level", "enum", "info", "faultline's own log level: debug, info, warn, error.",
     FL_APPLY{return r.read_enum(n, p, c.log.level, {"debug", "info", "warn", "error"});
}
}
, {"log.format", "enum", "text", "faultline's own log format on stderr: text or json.",
   FL_APPLY{return r.read_enum(n, p, c.log.format, {"text", "json"});
}
}
,
}
;
return table;
}

#undef FL_APPLY

const std::vector<std::string_view>& reserved_sections() {
  static const std::vector<std::string_view> sections = {"server"};
  return sections;
}

}  // namespace faultline::config
