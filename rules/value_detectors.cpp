#include "rules/value_detectors.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "base/suggest.h"

namespace faultline::rules {

namespace {

using Validator = bool (*)(std::string_view, size_t, size_t);

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_hex_or_colon(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':';
}

bool card_prefix_ok(std::string_view d) {
  auto p = [&](size_t n) {
    int v = 0;
    for (size_t i = 0; i < n; ++i) v = v * 10 + (d[i] - '0');
    return v;
  };
  switch (d[0]) {
    case '4':  // Visa
      return true;
    case '5': {  // Mastercard 51-55, Maestro 50, 56-58
      int two = p(2);
      return two >= 50 && two <= 58;
    }
    case '2': {  // Mastercard 2221-2720
      int four = p(4);
      return four >= 2221 && four <= 2720;
    }
    case '3': {  // Amex 34/37, Diners 30/36/38/39, JCB 35
      int two = p(2);
      return two == 30 || (two >= 34 && two <= 39);
    }
    case '6':  // Discover, UnionPay, Maestro
      return true;
    default:
      return false;
  }
}

bool validate_card(std::string_view text, size_t b, size_t e) {
  std::string digits;
  for (size_t i = b; i < e; ++i) {
    if (is_digit(text[i])) digits += text[i];
  }
  if (digits.size() < 13 || digits.size() > 19) return false;
  return card_prefix_ok(digits) && luhn_valid(digits);
}

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// "Basic dXNlcjpwYXNz": the credential decodes to printable text with a ':' in it.
bool validate_basic(std::string_view text, size_t b, size_t e) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = b; i < e; ++i) {
    if (text[i] == '=') break;
    int v = b64_value(text[i]);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  if (out.size() < 2 || out.find(':') == std::string::npos) return false;
  return std::all_of(out.begin(), out.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u != 0x7F;
  });
}

bool validate_ip(std::string_view text, size_t b, size_t e) {
  std::string ip(text.substr(b, e - b));
  if (ip.find(':') != std::string::npos) {
    if (b > 0 && (is_hex_or_colon(text[b - 1]) || is_alnum(text[b - 1]))) return false;
    if (e < text.size() && (is_hex_or_colon(text[e]) || is_alnum(text[e]))) return false;
    std::string addr = ip.substr(0, ip.find('%'));
    unsigned char buf[16];
    if (inet_pton(AF_INET6, addr.c_str(), buf) != 1) return false;
    static const unsigned char kZero[16] = {};
    if (std::memcmp(buf, kZero, 15) == 0 && (buf[15] == 0 || buf[15] == 1)) return false;  // :: ::1
    // ::ffff:127.x.x.x is loopback too.
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    if (std::memcmp(buf, kMapped, 12) == 0 && buf[12] == 127) return false;
    return true;
  }
  if (b > 0 && is_alnum(text[b - 1])) return false;
  if (e < text.size() && is_alnum(text[e])) return false;
  // A dotted quad inside a longer dotted number (a version, an OID) is not an address.
  if (b >= 2 && text[b - 1] == '.' && is_digit(text[b - 2])) return false;
  if (e + 1 < text.size() && text[e] == '.' && is_digit(text[e + 1])) return false;
  if (ip.rfind("127.", 0) == 0 || ip == "0.0.0.0") return false;
  return true;
}

bool validate_iban(std::string_view text, size_t b, size_t e) {
  return iban_valid(text.substr(b, e - b));
}

// What one pass over a string learns, so that most strings skip the regexes entirely.
struct Signals {
  std::string_view text;
  size_t digits = 0, dots = 0, colons = 0, upper = 0;
  bool at = false, equals = false, percent = false;

  explicit Signals(std::string_view t) : text(t) {
    for (char c : t) {
      if (c >= '0' && c <= '9') {
        ++digits;
      } else if (c >= 'A' && c <= 'Z') {
        ++upper;
      } else if (c == '.') {
        ++dots;
      } else if (c == ':') {
        ++colons;
      } else if (c == '@') {
        at = true;
      } else if (c == '=') {
        equals = true;
      } else if (c == '%') {
        percent = true;
      }
    }
  }
  bool has(std::string_view needle) const { return text.find(needle) != std::string_view::npos; }
  bool has_nocase(std::string_view lower) const {
    auto it = std::search(text.begin(), text.end(), lower.begin(), lower.end(),
                          [](char a, char b) { return (a | 0x20) == b; });
    return it != text.end();
  }
};
using Quick = bool (*)(const Signals&);

