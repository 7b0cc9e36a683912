// Keeps an event within what Sentry accepts. Relay rejects an event item over 1 MiB whole (413,
// which faultline must then drop), and cuts messages at 8192 characters anyway; a log record can
// carry far more (a dumped request body, a huge `msg`). So, in order, until the event fits:
//   1. messages (logentry, exception values) longer than 8192 bytes are cut (always);
//   2. long strings in extra, contexts, request data and breadcrumbs are cut to 1 KiB;
//   3. breadcrumbs are dropped, oldest first;
//   4. extra and request.data are dropped.
// What was cut is said in extra.faultline_truncated. Stateless.
#pragma once

#include <cstddef>

#include "parsers/json.h"

namespace faultline::sentry {

inline constexpr size_t kMaxEventBytes = 900 * 1024;  // under Relay's 1 MiB, with envelope room
inline constexpr size_t kMaxMessageBytes = 8192;

// Returns true when something was cut or dropped.
bool fit_event(json::Value& event, size_t max_bytes = kMaxEventBytes);

}  // namespace faultline::sentry
