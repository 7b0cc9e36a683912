#include "agent/delivery/dsn.h"

#include <cctype>

namespace faultline::delivery {
namespace {

constexpr std::string_view kShape =
    "; expected {http|https}://PUBLIC_KEY@HOST[:PORT][/PATH]/PROJECT_ID";

Status Invalid(std::string_view what) {
  std::string message = "invalid DSN: ";
  message.append(what);
  message.append(kShape);
  return Status::Error(std::move(message));
}

// JavaScript's \w: the character set the SDKs' DSN pattern accepts for the key.
bool is_word(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool all_of(std::string_view s, bool (*pred)(char)) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string Dsn::envelope_url() const {
  std::string url = scheme_ + "://" + host_;
  if (port_ != 0) url += ":" + std::to_string(port_);
  if (!path_.empty()) url += "/" + path_;
  url += "/api/" + project_id_ + "/envelope/";
  return url;
}

std::string Dsn::auth_header(std::string_view client) const {
  std::string header = "Sentry sentry_version=7, sentry_client=";
  header.append(client);
  header += ", sentry_key=" + public_key_;
  return header;
}

std::string Dsn::str() const {
  if (empty()) return "";
  std::string s = scheme_ + "://" + host_;
  if (port_ != 0) s += ":" + std::to_string(port_);
  if (!path_.empty()) s += "/" + path_;
  return s + "/" + project_id_;
}

std::string Dsn::redact(std::string_view text) const {
  std::string out(text);
  if (public_key_.empty()) return out;
  for (size_t pos = out.find(public_key_); pos != std::string::npos;
       pos = out.find(public_key_, pos + 5)) {
    out.replace(pos, public_key_.size(), "[key]");
  }
  return out;
}

Result<Dsn> parse_dsn(std::string_view text) {
  text = trim(text);
  Dsn dsn;
  if (text.empty()) return dsn;

  const size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return Invalid("missing \"://\" after the scheme");
  const std::string_view scheme = text.substr(0, scheme_end);
  if (iequals(scheme, "http")) {
    dsn.scheme_ = "http";
  } else if (iequals(scheme, "https")) {
    dsn.scheme_ = "https";
  } else {
    return Invalid("the scheme must be http or https");
  }
  std::string_view rest = text.substr(scheme_end + 3);

  // Authority: everything up to the first '/'; the key is before its last '@'.
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return Invalid("missing the project id");
  std::string_view authority = rest.substr(0, slash);
  std::string_view tail = rest.substr(slash + 1);

  const size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return Invalid("missing the public key before '@'");
  const std::string_view userinfo = authority.substr(0, at);
  const std::string_view key = userinfo.substr(0, userinfo.find(':'));  // a secret is ignored
  if (key.empty()) return Invalid("missing the public key before '@'");
  if (!all_of(key, is_word)) {
    return Invalid("the public key may contain only letters, digits and '_'");
  }
  dsn.public_key_ = std::string(key);

  std::string_view hostport = authority.substr(at + 1);
  std::string_view port;
  if (!hostport.empty() && hostport.front() == '[') {
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) return Invalid("an IPv6 host lacks its closing ']'");
    const std::string_view inner = hostport.substr(1, close - 1);
    if (inner.empty() ||
        !all_of(inner, [](char c) { return is_word(c) || c == ':' || c == '.' || c == '%'; })) {
      return Invalid("the IPv6 host between '[' and ']' is malformed");
    }
    dsn.host_ = std::string(hostport.substr(0, close + 1));
    hostport.remove_prefix(close + 1);
    if (!hostport.empty()) {
      if (hostport.front() != ':') return Invalid("unexpected text after the IPv6 host");
      port = hostport.substr(1);
      if (port.empty()) return Invalid("the port after ':' is empty");
    }
  } else {
    const size_t colon = hostport.find(':');
    const std::string_view host = hostport.substr(0, colon);
    if (host.empty()) return Invalid("missing the host after '@'");
    if (!all_of(host, [](char c) { return is_word(c) || c == '.' || c == '-'; })) {
      return Invalid("the host may contain only letters, digits, '.', '-' and '_'");
    }
    dsn.host_ = std::string(host);
    if (colon != std::string_view::npos) {
      port = hostport.substr(colon + 1);
      if (port.empty()) return Invalid("the port after ':' is empty");
    }
  }
  if (!port.empty()) {
    if (port.size() > 5 || !all_of(port, [](char c) { return c >= '0' && c <= '9'; })) {
      return Invalid("the port must be a number from 1 to 65535");
    }
    const int value = std::stoi(std::string(port));
    if (value < 1 || value > 65535) return Invalid("the port must be a number from 1 to 65535");
    dsn.port_ = value;
  }

  // Path: a query or fragment is not part of it; trailing slashes are ignored (as sentry-native
  // does); the last segment is the project id and everything before it a prefix.
  tail = tail.substr(0, tail.find_first_of("?#"));
  while (!tail.empty() && tail.back() == '/') tail.remove_suffix(1);
  const size_t last = tail.rfind('/');
  std::string_view project = last == std::string_view::npos ? tail : tail.substr(last + 1);
  std::string_view prefix = last == std::string_view::npos ? "" : tail.substr(0, last);
  while (!prefix.empty() && prefix.front() == '/') prefix.remove_prefix(1);
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  // Like sentry-javascript, keep the leading digits of the last segment ("42abc" is project 42).
  size_t digits = 0;
  while (digits < project.size() && project[digits] >= '0' && project[digits] <= '9') ++digits;
  if (digits == 0) return Invalid("the project id (the last path segment) must be a number");
  for (char c : prefix) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      return Invalid("the path may not contain spaces or control characters");
    }
  }
  dsn.project_id_ = std::string(project.substr(0, digits));
  dsn.path_ = std::string(prefix);
  return dsn;
}

}  // namespace faultline::delivery
