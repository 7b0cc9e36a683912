// How a scrubbed value is rewritten: remove, mask ("[Filtered]"), hash (HMAC-SHA256 with a key
// from the environment, so equal secrets still group), replace with a text, or keep the last N
// characters. A Method is a small immutable value, built at load time and safe to share.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "parsers/json.h"

namespace faultline::rules {

inline constexpr std::string_view kMaskText = "[Filtered]";

struct Method {
  enum class Kind { kRemove, kMask, kHash, kReplace, kKeepLast };
  Kind kind = Kind::kMask;
  std::string text;                             // kReplace
  size_t keep = 0;                              // kKeepLast
  std::shared_ptr<const std::string> hash_key;  // kHash; never empty

  // "mask", "remove", "hash", "replace", "keep-last 4": what explain shows (never the text).
  std::string describe() const;
};

// The text that replaces `secret` inside a string (empty for kRemove: the caller cuts it out).
//   mask       → [Filtered]
//   hash       → [hmac:<16 lowercase hex>], the first 64 bits of HMAC-SHA256(key, secret)
//   replace    → the configured text
//   keep-last  → one '*' per character (code point) but the last N; all '*' when N or fewer
std::string redact_text(const Method& m, std::string_view secret);

// The value that replaces a whole field (a key or path match). Not called for kRemove (the
// caller erases the field). Strings go through redact_text; numbers through their JSON text;
// objects and arrays become [Filtered], the replace text, or the hash of their JSON text
// (keep-last on a container masks it).
json::Value redact_value(const Method& m, const json::Value& v);

// True for values never rewritten: null, booleans, "", and strings already censored by pino or
// by an earlier rule ("[Redacted]", "[Filtered]").
bool is_uncensorable(const json::Value& v);
bool is_censored_text(std::string_view s);

// Lowercase hex of HMAC-SHA256(key, data).
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

}  // namespace faultline::rules
