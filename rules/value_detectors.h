// Value detectors: find secrets inside any string, wherever it sits in the event.
//
// Built-ins (rules/builtin_detectors.cpp; docs/rules.md describes each): @email (also
// URL-encoded, `%40`), @creditcard (major card-network prefixes + Luhn check, so a 16-digit order
// number that fails Luhn is kept), @jwt, @bearer (the token after "Bearer "), @basic-auth (base64
// "user:password" after "Basic "), @ip (IPv4 and IPv6; loopback and unspecified addresses are
// kept), @iban (country code + mod-97 check), @url-userinfo (`user:pass` in
// `scheme://user:pass@host`), @query-secrets (the value of `access_token=`, `code=`, `api_key=`,
// `password=`, `sig=`, ... in a query string), @private-key (the body of a PEM private key
// block), the token formats secret scanners know (@github-token, @stripe-key, @aws-key,
// @slack-token, @google-api-key, @npm-token), @text-secrets (the value after a secret word in
// prose: "password hunter2", "token: abc.def", "--token v"), and custom RE2 patterns (capture
// group 1, when the pattern has one, is the part that is scrubbed).
//
// Every pattern is compiled once into one RE2::Set used as a prefilter: a string that no
// detector matches costs one DFA pass. The set holds each pattern without the upper bounds of its
// counted repetitions (without_upper_bounds below), which matches wherever the pattern does and
// compiles far faster. A built-in's own RE2, which finds where the secret is, is compiled on the
// first string that may hold it and shared by every set of the process; a custom pattern's RE2 is
// compiled when it is added (a bad pattern is an error there). Immutable after compile() but for
// that one-time compile, which is thread-safe; find() is const and safe to call from several
// threads at once.
#pragma once

#include <re2/re2.h>
#include <re2/set.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace faultline::rules {

// A part of a string to scrub: [begin, end) in bytes, and which detector found it.
struct Span {
  size_t begin = 0;
  size_t end = 0;
  int detector = -1;
};

class ValueDetectorSet {
 public:
  ValueDetectorSet();
  ~ValueDetectorSet();
  ValueDetectorSet(ValueDetectorSet&&) noexcept;
  ValueDetectorSet& operator=(ValueDetectorSet&&) noexcept;

  // The built-in names, with their '@' ("@email", ...); "@all" adds every one of them.
  static const std::vector<std::string_view>& builtin_names();

  // Adds a built-in by name ("@email"); the error says the name is unknown (with a suggestion).
  Status add_builtin(std::string_view name);
  // Adds a custom RE2 pattern; `name` is what explain shows. The error is RE2's.
  Status add_custom(std::string name, std::string_view pattern);
  // Sets one more pattern that only takes part in the prefilter: find() returns true when it
  // matches, so a caller learns in the same pass that `text` may need a closer look (the
  // scrubber uses it for "a sensitive key name occurs somewhere in this text").
  Status set_extra_prefilter(std::string_view pattern);
  Status compile();

  bool empty() const { return detectors_.empty() && extra_.empty(); }
  size_t size() const { return detectors_.size(); }
  const std::string& name(int detector) const;
  // The RE2 that finds where detector `detector`'s secret is (for a built-in, the one shared by
  // the process, compiled by this call if no string needed it yet).
  const RE2& regex(int detector) const;

  // Appends every span found in `text` (unsorted; spans of different detectors may overlap).
  // Returns true when the extra prefilter pattern (if any) matched.
  bool find(std::string_view text, std::vector<Span>& out) const;

  // Sorts `spans` and merges overlapping or touching ones (the merged span keeps the detector of
  // the first).
  static void merge(std::vector<Span>& spans);

 private:
  struct Detector;
  std::vector<std::unique_ptr<Detector>> detectors_;
  std::unique_ptr<RE2::Set> set_;
  std::string extra_;  // the extra prefilter pattern, or empty
  bool compiled_ = false;
};

// Exposed for tests.
bool luhn_valid(std::string_view digits);
bool iban_valid(std::string_view text);

// `pattern` with the upper bound of every counted repetition dropped (`x{2,63}` → `x{2,}`). It
// matches wherever `pattern` does (a repetition that accepts more makes the whole accept more,
// never less), so it may stand in for it where only "does it match" counts: the prefilter set.
// RE2 compiles `x{2,63}` as 63 copies of x, `x{2,}` as two and a loop. Braces after a backslash
// or inside a character class are literal and stay; a pattern with \Q...\E is returned as it is.
std::string without_upper_bounds(std::string_view pattern);

}  // namespace faultline::rules
