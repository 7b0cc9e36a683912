// Pino's own fields of a parsed record (level, time, message), read with the same rules as the
// hot path (pino_record.h) so an event never disagrees with the detector about a line. Stateless.
#pragma once

#include <optional>
#include <string>

#include "parsers/json.h"
#include "parsers/pino_record.h"

namespace faultline {

// A number in any level key beats a label; labels go through the format's level table.
std::optional<int> record_level(const json::Value& record, const PinoFormat& format);
std::optional<int64_t> record_time_us(const json::Value& record, const PinoFormat& format);
std::optional<std::string> record_message(const json::Value& record, const PinoFormat& format);

}  // namespace faultline
