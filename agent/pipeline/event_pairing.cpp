#include "agent/pipeline/event_pairing.h"

#include <cmath>
#include <cstdlib>
#include <tuple>
#include <utility>

#include "agent/pipeline/plain_text.h"

namespace faultline {
namespace {

const json::Array* values_of(const json::Value& event) {
  const json::Value* values = event.find_path("exception.values");
  return values != nullptr && values->is_array() && !values->as_array().empty()
             ? &values->as_array()
             : nullptr;
}

std::string text_of(const json::Value* v) {
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

// The logged error's mechanism: the last exception value's.
const json::Value* mechanism_of(const json::Value& event) {
  const json::Array* values = values_of(event);
  return values != nullptr ? values->back().find("mechanism") : nullptr;
}

bool flag(const json::Value* mechanism, std::string_view key, bool absent) {
  const json::Value* v = mechanism != nullptr ? mechanism->find(key) : nullptr;
  return v != nullptr && v->is_bool() ? v->as_bool() : absent;
}

// Linked errors, then frames: what makes one report of a failure richer than another.
std::tuple<size_t, size_t> richness(const json::Value& event) {
  const json::Array* values = values_of(event);
  if (values == nullptr) return {0, 0};
  size_t frames = 0;
  for (const json::Value& v : *values) {
    const json::Value* f = v.find_path("stacktrace.frames");
    if (f != nullptr && f->is_array()) frames += f->as_array().size();
  }
  return {values->size(), frames};
}

json::Object& object_at(json::Object& parent, std::string_view key) {
  json::Value& v = parent[key];
  if (!v.is_object()) v = json::Object();
  return v.as_object();
}

}  // namespace

void merge_plain_event(json::Value& logged, const json::Value& plain) {
  json::Object* out = logged.object();
  if (out == nullptr || !plain.is_object()) return;
  const json::Value* plain_contexts = plain.find("contexts");
  const json::Value* logged_contexts = logged.find("contexts");
  // Contexts the dump has and the log has not: the properties of causes that pino's default
  // serializer dropped (contexts["DatabaseError (cause)"]), the runtime from "Node.js vX".
  bool adds_errors = false;
  if (plain_contexts != nullptr && plain_contexts->is_object()) {
    for (const json::Member& m : plain_contexts->as_object()) {
      const bool known = logged_contexts != nullptr && logged_contexts->find(m.key) != nullptr;
      if (!known && m.key != "runtime") adds_errors = true;
    }
  }
  const auto plain_rich = richness(plain);
  const auto logged_rich = richness(logged);
  const bool handled =
      flag(mechanism_of(logged), "handled", true) && flag(mechanism_of(plain), "handled", true);
  if (values_of(plain) != nullptr &&
      (plain_rich > logged_rich || (plain_rich == logged_rich && adds_errors))) {
    const json::Array* old_values = values_of(logged);
    const std::string old_value =
        old_values != nullptr ? text_of(old_values->back().find("value")) : std::string();
    out->set("exception", *plain.find("exception"));
    // A bare `logger.fatal('uncaught exception')` had only its message as the exception.
    const std::string new_value = text_of(values_of(logged)->back().find("value"));
    if (!out->contains("logentry") && !old_value.empty() && old_value != new_value) {
      json::Object logentry;
      logentry.set("formatted", old_value);
      out->set("logentry", std::move(logentry));
    }
  }
  if (plain_contexts != nullptr && plain_contexts->is_object()) {
    json::Object& contexts = object_at(*out, "contexts");
    for (const json::Member& m : plain_contexts->as_object()) {
      if (!contexts.contains(m.key)) contexts.set(m.key, m.value);
    }
  }
  const json::Value* plain_tags = plain.find("tags");
  if (const json::Value* code = plain_tags ? plain_tags->find("error.code") : nullptr) {
    json::Object& tags = object_at(*out, "tags");
    if (!tags.contains("error.code")) tags.set("error.code", *code);
  }
  if (text_of(plain.find("level")) == "fatal") out->set("level", "fatal");
  json::Value* values = out->find("exception") ? out->find("exception")->find("values") : nullptr;
  if (values != nullptr && values->is_array() && !values->as_array().empty()) {
    json::Value* mechanism = values->as_array().back().find("mechanism");
    if (mechanism != nullptr && mechanism->is_object()) {
      mechanism->as_object().set("handled", handled);
    }
  }
  if (const json::Value* note = plain.find_path("extra.faultline_plain_text")) {
    object_at(*out, "extra").set("faultline_plain_text", *note);
  }
}

EventPairing::EventPairing(int64_t window_us, Deliver deliver, Metrics& metrics)
    : window_us_(window_us), deliver_(std::move(deliver)), metrics_(metrics) {}

EventPairing::Held EventPairing::describe(sentry::Incident&& incident, json::Value&& event,
                                          int64_t now_us) const {
  Held h;
  h.offered_at_us = now_us;
  h.plain = is_plain_text_reason(incident.reason);
  h.crash = h.plain && incident.reason.ends_with("crash");
  if (const json::Value* t = event.find("timestamp"); t != nullptr && t->is_number()) {
    h.time_us = std::llround(t->as_double() * 1e6);
  }
  if (const json::Array* values = values_of(event)) {
    const json::Value& last = values->back();
    h.signature = text_of(last.find("type")) + "\n" + text_of(last.find("value"));
    const json::Value* mechanism = last.find("mechanism");
    h.uncaught = !flag(mechanism, "handled", true);
    h.synthetic = flag(mechanism, "synthetic", false);
  }
  h.incident = std::move(incident);
  h.event = std::move(event);
  return h;
}

bool EventPairing::pairs(const Held& a, const Held& b) const {
  if (a.paired || b.paired || a.plain == b.plain) return false;
  if (std::llabs(a.time_us - b.time_us) > window_us_) return false;
  const Held& plain = a.plain ? a : b;
  const Held& logged = a.plain ? b : a;
  if (!plain.signature.empty() && plain.signature == logged.signature) return true;
  return plain.crash && logged.uncaught && logged.synthetic;
}

void EventPairing::offer(sentry::Incident&& incident, json::Value&& event, int64_t now_us) {
  Held n = describe(std::move(incident), std::move(event), now_us);
  // A JSON event pairs only with a plain-text one: most of the time none waits.
  for (Held& e : held_) {
    if (!n.plain && waiting_plain_ == 0) break;
    if (!pairs(e, n)) continue;
    if (e.plain) --waiting_plain_;
    Held& plain = e.plain ? e : n;
    Held& logged = e.plain ? n : e;
    merge_plain_event(logged.event, plain.event);
    // The dump's lines are the event's too: an input keeps them until it is durable.
    if (plain.incident.source_id == logged.incident.source_id) {
      logged.incident.duplicates.push_back(
          sentry::KeptLine{"", plain.incident.error.offset, plain.incident.error.line, false});
    }
    if (&logged != &e) {  // the merged event takes the place of the one that came first
      e.incident = std::move(logged.incident);
      e.event = std::move(logged.event);
      e.plain = false;
    }
    e.paired = true;
    metrics_.plain_text_merged.add();
    release(now_us);
    return;
  }
  const bool waits = n.plain || n.uncaught;
  if (!waits && held_.empty()) {
    deliver_(std::move(n.incident), std::move(n.event), now_us);
    return;
  }
  // An event that does not wait still leaves behind those before it, never ahead.
  n.deadline_us = waits ? now_us + window_us_ : INT64_MIN;
  if (n.plain) ++waiting_plain_;
  held_.push_back(std::move(n));
  while (held_.size() > kMaxHeld) pop_front();
  release(now_us);
}

void EventPairing::advance(int64_t now_us) {
  release(now_us);
}

void EventPairing::flush() {
  while (!held_.empty()) pop_front();
}

void EventPairing::release(int64_t now_us) {
  while (!held_.empty() && (held_.front().paired || held_.front().deadline_us <= now_us)) {
    pop_front();
  }
}

void EventPairing::pop_front() {
  Held h = std::move(held_.front());
  held_.pop_front();
  if (h.plain && !h.paired) --waiting_plain_;
  deliver_(std::move(h.incident), std::move(h.event), h.offered_at_us);
}

std::optional<uint64_t> EventPairing::oldest(uint32_t source) const {
  std::optional<uint64_t> oldest;
  const auto see = [&oldest](uint64_t offset) {
    if (!oldest || offset < *oldest) oldest = offset;
  };
  for (const Held& h : held_) {
    if (h.incident.source_id != source) continue;
    see(h.incident.error.offset);
    for (const sentry::KeptLine& d : h.incident.duplicates) see(d.offset);
  }
  return oldest;
}

}  // namespace faultline
