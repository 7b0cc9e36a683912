// Which parts of a Sentry event scrubbing may touch: Relay's "PII flag" idea
// (SENTRY-PROTOCOL.md §6), as one table that docs/rules.md lists.
//
//   closed         never scrubbed, by anything: structural fields such as event_id, timestamp,
//                  level, release, environment, exception type, frame filename/function/lineno,
//                  trace ids, sdk. Writing such a path in a rule is a load-time error.
//   explicit-only  scrubbed only by a path that names it (not by key patterns or detectors):
//                  the User-Agent header (versions look like IPs).
//   open           everything else — message, exception value, source lines around a frame,
//                  request url/query/headers/cookies/data/env, breadcrumb message and data, tags,
//                  user, extra, contexts of error properties, fingerprint, transaction, and any
//                  key not listed.
//
// Separately, the table knows which objects are the event's own structure ("schema containers":
// the event itself, exception values, stack traces and frames, request, breadcrumbs, contexts,
// logentry). Their member names (`exception`, `url`, `value`, `data`, ...) are Sentry's field
// names, not data, so key patterns are not matched against them; every other object (extra,
// headers, cookies, request data, user, tags, each context table, breadcrumb data, frame vars,
// and anything the table does not know) holds data keys, which key patterns do match.
//
// The table is built once (a static) and is read-only afterwards; safe to share between threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/string_hash.h"
#include "rules/path.h"

namespace faultline::rules {

enum class Zone : uint8_t { kOpen, kExplicitOnly, kClosed };

class PiiTable {
 public:
  struct Node {
    std::unordered_map<std::string, std::unique_ptr<Node>, StringHash, std::equal_to<>> keys;
    std::unique_ptr<Node> any_index;  // every array element
    bool has_zone = false;
    Zone zone = Zone::kOpen;
    bool schema = false;  // member names are Sentry field names, not data keys
  };

  static const PiiTable& get();

  const Node* root() const { return root_.get(); }
  // The table node below `node` for an object member / array element; nullptr past the table.
  static const Node* child_key(const Node* node, std::string_view key);
  static const Node* child_index(const Node* node);
  // The zone of a child given its parent's zone and its own table node (nullable).
  static Zone zone_of(const Node* node, Zone parent) {
    return (node && node->has_zone) ? node->zone : parent;
  }

  // The zone of the place `path` names, following wildcards and indices like array elements.
  // Wildcards at a key step answer for the literal key "*", which the table never lists.
  Zone zone_of_path(const Path& path) const;

  // The table as "path: zone" lines, for docs and tests.
  std::string describe() const;

 private:
  PiiTable();
  Node* node_for(std::string_view path);
  std::unique_ptr<Node> root_;
  std::string described_;
};

}  // namespace faultline::rules
