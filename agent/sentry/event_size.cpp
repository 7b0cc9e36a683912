#include "agent/sentry/event_size.h"

#include <algorithm>
#include <string>
#include <vector>

#include "parsers/utf8.h"

namespace faultline::sentry {

namespace {

constexpr char kEllipsis[] = "\xE2\x80\xA6";  // …

bool cut(std::string& s, size_t max) {
  if (s.size() <= max) return false;
  s.resize(utf8::truncate(s, max).size());
  s += kEllipsis;
  return true;
}

// Cuts every string below `v` to `max` bytes; returns how many were cut.
size_t cut_strings(json::Value& v, size_t max) {
  if (v.is_string()) return cut(v.as_string(), max) ? 1 : 0;
  size_t n = 0;
  if (json::Object* o = v.object()) {
    for (json::Member& m : *o) n += cut_strings(m.value, max);
  } else if (v.is_array()) {
    for (json::Value& item : v.as_array()) n += cut_strings(item, max);
  }
  return n;
}

size_t size_of(const json::Value& v) {
  std::string out;
  json::write(v, out);
  return out.size();
}

// An upper bound of the serialized size that costs no serialization: every string byte at its
// worst escape (\u00XX, six bytes), every number at 24 characters (a BigInt at its digits). Nearly
// every event is far below the limit by this bound, and is then not serialized here at all.
size_t size_bound(const json::Value& v) {
  switch (v.type()) {
    case json::Value::Type::kString:
      return 2 + 6 * v.as_string().size();
    case json::Value::Type::kBigInt:
      return v.as_big_int().digits.size();
    case json::Value::Type::kArray: {
      size_t n = 2;
      for (const json::Value& item : v.as_array()) n += 1 + size_bound(item);
      return n;
    }
    case json::Value::Type::kObject: {
      size_t n = 2;
      for (const json::Member& m : v.as_object()) n += 4 + 6 * m.key.size() + size_bound(m.value);
      return n;
    }
    default:
      return 24;
  }
}

bool too_big(const json::Value& v, size_t max_bytes) {
  return size_bound(v) > max_bytes && size_of(v) > max_bytes;
}

// The steps that shrink an event that does not fit, in order, until it does.
void shrink(json::Value& event, size_t max_bytes, std::vector<std::string>& done) {
  json::Object& e = event.as_object();
  if (too_big(event, max_bytes)) {
    size_t n = 0;
    for (const char* key : {"extra", "contexts", "breadcrumbs"}) {
      if (json::Value* v = e.find(key)) n += cut_strings(*v, 1024);
    }
    if (json::Value* request = e.find("request"); request && request->find("data")) {
      n += cut_strings(*request->find("data"), 1024);
    }
    if (n > 0) done.push_back("long strings cut to 1 KiB");
  }
  if (too_big(event, max_bytes)) {
    if (json::Value* crumbs = event.find("breadcrumbs")) {
      if (json::Value* values = crumbs->find("values"); values && values->is_array()) {
        auto& list = values->as_array();
        // Each crumb is measured once; the event's size is not recomputed per crumb.
        size_t total = size_of(event);
        size_t dropped = 0;
        while (!list.empty() && total > max_bytes) {
          total -= std::min(total, size_of(list.front()) + 1);
          list.erase(list.begin());
          ++dropped;
        }
        if (dropped > 0) done.push_back(std::to_string(dropped) + " breadcrumbs dropped");
      }
    }
  }
  if (too_big(event, max_bytes)) {
    if (json::Value* request = e.find("request"); request && request->object()) {
      if (request->as_object().erase("data")) done.push_back("request body dropped");
    }
    if (e.erase("extra")) done.push_back("extra dropped");
  }
}

}  // namespace

bool fit_event(json::Value& event, size_t max_bytes) {
  json::Object& e = event.as_object();
  std::vector<std::string> done;

  size_t messages = 0;
  json::Value* logentry = event.find("logentry");
  if (json::Value* formatted = logentry ? logentry->find("formatted") : nullptr;
      formatted && formatted->is_string()) {
    messages += cut(formatted->as_string(), kMaxMessageBytes) ? 1 : 0;
  }
  if (json::Value* values =
          event.find("exception") ? event.find("exception")->find("values") : nullptr;
      values && values->is_array()) {
    for (json::Value& ex : values->as_array()) {
      if (json::Value* value = ex.find("value"); value && value->is_string()) {
        messages += cut(value->as_string(), kMaxMessageBytes) ? 1 : 0;
      }
    }
  }
  if (messages > 0) done.push_back("messages cut to 8192 bytes");
  // Nearly every event is far below the limit by a bound that costs no serialization.
  if (size_bound(event) > max_bytes) shrink(event, max_bytes, done);
  if (done.empty()) return false;
  std::string what;
  for (const std::string& d : done) what += (what.empty() ? "" : "; ") + d;
  json::Value& extra = e["extra"];
  if (!extra.is_object()) extra = json::Object();
  extra.as_object().set("faultline_truncated", what + " (Sentry accepts events up to 1 MiB)");
  return true;
}

}  // namespace faultline::sentry
