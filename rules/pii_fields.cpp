#include "rules/pii_fields.h"

#include <cassert>
#include <utility>

namespace faultline::rules {

namespace {

struct Entry {
  std::string_view path;
  Zone zone;
};

// Keep in sync with docs/rules.md ("What scrubbing never touches").
constexpr Entry kTable[] = {
    // Identity, time, routing of the event.
    {"event_id", Zone::kClosed},
    {"timestamp", Zone::kClosed},
    {"start_timestamp", Zone::kClosed},
    {"received", Zone::kClosed},
    {"sent_at", Zone::kClosed},
    {"platform", Zone::kClosed},
    {"level", Zone::kClosed},
    {"logger", Zone::kClosed},
    {"server_name", Zone::kClosed},
    {"release", Zone::kClosed},
    {"dist", Zone::kClosed},
    {"environment", Zone::kClosed},
    {"type", Zone::kClosed},
    {"sdk", Zone::kClosed},
    {"modules", Zone::kClosed},
    {"debug_meta", Zone::kClosed},
    {"errors", Zone::kClosed},
    {"threads", Zone::kClosed},
    // Exceptions: the type and the stack are structure; the value (the message) is not.
    {"exception.values[*].type", Zone::kClosed},
    {"exception.values[*].module", Zone::kClosed},
    {"exception.values[*].thread_id", Zone::kClosed},
    {"exception.values[*].mechanism", Zone::kClosed},
    {"exception.values[*].stacktrace.registers", Zone::kClosed},
    {"exception.values[*].stacktrace.frames_omitted", Zone::kClosed},
    {"exception.values[*].stacktrace.frames[*].filename", Zone::kClosed},
    {"exception.values[*].stacktrace.frames[*].abs_path", Zone::kClosed},
    {"exception.values[*].stacktrace.frames[*].function", Zone::kClosed},
    {"exception.values[*].stacktrace.frames[*].raw_function", Zone::kClosed},
    {"exception.values[*].stacktrace.frames[*].module", Zone::kClosed},
    {"exception.values[*].stacktrace.frames[*].package", Zone::kClosed},
    {"exception.values[*].stacktrace.frames[*].symbol", Zone::kClosed},
    {"exception.values[*].stacktrace.frames[*].lineno", Zone::kClosed},
    {"exception.values[*].stacktrace.frames[*].colno", Zone::kClosed},
    {"exception.values[*].stacktrace.frames[*].in_app", Zone::kClosed},
    {"exception.values[*].stacktrace.frames[*].platform", Zone::kClosed},
    {"exception.values[*].stacktrace.frames[*].instruction_addr", Zone::kClosed},
    // Source lines around a frame (context_line, pre_context, post_context) stay open, unlike
    // Relay's "maybe": faultline reads them from the app's files, and a key hard-coded in source
    // is as much a secret as one in a log line.
    // Contexts the SDK protocol defines; error property tables (contexts.<ErrorType>) stay open.
    {"contexts.trace", Zone::kClosed},
    {"contexts.runtime", Zone::kClosed},
    {"contexts.os", Zone::kClosed},
    {"contexts.app", Zone::kClosed},
    {"contexts.device", Zone::kClosed},
    {"contexts.culture", Zone::kClosed},
    {"contexts.cloud_resource", Zone::kClosed},
    // Breadcrumbs: message and data are open.
    {"breadcrumbs.values[*].timestamp", Zone::kClosed},
    {"breadcrumbs.values[*].type", Zone::kClosed},
    {"breadcrumbs.values[*].category", Zone::kClosed},
    {"breadcrumbs.values[*].level", Zone::kClosed},
    // Request: everything but the method is open; user agents carry versions that look like IPs.
    {"request.method", Zone::kClosed},
    {"request.headers[\"user-agent\"]", Zone::kExplicitOnly},
    {"request.headers[\"User-Agent\"]", Zone::kExplicitOnly},
    // Tags that only restate structural fields.
    {"tags.level", Zone::kClosed},
    {"tags.logger", Zone::kClosed},
    {"tags[\"http.method\"]", Zone::kClosed},
    {"tags[\"http.status_code\"]", Zone::kClosed},
    {"tags.environment", Zone::kClosed},
    {"tags.release", Zone::kClosed},
    {"tags.dist", Zone::kClosed},
};

// Objects whose member names are Sentry's own field names ("" is the event itself).
constexpr std::string_view kSchemaContainers[] = {
    "",
    "exception",
    "exception.values[*]",
    "exception.values[*].stacktrace",
    "exception.values[*].stacktrace.frames[*]",
    "request",
    "breadcrumbs",
    "breadcrumbs.values[*]",
    "contexts",
    "logentry",
    "message",
};

std::string_view zone_name(Zone z) {
  switch (z) {
    case Zone::kOpen:
      return "open";
    case Zone::kExplicitOnly:
      return "explicit-only";
    case Zone::kClosed:
      return "closed";
  }
  return "?";
}

}  // namespace

PiiTable::PiiTable() : root_(std::make_unique<Node>()) {
  for (const Entry& e : kTable) {
    Node* n = node_for(e.path);
    n->has_zone = true;
    n->zone = e.zone;
    described_ += std::string(e.path) + ": " + std::string(zone_name(e.zone)) + "\n";
  }
  for (std::string_view path : kSchemaContainers) {
    node_for(path)->schema = true;
    described_ +=
        (path.empty() ? std::string("(the event)") : std::string(path)) + ": Sentry field names\n";
  }
}

const PiiTable& PiiTable::get() {
  static const PiiTable table;
  return table;
}

PiiTable::Node* PiiTable::node_for(std::string_view text) {
  Node* n = root_.get();
  if (text.empty()) return n;
  Result<Path> path = parse_path(text);
  assert(path.ok());
  for (const PathSegment& s : *path) {
    std::unique_ptr<Node>& slot = s.kind == PathSegment::Kind::kKey ? n->keys[s.key] : n->any_index;
    if (!slot) slot = std::make_unique<Node>();
    n = slot.get();
  }
  return n;
}

const PiiTable::Node* PiiTable::child_key(const Node* node, std::string_view key) {
  if (!node) return nullptr;
  auto it = node->keys.find(key);
  return it == node->keys.end() ? nullptr : it->second.get();
}

const PiiTable::Node* PiiTable::child_index(const Node* node) {
  return node ? node->any_index.get() : nullptr;
}

Zone PiiTable::zone_of_path(const Path& path) const {
  const Node* n = root_.get();
  Zone zone = Zone::kOpen;
  for (const PathSegment& s : path) {
    if (s.kind == PathSegment::Kind::kKey) {
      const Node* by_key = child_key(n, s.key);
      const bool digits =
          !s.key.empty() && s.key.find_first_not_of("0123456789") == std::string::npos;
      n = (!by_key && digits) ? child_index(n) : by_key;
    } else if (s.kind == PathSegment::Kind::kIndex) {
      n = child_index(n);
    } else {
      // A wildcard may stand for an object key or an array index; the table uses [*] only where
      // the value is an array, so follow that.
      n = child_index(n);
    }
    zone = zone_of(n, zone);
    if (zone == Zone::kClosed) return zone;
  }
  return zone;
}

std::string PiiTable::describe() const {
  return described_;
}

}  // namespace faultline::rules
