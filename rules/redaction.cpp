#include "rules/redaction.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "parsers/utf8.h"

namespace faultline::rules {

std::string Method::describe() const {
  switch (kind) {
    case Kind::kRemove:
      return "remove";
    case Kind::kMask:
      return "mask";
    case Kind::kHash:
      return "hash";
    case Kind::kReplace:
      return "replace";
    case Kind::kKeepLast:
      return "keep-last " + std::to_string(keep);
  }
  return "?";
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[out[i] >> 4];
    hex += kHex[out[i] & 0xF];
  }
  return hex;
}

std::string redact_text(const Method& m, std::string_view secret) {
  switch (m.kind) {
    case Method::Kind::kRemove:
      return "";
    case Method::Kind::kMask:
      return std::string(kMaskText);
    case Method::Kind::kHash:
      return "[hmac:" + hmac_sha256_hex(*m.hash_key, secret).substr(0, 16) + "]";
    case Method::Kind::kReplace:
      return m.text;
    case Method::Kind::kKeepLast: {
      // Count code points so a multi-byte character is one '*' and is never cut in half.
      std::vector<size_t> starts;
      for (size_t i = 0; i < secret.size();) {
        starts.push_back(i);
        size_t n = utf8::sequence_length(secret, i);
        i += n ? n : 1;
      }
      if (starts.size() <= m.keep) return std::string(starts.size(), '*');
      size_t hidden = starts.size() - m.keep;
      return std::string(hidden, '*') + std::string(secret.substr(starts[hidden]));
    }
  }
  return std::string(kMaskText);
}

bool is_censored_text(std::string_view s) {
  return s == "[Redacted]" || s == kMaskText;
}

bool is_uncensorable(const json::Value& v) {
  if (v.is_null() || v.is_bool()) return true;
  if (v.is_string()) return v.as_string().empty() || is_censored_text(v.as_string());
  return false;
}

json::Value redact_value(const Method& m, const json::Value& v) {
  if (v.is_string()) return json::Value(redact_text(m, v.as_string()));
  if (v.is_number()) return json::Value(redact_text(m, json::to_string(v)));
  switch (m.kind) {
    case Method::Kind::kHash:
      return json::Value(redact_text(m, json::to_string(v)));
    case Method::Kind::kReplace:
      return json::Value(m.text);
    default:
      return json::Value(std::string(kMaskText));
  }
}

}  // namespace faultline::rules