// A necessary condition for each built-in to match (never a sufficient one).
bool quick_email(const Signals& s) {
  return s.at || (s.percent && s.has("%40"));
}
bool quick_card(const Signals& s) {
  return s.digits >= 13;
}
bool quick_jwt(const Signals& s) {
  return s.dots >= 2 && s.has("eyJ");
}
bool quick_bearer(const Signals& s) {
  return s.has_nocase("bearer");
}
bool quick_basic(const Signals& s) {
  return s.has_nocase("basic");
}
bool quick_ip(const Signals& s) {
  return (s.dots >= 3 && s.digits >= 4) || s.colons >= 2;
}
bool quick_iban(const Signals& s) {
  return s.text.size() >= 15 && s.digits >= 4 && s.upper >= 2;
}
bool quick_userinfo(const Signals& s) {
  return s.at && s.has("://");
}
bool quick_query(const Signals& s) {
  return s.equals;
}

// Where the secret sits inside a match, for patterns that match some context around it.
// Returns [begin, end) relative to the match.
using Locate = std::pair<size_t, size_t> (*)(std::string_view match);
std::pair<size_t, size_t> after_space(std::string_view m) {  // "Bearer abc" → "abc"
  size_t b = m.find_first_of(" \t\r\n");
  b = m.find_first_not_of(" \t\r\n", b);
  return {b, m.size()};
}
std::pair<size_t, size_t> userinfo(std::string_view m) {  // "s://user:pw@" → "user:pw"
  return {m.find("://") + 3, m.size() - 1};
}
std::pair<size_t, size_t> after_equals(std::string_view m) {  // "&token=abc" → "abc"
  return {m.find('=') + 1, m.size()};
}

struct Builtin {
  std::string_view name;
  std::string_view pattern;
  Validator validate;
  Quick quick;
  Locate locate;         // null: the whole match
  bool longest = false;  // leftmost-longest matching (IPv6 forms are prefixes of each other)
};

// No capture groups: with none, RE2 finds a match's bounds with its DFA alone, which is several
// times faster than extracting groups. Leftmost matching already starts a match at the start of
// a run of the characters it accepts, so no look-behind is needed either.
const std::array<Builtin, 9> kBuiltins = {{
    {"@email",
     R"re((?i)[a-z0-9!#$%*+^_`{|}~-]+(?:\.[a-z0-9!#$%*+^_`{|}~-]+)*(?:@|%40)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\b)re",
     nullptr, quick_email, nullptr},
    {"@creditcard", R"re(\b\d(?:[ -]?\d){12,18}\b)re", validate_card, quick_card, nullptr},
    {"@jwt", R"re(\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)re", nullptr,
     quick_jwt, nullptr},
    {"@bearer", R"re((?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,})re", nullptr, quick_bearer, after_space},
    {"@basic-auth", R"re((?i)\bbasic\s+[A-Za-z0-9+/_-]{4,}={0,2})re", validate_basic, quick_basic,
     after_space},
    {"@ip",
     R"re((?i)(?:(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])|(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,7}:|(?:[0-9a-f]{1,4}:){1,6}:[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,5}(?::[0-9a-f]{1,4}){1,2}|(?:[0-9a-f]{1,4}:){1,4}(?::[0-9a-f]{1,4}){1,3}|(?:[0-9a-f]{1,4}:){1,3}(?::[0-9a-f]{1,4}){1,4}|(?:[0-9a-f]{1,4}:){1,2}(?::[0-9a-f]{1,4}){1,5}|[0-9a-f]{1,4}:(?::[0-9a-f]{1,4}){1,6}|::ffff:(?:[0-9]{1,3}\.){3}[0-9]{1,3}|:(?::[0-9a-f]{1,4}){1,7})(?:%[0-9a-z]+)?)re",
     validate_ip, quick_ip, nullptr, true},
    {"@iban", R"re(\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\b)re", validate_iban, quick_iban,
     nullptr},
    {"@url-userinfo", R"re((?i)\b[a-z][a-z0-9+.-]*://[^\s/?#@"'<>]+@)re", nullptr, quick_userinfo,
     userinfo},
    {"@query-secrets",
     R"re((?i)(?:^|[?&;#])(?:[a-z0-9_.-]*(?:token|secret|password|passwd|pwd|api[-_]?key|apikey|signature|credential)|key|auth|authorization|sig|session|sessionid|sid|jwt|code_verifier)=[^&#\s"']+)re",
     nullptr, quick_query, after_equals},
}};

}  // namespace

