// Small helpers for reading a parsed log record (a json::Object) by the configured key lists.
// Stateless; used only on the event path.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/json.h"
#include "parsers/pino_record.h"

namespace faultline {

// The value at the first of `paths` (dotted) that is present and not null, or nullptr.
const json::Value* first_of(const json::Value& record, const std::vector<std::string>& paths);

// `keys`, then each of them under pino's nestedKey (the call's own fields move there).
std::vector<std::string> with_nested(const std::vector<std::string>& keys,
                                     const std::string& nested_key);

// The logged error: the first of the error keys (then under nestedKey) that holds something.
// An empty object is nothing: it is what pino writes for an Error logged under a key its
// serializers do not know (`{ error: err }` with errorKey `err`), since an Error's own
// properties are not enumerable.
const json::Value* find_error(const json::Value& record, const PinoFormat& format);

// A string, or a number written as JSON writes it (request ids and user ids are often numbers).
std::optional<std::string> as_text(const json::Value* v);

// A string as it is, anything else as JSON; "" for nullptr.
std::string text_or_json(const json::Value* v);

// Removes the value at a path (dotted, or with bracketed keys); removes nothing when any step is
// missing.
void erase_path(json::Value& record, std::string_view dotted);

// pino-http's stand-in error when Express answered 5xx without telling it why
// (pinojs/pino-http#61): "failed with status code N", thrown inside pino-http. It says nothing
// about the failure, only about the status. (A stack elsewhere means the app threw it itself.)
bool is_status_placeholder(const json::Value& err);

// Sentry tag values: at most 200 characters, no newlines.
std::string tag_value(std::string_view s);

}  // namespace faultline
