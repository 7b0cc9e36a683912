// The built-in value detectors (@email, @jwt, @github-token, @text-secrets, ...): for each, its RE2
// pattern, a cheap necessary condition tested before any regex runs, where the secret sits inside
// a match, and a validator for the matches a regex alone cannot judge (Luhn, mod-97, inet_pton,
// base64). docs/rules.md ("Value detectors") describes each one.
//
// Internal to rules/ (value_detectors.cpp builds its RE2::Set from this table). Everything here is
// a constant or a pure function; safe to use from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

namespace faultline::rules::builtin {

// What one pass over a string learns, so that most strings skip the regexes entirely: counts of
// some characters, and which of the words the built-ins start from occur in it (`marks`, bits of
// Mark; case-insensitive where the detector is).
struct Signals {
  enum Mark : uint32_t {
    kPass = 1u << 0,  // pass (password, passwd, passphrase, passcode, passwort)
    kToken = 1u << 1,
    kSecret = 1u << 2,
    kKey = 1u << 3,
    kCredential = 1u << 4,
    kWort = 1u << 5,  // kennwort
    kBearer = 1u << 6,
    kBasic = 1u << 7,
    kAws = 1u << 8,    // "aws", any case
    kAwsId = 1u << 9,  // AKIA, ASIA, ABIA, ACCA, A3T
    kGoogle = 1u << 10,
    kJwt = 1u << 11,  // eyJ
    kGithub = 1u << 12,
    kSlack = 1u << 13,
    kNpm = 1u << 14,
    kStripe = 1u << 15,
    kPem = 1u << 16,  // -----BEGIN
    kPercent40 = 1u << 17,
    kScheme = 1u << 18,  // ://
  };

  std::string_view text;
  size_t digits = 0, dots = 0, colons = 0, upper = 0, spaces = 0;
  bool at = false, equals = false;
  uint32_t marks = 0;

  explicit Signals(std::string_view t);
  bool marked(uint32_t any_of) const { return (marks & any_of) != 0; }
};

// True when [b, e) of `text` is a secret the pattern alone cannot tell (e.g. a Luhn check).
using Validator = bool (*)(std::string_view text, size_t b, size_t e);
// A necessary condition for the detector to match (never a sufficient one).
using Quick = bool (*)(const Signals&);
// Where the secret sits inside a match, [begin, end) relative to it; an empty range rejects the
// match (for detectors whose context decides, such as @text-secrets).
using Locate = std::pair<size_t, size_t> (*)(std::string_view match);

struct Detector {
  std::string_view name;
  std::string_view pattern;  // no capture groups: RE2 then finds a match with its DFA alone
  Validator validate = nullptr;
  Quick quick = nullptr;
  Locate locate = nullptr;  // null: the whole match
  bool longest = false;     // leftmost-longest matching (IPv6 forms are prefixes of each other)
};

// Every built-in, in the order docs/rules.md lists them.
std::span<const Detector> all();

}  // namespace faultline::rules::builtin
