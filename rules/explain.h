// What each rule did to one event, for `faultline check --explain` and for tests: whether its
// `when:` held, what the action did (kept, dropped, sampled out, throttled, tags set, ...) and,
// for scrubs, the path of every rewritten field and why (the path, key pattern or detector that
// matched). An Explain never holds a secret: it records where and why, never the value — tags are
// listed by name, fingerprints by template, user ids by the key they came from.
//
// Filled by RuleEngine::apply(); a plain value owned by the caller. Not thread-safe.
#pragma once

#include <string>
#include <vector>

namespace faultline::rules {

struct ScrubbedField {
  std::string path;  // in the event, e.g. request.headers.authorization, extra.body<json>.password
  std::string reason;  // e.g. key pattern "authorization", path "req.headers.x-api-key", @email
};

struct RuleTrace {
  std::string rule;      // the rule's label, e.g. `preset secrets: sensitive keys and values`
  std::string action;    // scrub, drop, drop-body, tag, user, fingerprint, sample, throttle
  bool matched = false;  // its `when:` held (a rule without `when:` always matches)
  std::string outcome;   // e.g. "no match", "kept", "dropped: health check", "scrubbed 3 fields"
  std::vector<ScrubbedField> fields;
};

struct Explain {
  std::vector<RuleTrace> rules;
  std::string verdict;  // "kept" or "dropped by <rule>: <reason>"

  void clear() {
    rules.clear();
    verdict.clear();
  }
  // One line per rule, the scrubbed fields indented below their rule, the verdict last.
  // `only_matched` leaves out rules whose `when:` did not hold.
  std::string to_text(bool only_matched = false) const;
};

}  // namespace faultline::rules
