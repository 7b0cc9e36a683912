// The small actions: drop, drop-body, tag, user, fingerprint, sample. (scrub is in scrub.h,
// throttle in throttle.h.) Each is an immutable value built at load; apply functions touch only
// the event they are given and return what explain shows (never a value from the event).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "parsers/json.h"
#include "rules/path.h"
#include "rules/template.h"

namespace faultline::rules {

// drop: the event is not sent. `reason` is what the verdict and explain say.
struct DropAction {
  std::string reason;
};

// drop-body: removes the request body wherever the event carries it (kDropBodyPaths), for
// routes where bodies hold credentials or card data (login, payment, upload).
struct DropBodyAction {
  // Returns the paths removed, e.g. {"request.data", "extra.body"}.
  std::vector<std::string> apply(json::Value& event) const;
};
extern const std::vector<std::string_view> kDropBodyPaths;

// tag: sets tags from templates. Keys are checked at load (Sentry: at most 32 characters of
// [A-Za-z0-9_.:-]); values are cut to 200 bytes with newlines turned into spaces, and a value
// that renders empty is not set.
struct TagAction {
  std::vector<std::pair<std::string, Template>> tags;
  // Returns the names of the tags set.
  std::vector<std::string> apply(json::Value& event) const;
};
bool valid_tag_key(std::string_view key);

// user: sets user.id (only an id: internal ids, not emails or names) from the first of the
// configured paths that is present and a string or a number.
struct UserAction {
  std::vector<std::pair<std::string, std::vector<Path>>> id_paths;  // written text, resolved
  // Returns the written path the id came from, or "" when none was present.
  std::string apply(json::Value& event) const;
};

// fingerprint: sets the event's fingerprint to the rendered templates.
struct FingerprintAction {
  std::vector<Template> parts;
  void apply(json::Value& event) const;
};

// sample: keeps a fraction of events, decided by a hash of event_id so that every run (and a
// replay of the same input, whose event ids are deterministic) keeps the same ones.
struct SampleAction {
  double rate = 1.0;
  bool keep(const json::Value& event) const { return draw(event) < rate; }
  // A number in [0, 1) that depends only on the event id.
  static double draw(const json::Value& event);
};

}  // namespace faultline::rules
