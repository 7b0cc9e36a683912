// The error tree of one log record (parsers/pino_error.h) → the `exception.values` array of a
// Sentry event, numbered and ordered exactly as @sentry/core's linkedErrors and aggregateErrors
// integrations do (utils/aggregate-errors.ts, 11.12.0):
//   - depth first from the logged error: its cause chain first, then each aggregateErrors child
//     (and that child's own causes and children) in order;
//   - each error gets exception_id = the number of errors listed before it, so the logged error
//     is 0; the list is then reversed, so the innermost error comes first and the logged error
//     last, as the protocol wants;
//   - a linked error's mechanism is {handled: true, type: "chained", source: "cause" or
//     "errors[i]", exception_id, parent_id}; a parent gains exception_id, and
//     is_exception_group when it is an AggregateError;
//   - the logged error's mechanism is {type, handled, synthetic?} from the options.
// Frames become stacktrace.frames (oldest first), with stacktrace omitted when an error has
// none, as Relay rejects an empty frame list.
//
// Limit: the SDK links at most 5 errors (6 values). faultline links up to max_linked = 10 by
// default: it exists to report every failure, and the cause that explains a failure is often the
// deepest one (the ECONNREFUSED under "export failed: query failed"). Errors past the limit are
// left out in the SDK's order (the deepest and last ones go first) and counted in `dropped`.
//
// Error properties (code, errno, statusCode, custom fields) are not put in the mechanism: the SDK
// has them in contexts[<error name>] (extraErrorDataIntegration), so `contexts` returns one
// entry per listed error that has any, for the event builder to merge into event.contexts. The
// logged error's key is its type ("KnexTimeoutError"); a linked error's key adds its path from
// the logged error ("Error (cause)", "TypeError (errors[1].cause)"), and " #<exception_id>"
// if that is still taken.
//
// Functions of their arguments alone; safe for concurrent use. Results own their data.
#pragma once

#include <cstddef>
#include <string>

#include "parsers/json.h"
#include "parsers/pino_error.h"

namespace faultline::sentry {

struct ExceptionOptions {
  std::string mechanism_type = "faultline";  // the pino integration of @sentry/node uses
                                             // "auto.log.pino", Node's uncaught handler
                                             // "auto.node.onuncaughtexception"
  bool handled = true;
  // Sentry ignores the type and value of a synthetic exception when grouping. The SDK sets it
  // when something other than an Error was captured (ErrorNode::error_like false); without a
  // stack such an event would have nothing left to group by, so it is the caller's choice.
  bool synthetic = false;
  size_t max_linked = 10;  // linked errors after the logged one
};

struct ExceptionList {
  json::Array values;     // exception.values, innermost first, the logged error last
  json::Object contexts;  // error name → its properties, for event.contexts
  size_t dropped = 0;     // linked errors left out by max_linked
};

// Takes the strings, frames and properties of `root`'s errors (its tree is left hollow).
ExceptionList exception_values(ErrorNode&& root, const ExceptionOptions& options = {});

// One frame as Sentry wants it: filename, abs_path, module, function, lineno, colno, in_app,
// each present only when known.
json::Object frame_json(StackFrame frame);

}  // namespace faultline::sentry
