// Read-only accessors for the Sentry event faultline builds, so that conditions, templates and
// the throttle key agree on where things are:
//   level        `level`
//   message      `message` (string, or its `formatted`/`message`), `logentry.formatted`,
//                `logentry.message`, and the value of the logged (last) exception
//   route        tags.route, else `transaction`
//   url path     the path of request.url (no scheme, host, query or fragment)
//   status       tags["http.status_code"] as a number
//   error type   the last exception's type (the error that was logged); the chain is every value
//   error code   tags["error.code"]
//   queue        tags.queue
// Stateless functions over an event the caller owns; views die with the event.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "parsers/json.h"

namespace faultline::rules::view {

std::optional<std::string_view> top_string(const json::Value& event, std::string_view key);
std::optional<std::string_view> tag(const json::Value& event, std::string_view key);
std::optional<std::string_view> route(const json::Value& event);
std::optional<std::string_view> url_path(const json::Value& event);
std::optional<int> status(const json::Value& event);
const json::Value* last_exception(const json::Value& event);
std::optional<std::string_view> error_type(const json::Value& event);
std::optional<std::string_view> error_value(const json::Value& event);
// Calls `fn` for each exception type, innermost first.
void for_each_error_type(const json::Value& event, const std::function<void(std::string_view)>& fn);
// Calls `fn` for each text that counts as "the message" (see the header comment).
void for_each_message(const json::Value& event, const std::function<void(std::string_view)>& fn);
// The value of an HTTP request header, looked up case-insensitively (object or [name, value]s).
std::optional<std::string_view> header(const json::Value& event, std::string_view name);

// debug 0, info 1, warning 2, error 3, fatal 4; also accepts "warn", "log" (info), "critical"
// (fatal); -1 for anything else.
int level_rank(std::string_view level);

// A scalar as text: strings as they are, numbers in JSON form, true/false, null; objects and
// arrays as compact JSON.
std::string scalar_text(const json::Value& v);

// What "the same error" means when no rule set a fingerprint: the logged exception's type and
// its top in-app frame (function and file), or, without a stack, its type and value; the message
// for events without an exception. With a fingerprint, the fingerprint.
std::string group_key(const json::Value& event);

}  // namespace faultline::rules::view
