#include "agent/sentry/source_context.h"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "parsers/utf8.h"

namespace faultline::sentry {

namespace {

// The SDK's snipLine(line, 0): a line longer than 150 keeps its first 140 characters.
constexpr size_t kSnipAbove = 150;
constexpr size_t kSnipKeep = 140;
// Source lines per event, in bytes. fit_event() does not cut them, and 11 errors of 50 in-app
// frames with long lines would pass Sentry's 1 MiB alone; the frames nearest the throw go first.
constexpr size_t kContextBudget = 64 * 1024;

// Files the SDK's ContextLines skips by name: minified builds.
bool minified_name(std::string_view path) {
  for (std::string_view ext : {".min.js", ".min.cjs", ".min.mjs"}) {
    if (path.ends_with(ext)) return true;
  }
  return false;
}

int64_t int_of(const json::Value* v) {
  return v != nullptr && v->is_int() ? v->as_int() : 0;
}

struct FrameRef {
  json::Object* frame;  // into the event's frame arrays, which are not resized here
  std::string path;     // as logged
  std::optional<std::string> host;
  bool wants_context = false;
  size_t lineno = 0;
};

// pre_context, context_line and post_context around `lineno`, as the SDK's addContextToFrame:
// up to `n` lines each way, fewer at the top and bottom of the file. None when the file has no
// such line (it changed since the stack was written), the line is minified code, or the lines
// would take more than `budget` bytes (which they spend).
void add_context(json::Object& frame, const SourceFile& file, size_t lineno, size_t n,
                 size_t max_line_length, size_t& budget) {
  if (lineno > file.line_count()) return;
  const std::string_view line = file.line(lineno);
  if (line.size() > max_line_length) return;
  size_t bytes = 0;
  const auto text = [&](size_t number) {
    std::string t = context_text(file.line(number));
    bytes += t.size();
    return t;
  };
  json::Array pre, post;
  for (size_t i = lineno > n ? lineno - n : 1; i < lineno; ++i) pre.push_back(text(i));
  std::string context_line = text(lineno);
  for (size_t i = lineno + 1; i <= std::min(file.line_count(), lineno + n); ++i) {
    post.push_back(text(i));
  }
  if (bytes > budget) return;
  budget -= bytes;
  frame.set("pre_context", std::move(pre));
  frame.set("context_line", std::move(context_line));
  frame.set("post_context", std::move(post));
}

}  // namespace

std::string context_text(std::string_view line) {
  std::string text = utf8::sanitized(line);
  if (text.size() <= kSnipAbove) return text;
  std::string out(utf8::truncate(text, kSnipKeep));
  out += " {snip}";
  return out;
}

SourceEnricher::SourceEnricher(const SourceOptions& options)
    : paths_(options.roots, options.path_map, options.url_prefix),
      context_lines_(options.context_lines),
      max_line_length_(options.max_line_length),
      files_(options.roots, options.cache_bytes, options.counters) {}

void SourceEnricher::enrich(json::Object& event) {
  json::Value* values = event.find("exception");
  values = values != nullptr ? values->find("values") : nullptr;
  if (values == nullptr || !values->is_array()) return;

  std::vector<FrameRef> refs;
  std::unordered_map<std::string, bool> wants_lines;  // host path → read its lines
  for (json::Value& exception : values->as_array()) {
    json::Value* frames = exception.find("stacktrace");
    frames = frames != nullptr ? frames->find("frames") : nullptr;
    if (frames == nullptr || !frames->is_array()) continue;
    for (json::Value& frame : frames->as_array()) {
      json::Object* f = frame.object();
      if (f == nullptr) continue;
      const json::Value* path = f->find("abs_path");
      if (path == nullptr || !path->is_string()) path = f->find("filename");
      if (path == nullptr || !path->is_string()) continue;
      FrameRef ref{f, path->as_string(), std::nullopt};
      ref.host = paths_.host_path(ref.path);
      const int64_t lineno = int_of(f->find("lineno"));
      const json::Value* in_app = f->find("in_app");
      ref.wants_context = context_lines_ > 0 && in_app != nullptr && in_app->is_bool() &&
                          in_app->as_bool() && lineno > 0 &&
                          int_of(f->find("colno")) <= static_cast<int64_t>(max_line_length_) &&
                          !minified_name(ref.path);
      ref.lineno = static_cast<size_t>(std::max<int64_t>(lineno, 0));
      if (ref.host) wants_lines[*ref.host] |= ref.wants_context;
      refs.push_back(std::move(ref));
    }
  }
  if (refs.empty()) return;

  std::unordered_map<std::string, std::shared_ptr<const SourceFile>> files;
  {
    std::lock_guard<std::mutex> lock(mu_);
    files_.begin_event();
    for (const auto& [host, lines] : wants_lines) files[host] = files_.get(host, lines);
  }

  // The logged error comes last and its throwing frame last in it: context goes backwards.
  size_t budget = kContextBudget;
  for (auto ref = refs.rbegin(); ref != refs.rend(); ++ref) {
    const SourceFile* file = ref->host ? files[*ref->host].get() : nullptr;
    if (file != nullptr && ref->wants_context && file->has_lines()) {
      add_context(*ref->frame, *file, ref->lineno, context_lines_, max_line_length_, budget);
    }
  }
  json::Array images;
  std::unordered_set<std::string> listed;  // code_file values already in images
  for (FrameRef& ref : refs) {
    const SourceFile* file = ref.host ? files[*ref.host].get() : nullptr;
    if (const std::optional<std::string> url = paths_.url(ref.path)) {
      for (const char* key : {"filename", "abs_path"}) {
        if (ref.frame->contains(key)) ref.frame->set(key, *url);
      }
    }
    if (file == nullptr || file->debug_id().empty()) continue;
    // The SDK's applyDebugMeta: code_file is the frame's abs_path (else filename) as sent.
    const json::Value* sent = ref.frame->find("abs_path");
    if (sent == nullptr || !sent->is_string()) sent = ref.frame->find("filename");
    if (!listed.insert(sent->as_string()).second) continue;
    json::Object image;
    image.set("type", "sourcemap");
    image.set("code_file", sent->as_string());
    image.set("debug_id", file->debug_id());
    images.push_back(std::move(image));
  }
  if (images.empty()) return;
  json::Value& meta = event["debug_meta"];
  if (!meta.is_object()) meta = json::Object();
  json::Value& list = meta.as_object()["images"];
  if (!list.is_array()) list = json::Array();
  for (json::Value& image : images) list.as_array().push_back(std::move(image));
}

}  // namespace faultline::sentry
