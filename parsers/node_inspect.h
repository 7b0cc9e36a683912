// Node's util.inspect() of an Error — what console.error(err), Express's default error handler and
// Node's fatal exception report print — read back into the error it describes, shaped as
// pino-std-serializers' errWithCause would have logged it:
//
//   {"type", "message", "stack", <own properties>, "cause": {…}, "aggregateErrors": […]}
//
// so that parse_pino_error() (pino_error.h) turns it into the same ErrorTree, and the event
// builder puts its properties where it puts a JSON record's (docs/sources.md, "Plain-text errors").
//
// What is read (Node 18–24 output):
//   - the header "TypeError: msg", with a message over several lines before the first frame;
//     "Error [ERR_X]: msg" (Node's internal errors: code ERR_X) and "Foo [Bar]: msg" (constructor
//     Foo, name Bar); "[AggregateError: msg]" for an error whose stack has no frames; "<ref *1>";
//   - its "    at …" frames, the trailing " {" of the last one dropped; Node's
//     "... N lines matching cause stack trace ..." line is replaced by the N frames of the cause
//     it stands for (util.inspect's identicalSequenceRange() run backwards), and the frames after
//     "Emitted 'error' event on … at:" (added for the report, not in err.stack) are left out;
//   - the property block "{ code: 'E_X', statusCode: 402, … }": strings (any quote, escapes, the
//     "'a' +\n 'b'" splits), numbers, booleans, null, objects, arrays, nested errors, dates;
//     undefined, functions, classes and symbols are left out as JSON.stringify leaves them out;
//     Buffers become {"type":"Buffer","data":[…]}, Maps and Sets {} (as pino logs them); what is
//     not understood is kept as its text;
//   - "[cause]: …" (an error, or any value, which then stays the property `cause`) and
//     "[errors]: […]" (AggregateError's errors).
//
// The text starts at the header (column 0 of its first line); nested errors are indented as
// util.inspect indents them. Work is bounded: nesting deeper than max_depth and errors past
// max_errors are kept as text, never walked. Stateless; safe for concurrent use. The result owns
// its strings.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "parsers/json.h"

namespace faultline {

struct InspectOptions {
  size_t max_depth = 32;          // nested objects, arrays and errors
  size_t max_errors = 64;         // errors in one dump (causes and aggregated errors)
  size_t max_message_lines = 64;  // lines of a message before its first frame
};

struct InspectedError {
  json::Value err;        // an object in the shape above
  size_t consumed = 0;    // bytes of the text that belong to the error
  bool closed = true;     // false: the text ended inside the property block (a cut dump)
  size_t elisions = 0;    // "lines matching cause stack trace" lines restored
  size_t unreadable = 0;  // values kept as their text because they were not understood
};

// nullopt when the text does not start with an error header followed by frames, or with a
// bracketed header ("[Error: msg]"), possibly followed by a property block.
std::optional<InspectedError> parse_inspected_error(std::string_view text,
                                                    const InspectOptions& options = {});

// Whether `line` is a line of Node's stack elision: "    ... 5 lines matching cause stack trace
// ...".
bool is_elision_line(std::string_view line);

}  // namespace faultline
