#include "rules/route_template.h"

#include <algorithm>

namespace faultline::rules {

namespace {

bool digit(char c) {
  return c >= '0' && c <= '9';
}
bool alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool hex_letter(char c) {
  return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool hex(char c) {
  return digit(c) || hex_letter(c);
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), digit);
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !hex(s[i])) return false;
  }
  return true;
}

// Long hex runs are ids (Mongo ObjectIds, hashes, tokens); a shorter one only when it mixes
// digits and letters, so that words such as "deadbeef" or "cafe" stay.
bool is_hex_id(std::string_view s) {
  if (s.size() < 8 || !std::all_of(s.begin(), s.end(), hex)) return false;
  if (s.size() >= 16) return true;
  return std::any_of(s.begin(), s.end(), digit) && std::any_of(s.begin(), s.end(), hex_letter);
}

// local@domain.tld, with the @ raw or percent-encoded.
bool is_email(std::string_view s) {
  size_t at = s.find('@');
  size_t after = at + 1;
  if (at == std::string_view::npos) {
    at = s.find("%40");
    if (at == std::string_view::npos) return false;
    after = at + 3;
  }
  if (at == 0 || after >= s.size()) return false;
  const std::string_view domain = s.substr(after);
  const size_t dot = domain.rfind('.');
  return dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size() &&
         domain.find('@') == std::string_view::npos;
}

// SKU-1042, INV_7, OOS-0042: a short word, a separator and a number. A word glued to a number
// is not taken for an id: it is as often a name (/status500, /v2, /html5).
bool is_prefixed_id(std::string_view s) {
  size_t letters = 0;
  while (letters < s.size() && alpha(s[letters])) ++letters;
  if (letters == 0 || letters > 16 || letters + 1 >= s.size()) return false;
  return (s[letters] == '-' || s[letters] == '_') && all_digits(s.substr(letters + 1));
}

// The path of a URL: no scheme and host, no query, no fragment.
std::string_view path_of(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  if (const size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    const size_t slash = url.find('/', scheme + 3);
    url = slash == std::string_view::npos ? std::string_view("/") : url.substr(slash);
  }
  return url;
}

}  // namespace

std::string_view to_string(NameSource source) {
  return source == NameSource::kRoute ? "route" : "url";
}

RouteTemplater::RouteTemplater(std::vector<SegmentPattern> extra) : extra_(std::move(extra)) {}

std::string_view RouteTemplater::placeholder(std::string_view segment) const {
  if (segment.empty()) return "";
  for (const SegmentPattern& p : extra_) {
    if (p.pattern && RE2::FullMatch(segment, *p.pattern)) return p.placeholder;
  }
  if (all_digits(segment)) return ":id";
  if (is_uuid(segment)) return ":uuid";
  if (is_hex_id(segment)) return ":hex";
  if (is_email(segment)) return ":email";
  if (is_prefixed_id(segment)) return ":id";
  return "";
}

std::string RouteTemplater::template_path(std::string_view url) const {
  std::string_view path = path_of(url);
  std::string out;
  out.reserve(path.size());
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    const std::string_view segment = path.substr(start, end - start);
    const std::string_view p = placeholder(segment);
    out.append(p.empty() ? segment : p);
    if (slash == std::string_view::npos) break;
    out.push_back('/');
    start = slash + 1;
  }
  return out;
}

RouteName RouteTemplater::name(std::string_view method, std::string_view route,
                               std::string_view url) const {
  RouteName out;
  if (!route.empty()) {
    out.route = std::string(route);
    out.source = NameSource::kRoute;
  } else {
    out.route = template_path(url);
    out.source = NameSource::kUrl;
  }
  out.name = std::string(method);
  if (!out.name.empty() && !out.route.empty()) out.name.push_back(' ');
  out.name += out.route;
  return out;
}

}  // namespace faultline::rules
