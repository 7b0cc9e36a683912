// The `scrub` action: rewrites secrets wherever they appear in a Sentry event, in one walk.
//
// Three ways to find them, any mix in one scrub:
//   paths      pino redact syntax (rules/path.h), compiled into a trie walked with the event;
//   keys       RE2 patterns matched case-insensitively against every object key (anywhere), and
//              against the name next to a value: [name, value] pairs, a flat rawHeaders list
//              (name, value, name, value...), {name|key, value} objects, a command-line option
//              and its argument (["--token", "v"]), and `name=value` / `"name": "value"` /
//              `name: value` pairs inside strings (query strings, cookie headers, cut-off JSON,
//              its escaped form);
//   detectors  value detectors (rules/value_detectors.h) run over every string and data key.
// A path or key match rewrites the whole value (objects and arrays included); a detector or a pair
// inside a text rewrites just that part; a data key with a detector match is renamed ("[email]",
// "[email]#2": keys stay unique). A string that holds a JSON object or array, or a JSON string of
// one, is parsed (within size and depth bounds), scrubbed like the rest of the event, and written
// back only when something changed.
//
// What is never touched is decided by the PII table (rules/pii_fields.h): structural fields are
// closed, a few are explicit-only. null, booleans, "" and already-censored strings ("[Redacted]",
// "[Filtered]") are left as they are.
//
// Built once at load (ScrubBuilder), then immutable; apply() is const and may run on any thread
// (each call touches only the event it is given). The regexes only some strings need (the one
// finding name/value pairs in text, each built-in detector's own) are compiled on first use, once
// per process, and shared by every scrub.
#pragma once

#include <re2/re2.h>
#include <re2/set.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/status.h"
#include "base/string_hash.h"
#include "parsers/json.h"
#include "rules/explain.h"
#include "rules/path.h"
#include "rules/redaction.h"
#include "rules/value_detectors.h"

namespace faultline::rules {

// What one ScrubAction's key patterns and detectors made of each short key and text it met,
// remembered from one event to the next: keys and many values repeat (header names and values,
// the record's own fields, messages), and matching them again was most of the work of a scrub.
// Only what holds no secret is remembered. Bounded: it starts over when full. Belongs to one
// caller and one ScrubAction (a RuleEngine keeps one per scrub rule); not thread-safe.
class ScrubMemo {
 public:
  size_t size() const { return entries_.size(); }  // keys remembered

 private:
  friend class ScrubWalker;
  static constexpr size_t kMaxEntries = 1024;
  static constexpr size_t kMaxBytes = 128;
  static constexpr int kUnknown = -2;
  struct Entry {
    int key_pattern = kUnknown;  // match_key()'s answer: the first pattern matched, -1 none
    bool plain = false;          // no detector finds anything in it
    bool quiet = false;          // as a text value, nothing in it is scrubbed (pairs included)
  };
  // The entry of `text`, added when absent and `add`; null for a text too long to remember.
  // Valid until the next call.
  Entry* entry(std::string_view text, bool add = true);
  std::unordered_map<std::string, Entry, StringHash, std::equal_to<>> entries_;
};

class ScrubAction {
 public:
  ScrubAction();
  ~ScrubAction();
  ScrubAction(ScrubAction&&) noexcept;
  ScrubAction& operator=(ScrubAction&&) noexcept;

  // Rewrites `event` in place. Returns the number of fields changed; when `report` is not null,
  // appends one entry per changed field (path and reason, never the value).
  //
  // `rewritten` (nullable) carries, from one scrub to the next on the same event, the values that
  // earlier scrubs wrote over whole fields: a later scrub leaves a field holding one of them
  // alone, so a user's `keep-last: 4` on a card number is not masked again by the secrets preset.
  // This scrub adds its own whole-field outputs to it.
  //
  // `memo` (nullable) is the caller's ScrubMemo for this action, used and filled by this scrub.
  size_t apply(json::Value& event, std::vector<ScrubbedField>* report,
               std::unordered_set<std::string>* rewritten = nullptr,
               ScrubMemo* memo = nullptr) const;

  const Method& method() const { return method_; }
  // False for a scrub made only of paths: it need not look at every value.
  bool scans_values() const { return keys_ != nullptr || !detectors_.empty(); }

 private:
  friend class ScrubBuilder;
  friend class ScrubWalker;

  PathTrie paths_;
  std::vector<std::string> path_texts_;  // trie id → the path as written
  std::unique_ptr<RE2::Set> keys_;       // case-insensitive, unanchored
  std::vector<std::string> key_texts_;
  ValueDetectorSet detectors_;  // plus a prefilter for key names in text
  Method method_;
};

// Collects the parts of one scrub; each add_* fails with a message ready to be put after the
// config path (e.g. `bad path "a..b": empty key at character 3`).
class ScrubBuilder {
 public:
  Status add_path(std::string_view text);
  Status add_key_pattern(std::string_view pattern);
  Status add_detector(std::string_view builtin_name);
  Status add_custom_detector(std::string name, std::string_view pattern);
  void set_method(Method m) { method_ = std::move(m); }
  bool empty() const {
    return paths_.empty() && keys_.empty() && builtins_.empty() && customs_.empty();
  }
  Result<ScrubAction> build();  // once

 private:
  std::vector<std::pair<std::string, Path>> paths_;  // written text, event path
  std::vector<std::string> keys_;
  std::unique_ptr<RE2::Set> key_set_;  // keys_, parsed; compiled by build()
  std::vector<std::string> builtins_;
  std::vector<std::pair<std::string, std::string>> customs_;
  Method method_;
};

}  // namespace faultline::rules
