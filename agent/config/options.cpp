#include "agent/config/options.h"

#include <re2/re2.h>

#include <chrono>
#include <type_traits>

#include "agent/config/detect_rules.h"

namespace faultline::config {

namespace {

using std::chrono::milliseconds;

// Appliers for the common kinds of option: the table below names the field with member pointers
// (section, then field) and, for numbers, sizes and durations, the range it accepts.
template <auto Section, auto Field>
Status text(Config& c, const YAML::Node& n, const YamlReader& r, std::string_view p) {
  return r.read(n, p, (c.*Section).*Field);
}

template <auto Section, auto Field>
Status flag(Config& c, const YAML::Node& n, const YamlReader& r, std::string_view p) {
  return r.read(n, p, (c.*Section).*Field);
}

template <auto Section, auto Field, uint64_t Min, uint64_t Max>
Status count(Config& c, const YAML::Node& n, const YamlReader& r, std::string_view p) {
  auto& field = (c.*Section).*Field;
  using T = std::remove_reference_t<decltype(field)>;
  return r.read(n, p, field, static_cast<T>(Min), static_cast<T>(Max));
}

template <auto Section, auto Field, uint64_t Min, uint64_t Max>
Status size(Config& c, const YAML::Node& n, const YamlReader& r, std::string_view p) {
  return r.read_size(n, p, (c.*Section).*Field, Min, Max);
}

template <auto Section, auto Field, int64_t MinMs, int64_t MaxMs>
Status duration(Config& c, const YAML::Node& n, const YamlReader& r, std::string_view p) {
  return r.read_duration(n, p, (c.*Section).*Field, milliseconds(MinMs), milliseconds(MaxMs));
}

template <auto Field>
Status pino_keys(Config& c, const YAML::Node& n, const YamlReader& r, std::string_view p);
template <auto Field>
Status pino_list(Config& c, const YAML::Node& n, const YamlReader& r, std::string_view p) {
  return r.read_key_paths(n, p, c.pino.format.*Field);
}

// Keys the rules compiler reads itself (with the rest of the `rules:` section).
Status compiled_with_rules(Config&, const YAML::Node&, const YamlReader&, std::string_view) {
  return Status::Ok();
}

constexpr uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;
constexpr int64_t kSecond = 1000, kMinute = 60 * kSecond, kHour = 60 * kMinute, kDay = 24 * kHour;

// "auto" keeps the built-in list of candidate keys; anything else is the one key to use.
template <auto Field>
Status pino_keys(Config& c, const YAML::Node& n, const YamlReader& r, std::string_view p) {
  std::vector<std::string> v;
  if (auto s = r.read_list(n, p, v); !s.ok()) return s;
  if (v.size() == 1 && v[0] == "auto") return Status::Ok();
  if (auto s = r.read_key_paths(n, p, v); !s.ok()) return s;
  if (v.empty()) return r.error(n, p, "expected \"auto\", a key or a list of keys, got nothing");
  c.pino.format.*Field = std::move(v);
  return Status::Ok();
}

Status log_level(Config& c, const YAML::Node& n, const YamlReader& r, std::string_view p) {
  return r.read_enum(n, p, c.log.level, {"debug", "info", "warn", "error"});
}

Status log_format(Config& c, const YAML::Node& n, const YamlReader& r, std::string_view p) {
  return r.read_enum(n, p, c.log.format, {"text", "json"});
}

template <auto Field>
Status detect_level(Config& c, const YAML::Node& n, const YamlReader& r, std::string_view p) {
  return r.read_level(n, p, c.rules.detect.*Field);
}

template <auto Field>
Status detect_flag(Config& c, const YAML::Node& n, const YamlReader& r, std::string_view p) {
  return r.read(n, p, c.rules.detect.*Field);
}

template <auto Field>
Status detect_list(Config& c, const YAML::Node& n, const YamlReader& r, std::string_view p) {
  return read_detect_rules(c, n, r, p, c.rules.detect.*Field);
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
  using C = Config;
  static const std::vector<Option> table = {
      // sentry --------------------------------------------------------------------------------
      {"sentry.dsn", "string", "$SENTRY_DSN",
       "Where events go. Empty means send nothing (replay --print still shows them).",
       text<&C::sentry, &Sentry::dsn>},
      {"sentry.release", "string", "$SENTRY_RELEASE, then CI variables",
       "The release events belong to; see docs/configuration.md for the detection order.",
       text<&C::sentry, &Sentry::release>},
      {"sentry.release_file", "path", "",
       "A file whose first line is the release (a deploy's REVISION file); re-read when it "
       "changes.",
       text<&C::sentry, &Sentry::release_file>},
      {"sentry.environment", "string", "$SENTRY_ENVIRONMENT, else production",
       "The environment events belong to.", text<&C::sentry, &Sentry::environment>},
      {"sentry.dist", "string", "$SENTRY_DIST", "The distribution (build) of the release.",
       text<&C::sentry, &Sentry::dist>},
      {"sentry.server_name", "string", "the record's hostname",
       "Overrides server_name for every event.", text<&C::sentry, &Sentry::server_name>},
      // inputs --------------------------------------------------------------------------------
      {"inputs", "list", "[]",
       "Files for `faultline run` to tail: [{path: GLOB, start_at: end|beginning}].", read_inputs},
      // pino ----------------------------------------------------------------------------------
      {"pino.message_key", "key or list", "auto (msg, message)", "pino's messageKey.",
       pino_keys<&PinoFormat::message_keys>},
      {"pino.error_key", "key or list", "auto (err, error)", "pino's errorKey.",
       pino_keys<&PinoFormat::error_keys>},
      {"pino.level_key", "key or list", "auto (level, severity)",
       "Where the level is (formatters.level can rename it).", pino_keys<&PinoFormat::level_keys>},
      {"pino.time_key", "key or list", "auto (time, @timestamp, timestamp)",
       "Where the time is: epoch ms, epoch s or RFC 3339.", pino_keys<&PinoFormat::time_keys>},
      {"pino.nested_key", "key", "", "pino's nestedKey, if the app sets one.",
       [](Config& c, const YAML::Node& n, const YamlReader& r, std::string_view p) {
         return r.read(n, p, c.pino.format.nested_key);
       }},
      {"pino.levels", "mapping", "{}",
       "Custom level names and numbers (customLevels), e.g. {audit: 35}.", read_levels},
      {"pino.request_id_keys", "list", "[reqId, req.id, requestId, request_id, request.id]",
       "Where the request id is; the first present wins.", pino_list<&PinoFormat::request_id_keys>},
      {"pino.trace_id_keys", "list", "[trace_id, traceId]", "Where the trace id is.",
       pino_list<&PinoFormat::trace_id_keys>},
      {"pino.span_id_keys", "list", "[span_id, spanId]", "Where the span id is.",
       pino_list<&PinoFormat::span_id_keys>},
      {"pino.trace_flags_keys", "list", "[trace_flags, traceFlags]", "Where the trace flags are.",
       pino_list<&PinoFormat::trace_flags_keys>},
      {"pino.request_keys", "list", "[req, request]",
       "Where the request object is (pino-http's customAttributeKeys.req).",
       pino_list<&PinoFormat::request_keys>},
      {"pino.status_keys", "list", "[res.statusCode, httpRequest.status]",
       "Where a completion line's response status is (customAttributeKeys.res).",
       pino_list<&PinoFormat::status_keys>},
      {"pino.response_time_keys", "list", "[responseTime]",
       "pino-http's responseTime (customAttributeKeys.responseTime); it marks a completion line.",
       pino_list<&PinoFormat::response_time_keys>},
      {"pino.pid_keys", "list", "[pid]",
       "Where the process id is; with the hostname it scopes request ids (pino-http counts per "
       "process).",
       pino_list<&PinoFormat::pid_keys>},
      {"pino.hostname_keys", "list", "[hostname]", "Where the host name is (pino's base bindings).",
       pino_list<&PinoFormat::hostname_keys>},
      {"pino.user_id_keys", "list", "[userId, user.id, req.user.id, user_id]",
       "Where an internal user id is; it becomes user.id (ids only, never emails).",
       [](Config& c, const YAML::Node& n, const YamlReader& r, std::string_view p) {
         return r.read_key_paths(n, p, c.pino.user_id_keys);
       }},
      {"pino.app_root", "path", "inferred from the stack",
       "The app's directory, for frame modules (the SDK uses dirname(process.argv[1])).",
       text<&C::pino, &Pino::app_root>},
      {"pino.max_line_bytes", "size", "1MiB",
       "Longer lines are skipped and counted (pipe still passes them through).",
       size<&C::pino, &Pino::max_line_bytes, KiB, 256 * MiB>},
      // correlation ---------------------------------------------------------------------------
      {"correlation.enabled", "bool", "true", "Correlate lines by request id and trace id.",
       flag<&C::correlation, &Correlation::enabled>},
      {"correlation.hold", "duration", "5s",
       "How long an error waits for its request's completion line.",
       duration<&C::correlation, &Correlation::hold, 0, kHour>},
      {"correlation.max_requests", "count", "10000", "Open requests tracked at once (LRU).",
       count<&C::correlation, &Correlation::max_requests, 1, 10'000'000>},
      {"correlation.max_records_per_request", "count", "30",
       "Earlier lines kept per request, as breadcrumb candidates.",
       count<&C::correlation, &Correlation::max_records_per_request, 0, 10'000>},
      {"correlation.max_record_bytes", "size", "8KiB", "Longer kept lines are cut to this.",
       size<&C::correlation, &Correlation::max_record_bytes, 256, 16 * MiB>},
      {"correlation.max_bytes", "size", "64MiB",
       "Memory for kept lines and held error lines; the oldest kept lines are overwritten first.",
       size<&C::correlation, &Correlation::max_bytes, MiB, 16 * GiB>},
      {"correlation.ttl", "duration", "10m", "State of a request that never completes is freed.",
       duration<&C::correlation, &Correlation::ttl, kSecond, 7 * kDay>},
      {"correlation.max_breadcrumbs", "count", "30", "Breadcrumbs per event.",
       count<&C::correlation, &Correlation::max_breadcrumbs, 0, 1000>},
      // rules ---------------------------------------------------------------------------------
      {"rules.presets", "mapping or list", "{secrets: true, express-noise: true}",
       "Built-in rule files in rules/presets/ to apply before your own (see docs/rules.md).",
       compiled_with_rules},
      {"rules.hash-key-env", "name", "FAULTLINE_HASH_KEY",
       "The environment variable holding the HMAC key of `hash` scrubbing (see docs/rules.md).",
       compiled_with_rules},
      {"rules.list", "list", "[]", "Your rules, applied in order (see docs/rules.md).",
       compiled_with_rules},
      {"rules.detect.min_level", "level", "error", "Records at or above this level are errors.",
       detect_level<&rules::DetectOptions::min_level>},
      {"rules.detect.err_floor", "level", "warn",
       "Records with an error object at or above this level are errors.",
       detect_level<&rules::DetectOptions::err_floor>},
      {"rules.detect.status_5xx", "bool", "true",
       "pino-http completions with a 5xx status are errors (pino-http logs them at info).",
       detect_flag<&rules::DetectOptions::status_5xx>},
      {"rules.detect.job_retries", "bool", "false",
       "Report a worker job's failed attempts that will be retried, not only the last one.",
       detect_flag<&rules::DetectOptions::job_retries>},
      {"rules.detect.include", "list", "[]",
       "Rules that make matching records errors: [{level, max_level, message, has, status, "
       "match}].",
       detect_list<&rules::DetectOptions::include>},
      {"rules.detect.exclude", "list", "[]",
       "Rules that make matching records not errors (same conditions; checked last).",
       detect_list<&rules::DetectOptions::exclude>},
      // delivery ------------------------------------------------------------------------------
      {"delivery.spool_dir", "path", "<state.dir>/spool",
       "Where events wait, durably, until Sentry accepts them.",
       text<&C::delivery, &Delivery::spool_dir>},
      {"delivery.spool_max_bytes", "size", "256MiB",
       "Spool bound; past it the oldest events are dropped and counted.",
       size<&C::delivery, &Delivery::spool_max_bytes, MiB, 1024 * GiB>},
      {"delivery.concurrency", "count", "1", "Requests in flight to Sentry (1 to 4).",
       count<&C::delivery, &Delivery::concurrency, 1, 4>},
      {"delivery.connect_timeout", "duration", "10s", "TCP + TLS connect timeout.",
       duration<&C::delivery, &Delivery::connect_timeout, 1, kHour>},
      {"delivery.request_timeout", "duration", "30s", "Whole-request timeout.",
       duration<&C::delivery, &Delivery::request_timeout, 1, kHour>},
      {"delivery.shutdown_grace", "duration", "10s",
       "On SIGTERM, how long to keep sending before leaving the rest in the spool.",
       duration<&C::delivery, &Delivery::shutdown_grace, 0, kHour>},
      {"delivery.gzip_threshold", "size", "32KiB", "Bodies larger than this are gzipped.",
       size<&C::delivery, &Delivery::gzip_threshold, 0, GiB>},
      {"delivery.tls_verify", "bool", "true",
       "Verify Sentry's TLS certificate. Turning it off is logged at every start.",
       flag<&C::delivery, &Delivery::tls_verify>},
      {"delivery.ca_file", "path", "system CAs", "A CA bundle to trust instead of the system's.",
       text<&C::delivery, &Delivery::ca_file>},
      {"delivery.ca_path", "path", "system CAs", "A directory of CA certificates.",
       text<&C::delivery, &Delivery::ca_path>},
      {"delivery.proxy", "url", "$HTTPS_PROXY / $HTTP_PROXY",
       "An HTTP(S) proxy for requests to Sentry (NO_PROXY is honoured).",
       text<&C::delivery, &Delivery::proxy>},
      {"delivery.backoff_initial", "duration", "1s", "First retry delay (full jitter).",
       duration<&C::delivery, &Delivery::backoff_initial, 1, kDay>},
      {"delivery.backoff_max", "duration", "5m", "Retry delay cap.",
       duration<&C::delivery, &Delivery::backoff_max, 1, 7 * kDay>},
      // state ---------------------------------------------------------------------------------
      {"state.dir", "path", "/var/lib/faultline (root) or $XDG_STATE_HOME/faultline",
       "Where faultline keeps its spool and checkpoints.", text<&C::state, &State::dir>},
      // log -----------------------------------------------------------------------------------
      {"log.level", "enum", "info", "faultline's own log level: debug, info, warn, error.",
       log_level},
      {"log.format", "enum", "text", "faultline's own log format on stderr: text or json.",
       log_format},
  };
  return table;
}

const std::vector<std::string_view>& reserved_sections() {
  static const std::vector<std::string_view> sections = {"server"};
  return sections;
}

}  // namespace faultline::config
