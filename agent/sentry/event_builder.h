// Turns one Incident (raw lines of a failure) into the Sentry event payload that @sentry/node
// would have sent for the same failure: exception with parsed stack and linked causes, request,
// user, tags, trace context, breadcrumbs, release, and the rest of the record under `extra`.
// The payload is what goes in an envelope's `event` item (SENTRY-PROTOCOL.md §3); scrubbing and
// other rules run on it afterwards.
//
// Immutable after construction except for the release (set_release, for sentry.release_file);
// build() is const and may run on any thread, but set_release() must not race with it. With
// sources.roots, build() also reads the app's files (source_context.h; it locks its own cache).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "agent/sentry/incident.h"
#include "agent/sentry/source_context.h"
#include "base/status.h"
#include "base/string_hash.h"
#include "parsers/json.h"
#include "parsers/pino_record.h"

namespace faultline::sentry {

struct EventSettings {
  std::string release;
  std::string environment = "production";
  std::string dist;
  std::string server_name;  // empty: the record's hostname
  std::string sdk_name = "faultline";
  std::string sdk_version;
  PinoFormat format;  // where the record's fields are
  std::vector<std::string> user_id_keys = {"userId", "user.id", "req.user.id", "user_id"};
  std::string app_root;  // for frame modules; empty: inferred per stack
  size_t max_breadcrumbs = 30;
  SourceOptions sources;  // no roots: frames are sent as parsed
};

// server_name (the setting, else the record's hostname), release, environment and dist, as every
// event faultline builds carries them.
void set_deployment(json::Object& event, const EventSettings& settings, const json::Value& record);

class EventBuilder {
 public:
  explicit EventBuilder(EventSettings settings);

  // Fails only when the error line is not a JSON object (it was cut, or the hot path's lenient
  // read accepted what a full parse rejects); the caller counts and logs that.
  // `record` is the error line already parsed (the correlator's, moved in), or nullopt to parse
  // incident.error.text here: each error line becomes a DOM once.
  Result<json::Value> build(const Incident& incident,
                            std::optional<json::Value> record = std::nullopt) const;

  void set_release(std::string release) { settings_.release = std::move(release); }
  const EventSettings& settings() const { return settings_; }

 private:
  // The record paths build() looks at, with their nestedKey forms (with_nested), made once.
  struct RecordPaths {
    std::vector<std::string> job_id, queue, request_id, trace_id, span_id, trace_flags;
    // What the event says elsewhere, so not again in extra: top-level keys (one pass over the
    // record takes them all out) and deeper paths.
    std::unordered_set<std::string, StringHash, std::equal_to<>> used_keys;
    std::vector<std::string> used_paths;
  };
  static RecordPaths record_paths(const EventSettings& settings);

  EventSettings settings_;
  RecordPaths paths_;
  std::shared_ptr<SourceEnricher> sources_;  // null without sources.roots
};

}  // namespace faultline::sentry