struct ValueDetectorSet::Detector {
  std::string name;
  std::unique_ptr<RE2> re;
  bool use_group = false;  // custom patterns with a capture group: scrub group 1
  Validator validate = nullptr;
  Quick quick = nullptr;    // null: no cheap test (custom patterns)
  Locate locate = nullptr;  // null: the whole match (or group 1)
};

bool luhn_valid(std::string_view digits) {
  int sum = 0;
  bool dbl = false;
  for (size_t i = digits.size(); i-- > 0;) {
    if (!is_digit(digits[i])) return false;
    int d = digits[i] - '0';
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return !digits.empty() && sum % 10 == 0;
}

bool iban_valid(std::string_view text) {
  static constexpr std::string_view kCountries =
      "AD AE AL AT AZ BA BE BG BH BI BR BY CH CR CY CZ DE DJ DK DO EE EG ES FI FK FO FR GB GE GI "
      "GL GR GT HR HU IE IL IQ IS IT JO KW KZ LB LC LI LT LU LV LY MC MD ME MK MN MR MT MU NI NL "
      "NO OM PK PL PS PT QA RO RS RU SA SC SD SE SI SK SM SO ST SV TL TN TR UA VA VG XK YE";
  std::string s;
  for (char c : text) {
    if (c != ' ') s += c;
  }
  if (s.size() < 15 || s.size() > 34) return false;
  if (kCountries.find(s.substr(0, 2)) == std::string_view::npos) return false;
  std::string moved = s.substr(4) + s.substr(0, 4);
  int rem = 0;
  for (char c : moved) {
    if (is_digit(c)) {
      rem = (rem * 10 + (c - '0')) % 97;
    } else if (c >= 'A' && c <= 'Z') {
      rem = (rem * 100 + (c - 'A' + 10)) % 97;
    } else {
      return false;
    }
  }
  return rem == 1;
}

ValueDetectorSet::ValueDetectorSet() = default;
ValueDetectorSet::~ValueDetectorSet() = default;
ValueDetectorSet::ValueDetectorSet(ValueDetectorSet&&) noexcept = default;
ValueDetectorSet& ValueDetectorSet::operator=(ValueDetectorSet&&) noexcept = default;

const std::vector<std::string_view>& ValueDetectorSet::builtin_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> n;
    for (const Builtin& b : kBuiltins) n.push_back(b.name);
    return n;
  }();
  return names;
}

Status ValueDetectorSet::add(std::string name, std::string_view pattern, int builtin) {
  const Builtin* b = builtin >= 0 ? &kBuiltins[static_cast<size_t>(builtin)] : nullptr;
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_longest_match(b && b->longest);
  auto re = std::make_unique<RE2>(pattern, opts);
  if (!re->ok()) return Status::Error(re->error());
  auto d = std::make_unique<Detector>();
  d->name = std::move(name);
  d->use_group = !b && re->NumberOfCapturingGroups() >= 1;
  d->re = std::move(re);
  d->validate = b ? b->validate : nullptr;
  d->quick = b ? b->quick : nullptr;
  d->locate = b ? b->locate : nullptr;
  detectors_.push_back(std::move(d));
  return Status::Ok();
}

Status ValueDetectorSet::add_builtin(std::string_view name) {
  if (name == "@all") {
    for (const Builtin& b : kBuiltins) {
      if (Status s = add_builtin(b.name); !s.ok()) return s;
    }
    return Status::Ok();
  }
  for (size_t i = 0; i < kBuiltins.size(); ++i) {
    const Builtin& b = kBuiltins[i];
    if (b.name == name) {
      for (const auto& d : detectors_) {
        if (d->name == name) return Status::Ok();  // listed twice: once is enough
      }
      return add(std::string(b.name), b.pattern, static_cast<int>(i));
    }
  }
  std::vector<std::string_view> known = builtin_names();
  known.push_back("@all");
  return Status::Error("unknown detector \"" + std::string(name) + "\"" +
                       did_you_mean(name, known));
}

