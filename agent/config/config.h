// faultline's configuration: what one YAML file (config.example.yaml documents every key) plus the
// environment say. Loaded and validated once at startup by loader.h; afterwards it is plain,
// read-only data shared by every part of the daemon. Nothing in it is YAML: the rules are
// compiled at load, and a reload (SIGHUP) loads `file` again.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "parsers/pino_record.h"
#include "rules/detect/detector.h"
#include "rules/route_template.h"
#include "rules/rule_set.h"
#include "rules/trace_sampling.h"

namespace faultline::config {

using std::chrono::milliseconds;

struct Sentry {
  std::string dsn;          // empty: send nothing
  std::string release;      // empty: none
  std::string environment;  // never empty after loading ("production" by default)
  std::string dist;
  std::string release_file;    // a REVISION-style file whose first line is the release
  std::string server_name;     // empty: the record's hostname
  std::string release_source;  // where the release came from, for `check` and logs
};

struct Input {
  std::vector<std::string> paths;    // files or globs
  std::vector<std::string> exclude;  // shell patterns matched against a file's name (or path)
  std::string start_at = "end";      // "end" or "beginning", for files without a checkpoint
  milliseconds poll{0};              // 0: inotify; otherwise look for new data at this interval
  std::optional<bool> plain_text;    // detect.plain_text for this input; unset: the global one
};

struct Pino {
  PinoFormat format;
  std::string app_root;  // the app's directory, for frame modules; empty: inferred
  std::vector<std::string> user_id_keys = {"userId", "user.id", "req.user.id", "user_id"};
  uint64_t max_line_bytes = 1024 * 1024;
  // The hot-path read plan compiled from `format` plus the fields detect rules read.
  std::shared_ptr<const RecordSchema> schema;
};

struct Correlation {
  bool enabled = true;
  milliseconds hold{5000};
  size_t max_requests = 10000;
  size_t max_records_per_request = 30;
  uint64_t max_record_bytes = 8 * 1024;
  uint64_t max_bytes = 64ull * 1024 * 1024;  // all kept lines together
  milliseconds ttl{10 * 60 * 1000};
  size_t max_breadcrumbs = 30;
};

struct Rules {
  // Compiled at load from the `rules:` section and the presets it turns on.
  std::shared_ptr<const rules::RuleSet> rule_set;
  rules::DetectOptions detect;  // `rules.detect`; its rules' slots refer to pino.schema
};

// What faultline finds besides pino records.
struct Detect {
  // Node's plain-text error dumps among the lines that are not JSON (docs/sources.md).
  bool plain_text = true;
};

struct Delivery {
  std::string spool_dir;  // empty: <state.dir>/spool
  uint64_t spool_max_bytes = 256ull * 1024 * 1024;
  int concurrency = 1;
  milliseconds connect_timeout{10'000};
  milliseconds request_timeout{30'000};
  milliseconds shutdown_grace{10'000};
  uint64_t gzip_threshold = 32 * 1024;
  bool tls_verify = true;
  std::string ca_file;
  std::string ca_path;
  std::string proxy;
  milliseconds backoff_initial{1000};
  milliseconds backoff_max{5 * 60 * 1000};
};

struct State {
  std::string dir;  // default: /var/lib/faultline as root, else $XDG_STATE_HOME/faultline
};

struct Log {
  std::string level = "info";   // debug, info, warn, error
  std::string format = "auto";  // auto (JSON unless stderr is a terminal), text or json
  std::chrono::milliseconds reminder_interval{std::chrono::minutes(5)};
  std::chrono::milliseconds stats_interval{std::chrono::minutes(15)};  // 0: no summary line
};

struct Server {
  std::string listen;  // "HOST:PORT"; empty: no HTTP endpoints
  std::chrono::milliseconds unhealthy_after{std::chrono::minutes(5)};
};

// `sources:`: the app's files faultline may read for debug ids and source context
// (docs/sources.md). Paths are normal_path() forms (base/path_prefix.h).
struct Sources {
  std::vector<std::string> roots;  // empty: no file is ever read (the default)
  // A frame's path prefix in the logs → the same directory on this host; longest prefix wins.
  std::vector<std::pair<std::string, std::string>> path_map;
  std::string url_prefix;  // e.g. "app:///"; empty: abs_path stays as logged
  size_t context_lines = 5;
  size_t max_line_length = 1000;  // a longer line is minified code: no context for its frame
  uint64_t cache_bytes = 16ull * 1024 * 1024;
};

// `tracing:` (docs/tracing.md): sampled transactions from request completion lines.
struct Tracing {
  double sample_rate = 0;  // 0: off
  bool respect_parent = true;
  std::vector<rules::RouteRate> routes;  // the user's, in order; the built-in ones come after
  std::vector<rules::SegmentPattern> url_patterns;
};

struct Config {
  std::string file;  // the file loaded ("" for the built-in defaults): what a reload reads again
  Sentry sentry;
  std::vector<Input> inputs;
  Pino pino;
  Correlation correlation;
  Rules rules;
  Detect detect;
  Delivery delivery;
  State state;
  Log log;
  Server server;
  Sources sources;
  Tracing tracing;
};

}  // namespace faultline::config
