// V8 stack text (Node's `err.stack`) → Sentry stack frames, built the way @sentry/node 11.12.0
// builds them, so an event from a log line groups with one the app's own SDK would have sent.
//
// parse_v8_frames() reproduces createStackParser(nodeStackLineParser(createGetModuleFromFilename))
// of @sentry/core and @sentry/node field by field (function, module, filename, lineno, colno,
// in_app), including the SDK's quirks: a line containing "Error: " is never a frame, a
// `native` frame borrows the filename of the frame that threw, "?" stands for a missing
// function, and Sentry's own captureException/sentryWrapped frames are dropped. The deliberate
// differences, each checked by the parity test (tests/peers/, docs/stack-parsing.md):
//   - only lines that start with whitespace and "at " are frames, so a message continuation line
//     ("look at this thing") or a "----" separator is never a frame;
//   - the first line is skipped as the SDK skips it (it is the "TypeError: boom" header), unless
//     it is itself a frame line, as in a stack whose header was cut off;
//   - line and column numbers above INT_MAX are treated as absent;
//   - a surrogate pair cut by the 1024-unit limit is dropped whole (JavaScript keeps half).
//
// Module names need the app's root directory, which the SDK takes from dirname(process.argv[1])
// and a log reader cannot know. StackOptions::app_root supplies it; when it is empty the root is
// inferred as the deepest directory that contains every in-app frame with an absolute path (not
// under node_modules; the filesystem root never counts). That choice is deterministic, does not
// depend on frame order, and for the usual layout where the entry script sits next to the code
// it calls (/srv/app/app.js, /srv/app/routes/x.js) it equals the SDK's base; the directory of
// the outermost in-app frame would instead often be a route handler's, since Express stacks end
// in node_modules/router. It is not stable across events when the frames of one event all sit in
// a subdirectory, and Sentry groups JavaScript frames by module, so configure app_root for
// stable grouping. When the root (given or inferred) is a Windows path ("C:\app"), or there is no
// root and the path itself is one, paths are normalized as the SDK does on Windows (drive letter
// dropped, '\' → '/').
//
// Work is bounded: each line is cut to 1024 UTF-16 code units as in the SDK, a line is matched
// in O(n log n) even where the SDK's backtracking regex would be quadratic, and parsing stops
// after max_frames frames, so a hostile 10 MB stack costs one scan.
//
// Stateless functions; safe for concurrent use. Results own their strings.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace faultline {

struct StackFrame {
  std::string function;        // never empty: "?" when V8 printed none, "Type.?" for <anonymous>
  std::string module;          // empty when the SDK would send none
  std::string filename;        // empty when the SDK would send none
  std::string abs_path;        // = filename, which is what Relay fills in when abs_path is missing
  int lineno = 0;              // 1-based; 0 = absent
  int colno = 0;               // 1-based; 0 = absent
  std::optional<bool> in_app;  // absent only for data: URI frames, as in the SDK
};

struct StackOptions {
  // dirname of the app's entry script ("/srv/app"). Trailing separators are ignored, so "/"
  // means "no app root" (every in-app module is then a bare file name); empty = infer.
  std::string app_root;
  // The SDK keeps the 50 most recent frames of each error.
  size_t max_frames = 50;
};

// Frames of one error's stack, oldest first (the last frame threw). `stack` is the whole
// `err.stack` text, header included; for pino's folded stacks pass one "caused by: " segment.
std::vector<StackFrame> parse_v8_frames(std::string_view stack, const StackOptions& options = {});

// parse_v8_frames() for the stacks of one error and its causes, each parsed once: with
// options.app_root empty, the module names of all of them come from the root inferred from their
// in-app frames together, as infer_app_root() infers it but from the frames kept (max_frames), so
// that a file gets the same module name in an error and in its causes. `root` (nullable) receives
// the root used: options.app_root as given, or the inferred one (empty when none).
std::vector<std::vector<StackFrame>> parse_v8_stacks(std::span<const std::string_view> stacks,
                                                     const StackOptions& options,
                                                     std::string* root = nullptr);

// The app root that parse_v8_frames() would infer from the in-app frames of all `stacks` together
// (empty when none has an absolute in-app path). Inferring once per event keeps the module names
// of an error and of its causes consistent.
std::string infer_app_root(std::span<const std::string_view> stacks);

// The SDK's module name for an already-decoded filename: "router.lib:layer" under node_modules,
// "routes:orders" under `app_root`, else the bare file name without .js/.mjs/.cjs. Empty
// `app_root` = no app-root rule.
std::string module_from_filename(std::string_view filename, std::string_view app_root);

// The header of a stack: the lines before the first frame line. "TypeError: boom" gives type
// "TypeError", message "boom"; a multi-line message keeps its newlines; "AggregateError" alone
// gives an empty message; Node's "Error [ERR_X]: msg" gives type "Error" and code "ERR_X". A
// header with no ": " that is not a bare name is all message, and type stays empty.
struct StackHeader {
  std::string type;
  std::string message;
  std::string code;
};
StackHeader parse_stack_header(std::string_view stack);

// Whether `line` is a frame line: whitespace, then "at ". Lines that are not are never frames.
bool is_frame_line(std::string_view line);

}  // namespace faultline
