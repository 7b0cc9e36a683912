// A pino-serialized `err` value → the tree of errors it describes: each error's type, message,
// stack frames and other properties, its cause and its AggregateError children.
//
// Both shapes of pino-std-serializers 7 are read (docs: PINO-FORMAT.md §2):
//   - the default `err` serializer folds a cause chain into one object: `message` is
//     "outer: middle: inner" and `stack` is the stacks joined by "\ncaused by: ". Each segment
//     becomes a cause node (type and message from its "Name: message" header) and the folded
//     suffix is cut from the outer message when it is exactly ": middle: inner" (otherwise the
//     message is kept whole rather than guessed at). A cycle ends pino's output with ": ..." and
//     "causes have become circular..."; the chain then ends at the segment pino repeated.
//   - `stdSerializers.errWithCause` nests `cause` objects; each is read like the root.
// `aggregateErrors` entries become `errors` children. The type is `name` when pino logged one
// (a plain Error renamed "KnexTimeoutError" has type "Error", name "KnexTimeoutError"), else
// `type`. A value that is not error-like (a string, a number, an object without a string
// `message`) gives one node of type "Error" whose message is what @sentry/node would write for
// it ("something bad", "42", "Object captured as exception with keys: a, b"), with
// error_like = false so the caller can mark the event synthetic. A plain object with a string
// `message` (pino types it "Object") is read as an error but typed "Error" and not error-like
// either, as the SDK sends it.
//
// Properties keep every other key as logged (code, errno, statusCode, Buffer objects, dates,
// nested error-like objects), minus the ones the tree already carries: type, message, stack, a
// string name, a cause that became a node, an aggregateErrors array (kept whole when one of its
// entries is not error-like, so nothing is lost) and, next to it, the duplicate `errors` array.
//
// Nothing here fails: any JSON value gives a tree. Work is bounded for hostile input by
// max_errors and max_depth (what lies beyond is counted in `dropped`, not walked) and by the
// frame parser's own limits (v8_stack.h). Stateless; safe for concurrent use. The tree owns all
// its strings and does not refer to the input value.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "parsers/json.h"
#include "parsers/v8_stack.h"

namespace faultline {

struct ErrorNode {
  std::string type;                // never empty
  std::string message;             // may be empty
  std::vector<StackFrame> frames;  // oldest first; empty when the stack has no frames
  json::Object properties;         // other enumerable properties, as logged
  std::unique_ptr<ErrorNode> cause;
  std::vector<ErrorNode> errors;  // the error-like entries of aggregateErrors, in order
  size_t index = 0;               // in an `errors` child: its position in aggregateErrors
  bool exception_group = false;   // it had an aggregateErrors array (an AggregateError)
  bool error_like = true;         // false when `err` was not an error (see above)
};

struct ErrorTree {
  ErrorNode root;
  // The app root used for module names: StackOptions::app_root, or the one inferred from the
  // frames of every error in the tree together (empty when none could be), so that the same
  // file gets the same module name in an error and in its causes.
  std::string app_root;
  // Linked errors left out by max_errors / max_depth (at least this many: subtrees of a dropped
  // error are not walked).
  size_t dropped = 0;
};

struct PinoErrorOptions {
  StackOptions stack;
  // Nodes in the tree, root included. The Sentry builder keeps fewer (exception.h); this bound
  // only caps the work on hostile input such as thousands of aggregateErrors.
  size_t max_errors = 64;
  // Nesting of cause / aggregateErrors below the root.
  size_t max_depth = 32;
};

ErrorTree parse_pino_error(const json::Value& err, const PinoErrorOptions& options = {});

}  // namespace faultline
