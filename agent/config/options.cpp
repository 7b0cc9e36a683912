#include "agent/config/options.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <type_traits>

#include "agent/config/source_options.h"
#include "agent/config/tracing_options.h"
#include "base/host_port.h"
#include "rules/detect/record_yaml.h"

namespace faultline::config {

namespace {

using std::chrono::milliseconds;

// Appliers for the common kinds of option: the table below names the field with member pointers
// (section, then field) and, for numbers, sizes and durations, the range it accepts.
template <auto Section, auto Field>
void text(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p) {
  if (n.is_null()) {
    ((c.*Section).*Field).clear();
  } else if (auto v = r.text(n, p)) {
    (c.*Section).*Field = std::move(*v);
  }
}

template <auto Section, auto Field>
void flag(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p) {
  if (auto v = r.boolean(n, p)) (c.*Section).*Field = *v;
}

template <auto Section, auto Field, int64_t Min, int64_t Max>
void count(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p) {
  auto& field = (c.*Section).*Field;
  using T = std::remove_reference_t<decltype(field)>;
  if (auto v = r.integer(n, p, Min, Max)) field = static_cast<T>(*v);
}

template <auto Section, auto Field, uint64_t Min, uint64_t Max>
void size(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p) {
  if (auto v = r.size(n, p, Min, Max)) (c.*Section).*Field = *v;
}

template <auto Section, auto Field, int64_t MinMs, int64_t MaxMs>
void duration(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p) {
  if (auto v = r.duration(n, p, milliseconds(MinMs), milliseconds(MaxMs))) {
    (c.*Section).*Field = *v;
  }
}

template <auto Field>
void pino_list(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p) {
  if (auto v = rules::read_key_paths(r, n, p)) c.pino.format.*Field = std::move(*v);
}

constexpr uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;
constexpr int64_t kSecond = 1000, kMinute = 60 * kSecond, kHour = 60 * kMinute, kDay = 24 * kHour;

// "auto" keeps the built-in list of candidate keys; anything else is the one key to use.
template <auto Field>
void pino_keys(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p) {
  if (n.is_scalar() && n.text() == "auto") return;
  if (n.is_sequence() && n.size() == 0) {
    r.error(n, p, "expected \"auto\", a key or a list of keys, got an empty list");
    return;
  }
  if (auto v = rules::read_key_paths(r, n, p)) c.pino.format.*Field = std::move(*v);
}

void log_level(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p) {
  if (auto v = r.one_of(n, p, {"debug", "info", "warn", "error"})) c.log.level = *v;
}

void server_listen(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p) {
  if (n.is_null()) {
    c.server.listen.clear();
    return;
  }
  auto v = r.text(n, p);
  if (!v) return;
  if (auto parsed = parse_host_port(*v); !parsed.ok()) {
    r.error(n, p, parsed.message());
    return;
  }
  c.server.listen = std::move(*v);
}

void log_format(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p) {
  if (auto v = r.one_of(n, p, {"auto", "text", "json"})) c.log.format = *v;
}

void proxy(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p) {
  if (n.is_null()) {
    c.delivery.proxy.clear();
    return;
  }
  auto v = r.text(n, p, "a proxy URL");
  if (!v) return;
  if (!v->empty() && !valid_proxy_url(*v)) {
    r.error(n, p,
            "expected a proxy URL like \"http://proxy.internal:3128\" (scheme http, https, "
            "socks4, socks4a, socks5 or socks5h; a host; an optional port; no spaces), got " +
                yaml::Reader::describe(n));
    return;
  }
  c.delivery.proxy = std::move(*v);
}

void read_levels(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p) {
  if (n.is_null()) return;
  if (!n.is_map()) {
    r.error(n, p, "expected a mapping of level names to numbers, got " + yaml::Reader::describe(n));
    return;
  }
  for (const yaml::Node::Entry& e : n.entries()) {
    if (!e.key.is_scalar()) {
      r.error(e.key, p, "expected a level name, got " + yaml::Reader::describe(e.key));
      continue;
    }
    const std::string& label = e.key.text();
    if (auto number = r.integer(e.value, yaml::join_path(p, label), 0, 1000)) {
      c.pino.format.levels.set(label, static_cast<int>(*number));
    }
  }
}

// An input's own `detect: {plain_text: BOOL}`, over the global detect section.
bool read_input_detect(yaml::Reader& r, const yaml::Node& n, const std::string& path,
                       Input& input) {
  if (!n.is_map()) {
    r.error(n, path, "expected {plain_text: true|false}, got " + yaml::Reader::describe(n));
    return false;
  }
  if (!r.check_keys(n, path, {"plain_text"})) return false;
  if (const yaml::Node& plain = n["plain_text"]; plain.defined()) {
    auto v = r.boolean(plain, path + ".plain_text");
    if (!v) return false;
    input.plain_text = *v;
  }
  return true;
}

void read_inputs(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p) {
  if (n.is_null()) return;
  if (!n.is_sequence()) {
    r.error(n, p, "expected a list of inputs like [{path: ...}], got " + yaml::Reader::describe(n));
    return;
  }
  c.inputs.clear();
  for (size_t i = 0; i < n.items().size(); ++i) {
    const std::string item_path = yaml::index_path(p, i);
    const yaml::Node& item = n.items()[i];
    if (!item.is_map()) {
      r.error(item, item_path,
              "expected {path: FILE_OR_GLOB, start_at: end|beginning}, got " +
                  yaml::Reader::describe(item));
      continue;
    }
    r.check_keys(item, item_path, {"path", "exclude", "start_at", "poll", "detect"});
    Input input;
    if (!item["path"].defined()) {
      r.error(item, item_path, "missing key \"path\"");
      continue;
    }
    const std::string path_path = item_path + ".path";
    auto paths = r.text_list(item["path"], path_path, "a file or a glob", /*allow_empty=*/false);
    if (!paths) continue;
    bool empty = false;
    for (const std::string& p : *paths) empty = empty || p.empty();
    if (empty) {
      r.error(item["path"], path_path, "must not be empty");
      continue;
    }
    input.paths = std::move(*paths);
    if (const yaml::Node& exclude = item["exclude"]; exclude.defined()) {
      auto v = r.text_list(exclude, item_path + ".exclude", "a file name pattern",
                           /*allow_empty=*/true);
      if (!v) continue;
      input.exclude = std::move(*v);
    }
    if (const yaml::Node& poll = item["poll"]; poll.defined()) {
      auto v = r.duration(poll, item_path + ".poll", std::chrono::milliseconds(0),
                          std::chrono::hours(1));
      if (!v) continue;
      input.poll = *v;
    }
    if (const yaml::Node& start = item["start_at"]; start.defined()) {
      auto v = r.one_of(start, item_path + ".start_at", {"end", "beginning"});
      if (!v) continue;
      input.start_at = *v;
    }
    if (const yaml::Node& detect = item["detect"]; detect.defined()) {
      if (!read_input_detect(r, detect, item_path + ".detect", input)) continue;
    }
    c.inputs.push_back(std::move(input));
  }
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
       "Files for `faultline run` to tail: [{path: GLOB or [GLOB...], exclude: [NAME_GLOB...], "
       "start_at: end|beginning, poll: 0s|DURATION, detect: {plain_text: BOOL}}] "
       "(docs/inputs.md).",
       read_inputs},
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
       [](Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p) {
         if (n.is_null()) {
           c.pino.format.nested_key.clear();
         } else if (auto v = r.text(n, p, "a key")) {
           c.pino.format.nested_key = std::move(*v);
         }
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
       [](Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view p) {
         if (auto v = rules::read_key_paths(r, n, p)) c.pino.user_id_keys = std::move(*v);
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
       nullptr},
      {"rules.hash-key-env", "name", "FAULTLINE_HASH_KEY",
       "The environment variable holding the HMAC key of `hash` scrubbing (see docs/rules.md).",
       nullptr},
      {"rules.list", "list", "[]", "Your rules, applied in order (see docs/rules.md).", nullptr},
      {"rules.detect.min_level", "level", "error", "Records at or above this level are errors.",
       nullptr},
      {"rules.detect.err_floor", "level", "warn",
       "Records with an error object at or above this level are errors.", nullptr},
      {"rules.detect.status_5xx", "bool", "true",
       "pino-http completions with a 5xx status are errors (pino-http logs them at info).",
       nullptr},
      {"rules.detect.job_retries", "bool", "false",
       "Report a worker job's failed attempts that will be retried, not only the last one.",
       nullptr},
      {"rules.detect.include", "list", "[]",
       "Rules that make matching records errors: [{level, max_level, message, has, status, "
       "match}].",
       nullptr},
      {"rules.detect.exclude", "list", "[]",
       "Rules that make matching records not errors (same conditions; checked last).", nullptr},
      // detect --------------------------------------------------------------------------------
      {"detect.plain_text", "bool", "true",
       "Turn Node's plain-text error dumps among the lines that are not JSON (crash reports, "
       "console.error(err)) into events; an input's own `detect: {plain_text}` wins "
       "(docs/sources.md).",
       flag<&C::detect, &Detect::plain_text>},
      // delivery ------------------------------------------------------------------------------
      {"delivery.spool_dir", "path", "<state.dir>/spool",
       "Where events wait, durably, until Sentry accepts them.",
       text<&C::delivery, &Delivery::spool_dir>},
      {"delivery.spool_max_bytes", "size", "256MiB",
       "Spool bound; past it the oldest batches of events are dropped and counted.",
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
       "An HTTP(S) or SOCKS proxy for requests to Sentry (NO_PROXY is honoured).", proxy},
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
      {"log.reminder_interval", "duration", "5m",
       "How often a lasting problem (pipe or exec sending no events) is said again on stderr.",
       duration<&C::log, &Log::reminder_interval, kSecond, kDay>},
      {"log.stats_interval", "duration", "15m",
       "How often pipe, exec and run log a one-line summary (lines, errors, events, sent, "
       "spooled, dropped); 0s: never.",
       duration<&C::log, &Log::stats_interval, 0, kDay>},
      // server --------------------------------------------------------------------------------
      {"server.listen", "HOST:PORT", "(off)",
       "Serve /metrics, /healthz and /readyz on this address (e.g. 127.0.0.1:9464).",
       server_listen},
      {"server.unhealthy_after", "duration", "5m",
       "/healthz answers 503 once events have waited this long with none accepted by Sentry.",
       duration<&C::server, &Server::unhealthy_after, kSecond, 7 * kDay>},
      // sources -------------------------------------------------------------------------------
      {"sources.roots", "list", "[] (off)",
       "Directories faultline may read the app's files from, for debug ids and source context "
       "(docs/sources.md); nothing outside them is opened.",
       read_source_roots},
      {"sources.path_map", "mapping", "{}",
       "Path prefixes in the logs → the same directories on this host, e.g. {/app: /mnt/app}.",
       read_source_path_map},
      {"sources.url_prefix", "string", "",
       "Rewrites frame paths under a root or path_map prefix to this prefix, e.g. app:///.",
       read_source_url_prefix},
      {"sources.context_lines", "count", "5",
       "Source lines before and after an in-app frame's line; 0: none.",
       count<&C::sources, &Sources::context_lines, 0, 50>},
      {"sources.max_line_length", "count", "1000",
       "A frame whose line (or column) is longer is minified code and gets no source context.",
       count<&C::sources, &Sources::max_line_length, 1, 1'000'000>},
      {"sources.cache_bytes", "size", "16MiB",
       "Memory for the source files read (least recently used first out).",
       size<&C::sources, &Sources::cache_bytes, 64 * KiB, 4 * GiB>},
      // tracing -------------------------------------------------------------------------------
      {"tracing.sample_rate", "number", "0 (off)",
       "The share of requests (completion lines) sent as transactions, 0 to 1 "
       "(docs/tracing.md).",
       read_trace_sample_rate},
      {"tracing.respect_parent", "bool", "true",
       "A trace whose trace_flags say not sampled is never sent; one that says sampled always is.",
       read_trace_respect_parent},
      {"tracing.routes", "list", "[] (then health checks at 0)",
       "Rates per route: [{route: GLOB or [GLOB...], sample_rate: N} or {regex: RE2, "
       "sample_rate: N}]; the first match wins.",
       read_trace_routes},
      {"tracing.url_patterns", "list", "[]",
       "More ids to template in URL paths: [RE2 or {pattern: RE2, placeholder: \":name\"}], "
       "tried first.",
       read_trace_url_patterns},
  };
  return table;
}

const std::vector<std::string_view>& reserved_sections() {
  static const std::vector<std::string_view> sections = {};
  return sections;
}

bool valid_proxy_url(std::string_view url) {
  if (url.find_first_of(" \t\r\n") != std::string_view::npos) return false;
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return false;
  std::string scheme(url.substr(0, sep));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  static const std::vector<std::string_view> kSchemes = {"http",    "https",  "socks4",
                                                         "socks4a", "socks5", "socks5h"};
  if (std::find(kSchemes.begin(), kSchemes.end(), scheme) == kSchemes.end()) return false;
  std::string_view rest = url.substr(sep + 3);
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) return false;  // a path means a typo
  std::string_view host = rest, port;
  bool host_ok = true;
  if (!rest.empty() && rest.front() == '[') {  // [IPv6]
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return false;
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return false;
      port = after.substr(1);
      if (port.empty()) return false;
    }
    for (char ch : host)
      host_ok =
          host_ok && (std::isxdigit(static_cast<unsigned char>(ch)) || ch == ':' || ch == '.');
  } else {
    if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
      host = rest.substr(0, colon);
      port = rest.substr(colon + 1);
      if (port.empty()) return false;
    }
    for (char ch : host) {
      host_ok = host_ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' ||
                            ch == '.' || ch == '_');
    }
  }
  if (host.empty() || !host_ok) return false;
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
      return false;
    }
    const int number = std::stoi(std::string(port));
    if (number < 1 || number > 65535) return false;
  }
  return true;
}

}  // namespace faultline::config