Status ValueDetectorSet::add_custom(std::string name, std::string_view pattern) {
  return add(std::move(name), pattern, -1);
}

Status ValueDetectorSet::set_extra_prefilter(std::string_view pattern) {
  RE2::Options opts;
  opts.set_log_errors(false);
  RE2 probe(pattern, opts);
  if (!probe.ok()) return Status::Error(probe.error());
  extra_ = std::string(pattern);
  return Status::Ok();
}

Status ValueDetectorSet::compile() {
  RE2::Options opts;
  opts.set_log_errors(false);
  set_ = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
  // Set index i is detector i; the extra prefilter pattern, if any, comes last.
  for (const auto& d : detectors_) {
    std::string err;
    if (set_->Add(d->re->pattern(), &err) < 0) return Status::Error(err);
  }
  if (!extra_.empty()) {
    std::string err;
    if (set_->Add(extra_, &err) < 0) return Status::Error(err);
  }
  if (!set_->Compile()) return Status::Error("the detector patterns are too large to compile");
  compiled_ = true;
  return Status::Ok();
}

const std::string& ValueDetectorSet::name(int detector) const {
  return detectors_[static_cast<size_t>(detector)]->name;
}

bool ValueDetectorSet::find(std::string_view text, std::vector<Span>& out) const {
  if (!compiled_ || text.empty() || (detectors_.empty() && extra_.empty())) return false;
  // Most strings cannot match any built-in; one pass over the bytes tells, without a regex.
  const Signals sig(text);
  uint64_t candidates = 0;  // bit i: detector i may match (all bits past 64)
  for (size_t i = 0; i < detectors_.size(); ++i) {
    const Quick q = detectors_[i]->quick;
    if (i >= 64 || !q || q(sig)) candidates |= i >= 64 ? ~uint64_t{0} : uint64_t{1} << i;
  }
  const bool extra_possible = !extra_.empty() && (sig.colons > 0 || sig.equals);
  if (candidates == 0 && !extra_possible) return false;
  std::vector<int> hits;
  RE2::Set::ErrorInfo info;
  if (!set_->Match(re2::StringPiece(text.data(), text.size()), &hits, &info)) {
    if (info.kind != RE2::Set::kOutOfMemory) return false;
    // The DFA ran out of memory on a huge string: try every pattern instead of guessing.
    hits.clear();
    size_t n = detectors_.size() + (extra_.empty() ? 0 : 1);
    for (size_t i = 0; i < n; ++i) hits.push_back(static_cast<int>(i));
  }
  bool prefilter_hit = false;
  const re2::StringPiece whole(text.data(), text.size());
  for (int h : hits) {
    if (static_cast<size_t>(h) >= detectors_.size()) {
      prefilter_hit = true;
      continue;
    }
    if (h < 64 && !(candidates & (uint64_t{1} << h))) continue;
    const Detector& d = *detectors_[static_cast<size_t>(h)];
    re2::StringPiece groups[2];
    const int n = d.use_group ? 2 : 1;
    size_t pos = 0;
    while (pos <= text.size() && d.re->Match(whole, pos, text.size(), RE2::UNANCHORED, groups, n)) {
      const re2::StringPiece& part = d.use_group ? groups[1] : groups[0];
      if (part.data() != nullptr && !part.empty()) {
        size_t b = static_cast<size_t>(part.data() - text.data());
        size_t e = b + part.size();
        if (d.locate) {
          auto [lb, le] = d.locate(std::string_view(part.data(), part.size()));
          e = b + le;
          b += lb;
        }
        if (b < e && (!d.validate || d.validate(text, b, e))) out.push_back(Span{b, e, h});
      }
      size_t next = static_cast<size_t>(groups[0].data() - text.data()) + groups[0].size();
      pos = groups[0].empty() ? next + 1 : next;
    }
  }
  return prefilter_hit;
}

void ValueDetectorSet::merge(std::vector<Span>& spans) {
  if (spans.size() < 2) return;
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  std::vector<Span> out;
  out.reserve(spans.size());
  for (const Span& s : spans) {
    if (!out.empty() && s.begin <= out.back().end) {
      out.back().end = std::max(out.back().end, s.end);
    } else {
      out.push_back(s);
    }
  }
  spans = std::move(out);
}

}  // namespace faultline::rules
