#include "agent/sentry/breadcrumbs.h"

#include <algorithm>

#include "parsers/pino_levels.h"
#include "parsers/record_access.h"
#include "parsers/record_fields.h"

namespace faultline::sentry {

namespace {

// Keys that are either pino's own or too big for a breadcrumb; the event has them elsewhere.
bool skipped_key(std::string_view key, const PinoFormat& f) {
  static constexpr std::string_view kSkip[] = {"pid", "hostname", "req",     "res",
                                               "err", "error",    "request", "response"};
  for (std::string_view k : kSkip) {
    if (key == k) return true;
  }
  for (const auto* keys : {&f.level_keys, &f.time_keys, &f.message_keys, &f.error_keys}) {
    if (std::find(keys->begin(), keys->end(), key) != keys->end()) return true;
  }
  return false;
}

json::Value breadcrumb(const json::Value& record, const PinoFormat& format) {
  json::Object crumb;
  if (auto t = record_time_us(record, format)) {
    crumb.set("timestamp", static_cast<double>(*t) / 1e6);
  }
  // A completion, as the correlator recognises one: pino-http's response time, or a request log
  // entry's status.
  const json::Value* status = first_of(record, format.status_keys);
  const json::Value* duration = first_of(record, format.response_time_keys);
  const bool completion =
      duration != nullptr || (status != nullptr && first_of(record, format.request_log_keys));
  json::Object data;
  if (completion) {
    crumb.set("type", "http");
    crumb.set("category", "http");
    const json::Value* req = first_of(record, format.request_keys);
    if (req != nullptr) {
      if (auto m = as_text(req->find("method"))) data.set("method", *m);
      if (auto u = as_text(req->find("url"))) data.set("url", *u);
    }
    if (status != nullptr && status->is_number()) data.set("status_code", *status);
    if (duration != nullptr) data.set("duration_ms", *duration);
  } else {
    crumb.set("type", "default");
    crumb.set("category", as_text(record.find("name")).value_or("log"));
    if (const json::Object* o = record.object()) {
      for (const json::Member& m : *o) {
        if (skipped_key(m.key, format) || m.value.is_object() || m.value.is_array()) continue;
        data.set(m.key, m.value);
      }
    }
  }
  if (auto level = record_level(record, format)) crumb.set("level", sentry_level(*level));
  if (auto msg = record_message(record, format)) crumb.set("message", *msg);
  if (!data.empty()) crumb.set("data", std::move(data));
  return crumb;
}

}  // namespace

json::Array breadcrumbs_from(const std::vector<KeptLine>& lines, const PinoFormat& format,
                             size_t max) {
  json::Array out;
  const size_t start = lines.size() > max ? lines.size() - max : 0;
  for (size_t i = start; i < lines.size(); ++i) {
    auto record = json::parse(lines[i].text);
    if (!record.ok() || !record->is_object()) {
      json::Object crumb;  // a kept line cut at max_record_bytes is still worth a mention
      crumb.set("type", "default");
      crumb.set("category", "log");
      crumb.set("message", "(log line too long to keep)");
      out.push_back(std::move(crumb));
      continue;
    }
    out.push_back(breadcrumb(*record, format));
  }
  return out;
}

}  // namespace faultline::sentry
