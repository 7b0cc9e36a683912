// UTF-8 helpers for text that comes from log lines and must leave the host as valid JSON.
// Stateless functions; safe for concurrent use.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace faultline::utf8 {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when the bytes there are not one
// (overlong forms, surrogates and code points above U+10FFFF are invalid, as in RFC 3629).
size_t sequence_length(std::string_view s, size_t i);

bool is_valid(std::string_view s);

// Copies `s` to `out`, replacing each maximal invalid subsequence with U+FFFD.
void append_sanitized(std::string_view s, std::string& out);
std::string sanitized(std::string_view s);

// The longest prefix of `s` that is at most `max_bytes` long and does not cut a sequence.
std::string_view truncate(std::string_view s, size_t max_bytes);

}  // namespace faultline::utf8
