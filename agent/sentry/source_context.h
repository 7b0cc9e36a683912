// Ties an event's stack frames to the app's files on disk (docs/sources.md), as @sentry/node does
// in the app: for each frame whose file faultline may read,
//   - debug_meta.images gains {type: "sourcemap", code_file: the frame's abs_path as sent,
//     debug_id} once per file with a debug id (the SDK's applyDebugMeta), so that Sentry finds
//     the uploaded source map;
//   - an in-app frame of a file that is not minified gains pre_context, context_line and
//     post_context (the SDK's ContextLines integration, with its line snipping);
// and, with a url_prefix, filename and abs_path are rewritten (the SDK's RewriteFrames).
// Frames of files it cannot read are sent as they are.
//
// Runs on the built event before the rules, so scrubbing sees the source lines too.
// Thread-safe: enrich() holds a mutex around the file cache it owns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "agent/sentry/source_files.h"
#include "agent/sentry/source_paths.h"
#include "base/thread_annotations.h"
#include "parsers/json.h"

namespace faultline::sentry {

// config::Sources, as the event builder gets it.
struct SourceOptions {
  std::vector<std::string> roots;  // empty: no enrichment at all
  std::vector<std::pair<std::string, std::string>> path_map;
  std::string url_prefix;
  size_t context_lines = 5;
  size_t max_line_length = 1000;
  uint64_t cache_bytes = 16ull * 1024 * 1024;
  SourceCounters counters;
};

class SourceEnricher {
 public:
  explicit SourceEnricher(const SourceOptions& options);

  // Adds to the frames of event.exception.values[*].stacktrace and to event.debug_meta.
  void enrich(json::Object& event);

 private:
  const SourcePaths paths_;
  const size_t context_lines_;
  const size_t max_line_length_;
  std::mutex mu_;
  SourceFiles files_ GUARDED_BY(mu_);
};

// One source line as a frame carries it: valid UTF-8, and past 150 bytes its first 140 and
// " {snip}" (the SDK's snipLine(line, 0)). Exposed for tests.
std::string context_text(std::string_view line);

}  // namespace faultline::sentry
