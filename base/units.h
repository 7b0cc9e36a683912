// Durations and byte sizes as written in the configuration and in rules ("5s", "250ms", "1.5m",
// "16KiB", "1MiB", "256MB"): the one grammar of each, used by every key that takes one.
// Stateless; used while loading, never on the hot path.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faultline {

// "<number><unit>" with unit ms, s, m (or min), h or d; the number may have a fraction ("1.5m").
// A bare number is not a duration (seconds or milliseconds?), except 0, which is the same in
// every unit.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
// For a bare number such as "30": "write 30s or 30ms", the hint an error message adds; else "".
std::string duration_hint(std::string_view text);
std::string format_duration(std::chrono::milliseconds d);

// "<number>[unit]" with unit B, KB, MB, GB (powers of 1000), KiB, MiB, GiB (powers of 1024), or
// the short forms K, M, G (powers of 1024). A bare number is bytes.
std::optional<uint64_t> parse_size(std::string_view text);
std::string format_size(uint64_t bytes);

}  // namespace faultline
