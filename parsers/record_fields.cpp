#include "parsers/record_fields.h"

#include "parsers/record_access.h"
#include "parsers/timestamp.h"

namespace faultline {

std::optional<int> record_level(const json::Value& record, const PinoFormat& format) {
  for (const std::string& key : format.level_keys) {
    const json::Value* v = record.find_path(key);
    if (v != nullptr && v->is_number()) {
      const double d = v->as_double();
      if (d > -1e9 && d < 1e9) return static_cast<int>(d);  // no cast of what int cannot hold
    }
  }
  for (const std::string& key : format.level_keys) {
    const json::Value* v = record.find_path(key);
    if (v != nullptr && v->is_string()) return format.levels.number(v->as_string());
  }
  return std::nullopt;
}

std::optional<int64_t> record_time_us(const json::Value& record, const PinoFormat& format) {
  const json::Value* t = first_of(record, format.time_keys);
  if (t == nullptr) return std::nullopt;
  if (t->is_number()) return epoch_number_to_micros(t->as_double());
  if (t->is_string()) return parse_rfc3339_micros(t->as_string());
  return std::nullopt;
}

std::optional<std::string> record_message(const json::Value& record, const PinoFormat& format) {
  for (const std::string& key : format.message_keys) {
    const json::Value* v = record.find_path(key);
    if (v != nullptr && (v->is_string() || v->is_number())) return as_text(v);
  }
  return std::nullopt;
}

}  // namespace faultline
