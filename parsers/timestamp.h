// Log timestamps: pino's epoch milliseconds or seconds, and RFC 3339 strings with any number of
// fractional digits. Times are kept as microseconds since the Unix epoch. Stateless; no
// allocation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faultline {

// A numeric pino time: epoch milliseconds (epochTime) or, below 1e11, epoch seconds (unixTime;
// 1e11 seconds is the year 5138, 1e11 ms is 1973).
std::optional<int64_t> epoch_number_to_micros(double value);

// "2026-11-24T06:33:37.549479100Z", "2026-11-24 06:33:37+02:00", … → microseconds.
std::optional<int64_t> parse_rfc3339_micros(std::string_view text);

// Microseconds → "2026-11-24T06:33:37.549Z" (millisecond precision, UTC).
std::string format_rfc3339_millis(int64_t micros);

}  // namespace faultline
