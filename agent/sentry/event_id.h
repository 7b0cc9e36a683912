// Deterministic event ids: the same line of the same input always gives the same id, so an event
// re-sent after a crash or a replay is dropped by Sentry as a duplicate instead of counted twice.
// Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace faultline::sentry {

// 32 lowercase hex characters (a UUID without dashes, version nibble 4) derived with SHA-256
// from the source's identity, the line's offset and the line's bytes.
std::string event_id(std::string_view source_key, uint64_t offset, std::string_view line);

// A source's identity: a hash of its first line, so a renamed or copied log file (rotation)
// keeps the ids its events already had.
std::string source_key(std::string_view first_line);

}  // namespace faultline::sentry
