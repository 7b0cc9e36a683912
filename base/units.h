// Durations and byte sizes as written in the configuration ("5s", "250ms", "1.5m", "16KiB",
// "1MiB", "256MB"). Stateless; used by the config loader, never on the hot path.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faultline {

// "<number><unit>" with unit ms, s, m, h or d; the number may have a fraction. A bare 0 is allowed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
std::string format_duration(std::chrono::milliseconds d);

// "<number>[unit]" with unit B, KB, MB, GB (powers of 1000), KiB, MiB, GiB (powers of 1024), or
// the short forms K, M, G (powers of 1024). A bare number is bytes.
std::optional<uint64_t> parse_size(std::string_view text);
std::string format_size(uint64_t bytes);

}  // namespace faultline
