#include "rules/builtin_detectors.h"

#include <arpa/inet.h>
#include <re2/re2.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "rules/value_detectors.h"

namespace faultline::rules {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_alnum(char c) {
  return is_digit(c) || is_lower(c) || is_upper(c) || c == '_';
}
bool is_hex_or_colon(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':';
}

// The shape @text-secrets wants after a bare word ("password hunter2" is scrubbed, "password
// reset" and "token expired" are not): a digit, a symbol, an inner capital next to lower-case
// letters, or 24+ letters.
bool looks_like_secret(std::string_view word) {
  if (word.size() < 4) return false;
  bool lower = false, inner_upper = false;
  for (size_t i = 0; i < word.size(); ++i) {
    const char c = word[i];
    if (is_digit(c) || std::string_view("_./+=~!@#$%^&*|\\").find(c) != std::string_view::npos) {
      return true;
    }
    lower = lower || is_lower(c);
    inner_upper = inner_upper || (i > 0 && is_upper(c));
  }
  return (lower && inner_upper) || word.size() >= 24;
}

}  // namespace

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
    } else if (is_upper(c)) {
      rem = (rem * 100 + (c - 'A' + 10)) % 97;
    } else {
      return false;
    }
  }
  return rem == 1;
}

namespace builtin {

namespace {

// Whether `text` continues at `i` with `rest` (lower-case ASCII), in any case.
bool continues_nocase(std::string_view text, size_t i, std::string_view rest) {
  if (text.size() - i < rest.size()) return false;
  for (size_t k = 0; k < rest.size(); ++k) {
    if ((text[i + k] | 0x20) != rest[k]) return false;
  }
  return true;
}

bool continues(std::string_view text, size_t i, std::string_view rest) {
  return text.substr(i, rest.size()) == rest;
}

}  // namespace

Signals::Signals(std::string_view t) : text(t) {
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (is_digit(c)) {
      ++digits;
      continue;
    }
    if (is_upper(c)) ++upper;
    switch (c) {
      case '.':
        ++dots;
        break;
      case ':':
        ++colons;
        if (continues(t, i, "://")) marks |= kScheme;
        break;
      case ' ':
      case '\t':
      case '\n':
      case '\r':
      case '\f':
        ++spaces;
        break;
      case '@':
        at = true;
        break;
      case '=':
        equals = true;
        break;
      case '%':
        if (continues(t, i, "%40")) marks |= kPercent40;
        break;
      case '-':
        if (continues(t, i, "-----BEGIN")) marks |= kPem;
        break;
      case '_':
        if (continues(t, i, "_live_") || continues(t, i, "_test_")) marks |= kStripe;
        break;
      case 'A':
        if (continues(t, i, "AKIA") || continues(t, i, "ASIA") || continues(t, i, "ABIA") ||
            continues(t, i, "ACCA") || continues(t, i, "A3T")) {
          marks |= kAwsId;
        }
        if (continues(t, i, "AIza")) marks |= kGoogle;
        [[fallthrough]];
      case 'a':
        if (continues_nocase(t, i, "aws")) marks |= kAws;
        break;
      case 'e':
        if (continues(t, i, "eyJ")) marks |= kJwt;
        break;
      case 'g':
        if (continues(t, i, "gh") || continues(t, i, "github_pat_")) marks |= kGithub;
        break;
      case 'x':
        if (continues(t, i, "xox")) marks |= kSlack;
        break;
      case 'h':
        if (continues(t, i, "hooks.slack.com")) marks |= kSlack;
        break;
      case 'n':
        if (continues(t, i, "npm_")) marks |= kNpm;
        break;
      default:
        break;
    }
    switch (c | 0x20) {
      case 'p':
        if (continues_nocase(t, i, "pass")) marks |= kPass;
        break;
      case 't':
        if (continues_nocase(t, i, "token")) marks |= kToken;
        break;
      case 's':
        if (continues_nocase(t, i, "secret")) marks |= kSecret;
        break;
      case 'k':
        if (continues_nocase(t, i, "key")) marks |= kKey;
        break;
      case 'c':
        if (continues_nocase(t, i, "credential")) marks |= kCredential;
        break;
      case 'w':
        if (continues_nocase(t, i, "wort")) marks |= kWort;
        if (continues(t, i, "whsec_")) marks |= kStripe;
        break;
      case 'b':
        if (continues_nocase(t, i, "bearer")) marks |= kBearer;
        if (continues_nocase(t, i, "basic")) marks |= kBasic;
        break;
      default:
        break;
    }
  }
}

namespace {

// ---- validators --------------------------------------------------------------------------------

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
  if (is_upper(c)) return c - 'A';
  if (is_lower(c)) return c - 'a' + 26;
  if (is_digit(c)) return c - '0' + 52;
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

// "postgres://app:pw@db.internal/shop" holds no email: the user and host of a URL are not one
// (@url-userinfo scrubs the credential, and the host stays readable).
bool validate_email(std::string_view text, size_t b, size_t) {
  const size_t token = text.find_last_of(" \t\r\n\"'<>", b == 0 ? 0 : b - 1);
  const size_t from = token == std::string_view::npos || b == 0 ? 0 : token + 1;
  const size_t scheme = text.substr(from, b - from).rfind("://");
  if (scheme == std::string_view::npos) return true;
  return text.substr(from + scheme + 3, b - from - scheme - 3).find('/') != std::string_view::npos;
}

bool validate_iban(std::string_view text, size_t b, size_t e) {
  return iban_valid(text.substr(b, e - b));
}

// ---- cheap necessary conditions ----------------------------------------------------------------

bool quick_email(const Signals& s) {
  return s.at || s.marked(Signals::kPercent40);
}
bool quick_card(const Signals& s) {
  return s.digits >= 13;
}
bool quick_jwt(const Signals& s) {
  return s.dots >= 2 && s.marked(Signals::kJwt);
}
bool quick_bearer(const Signals& s) {
  return s.marked(Signals::kBearer);
}
bool quick_basic(const Signals& s) {
  return s.marked(Signals::kBasic);
}
bool quick_ip(const Signals& s) {
  return (s.dots >= 3 && s.digits >= 4) || s.colons >= 2;
}
bool quick_iban(const Signals& s) {
  return s.text.size() >= 15 && s.digits >= 4 && s.upper >= 2;
}
bool quick_userinfo(const Signals& s) {
  return s.at && s.marked(Signals::kScheme);
}
bool quick_query(const Signals& s) {
  return s.equals;
}
bool quick_private_key(const Signals& s) {
  return s.marked(Signals::kPem);
}
bool quick_github(const Signals& s) {
  return s.marked(Signals::kGithub);
}
bool quick_stripe(const Signals& s) {
  return s.marked(Signals::kStripe);
}
bool quick_aws(const Signals& s) {
  return s.marked(Signals::kAwsId | Signals::kAws);
}
bool quick_slack(const Signals& s) {
  return s.marked(Signals::kSlack);
}
bool quick_google(const Signals& s) {
  return s.marked(Signals::kGoogle);
}
bool quick_npm(const Signals& s) {
  return s.marked(Signals::kNpm);
}
// A secret word, then a separator: ':' or '=' or whitespace.
bool quick_text(const Signals& s) {
  return (s.colons > 0 || s.equals || s.spaces > 0) &&
         s.marked(Signals::kPass | Signals::kToken | Signals::kSecret | Signals::kKey |
                  Signals::kCredential | Signals::kWort);
}

// ---- where the secret sits inside a match ------------------------------------------------------

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
// "-----BEGIN RSA PRIVATE KEY-----\n…\n-----END RSA PRIVATE KEY-----" → the body; the markers
// stay, so a reader still sees that a key was logged. A block cut off before its END marker is
// scrubbed to the end of the text.
std::pair<size_t, size_t> pem_body(std::string_view m) {
  const size_t label_end = m.find("-----", 5);
  const size_t b = label_end == std::string_view::npos ? m.size() : label_end + 5;
  size_t e = m.rfind("-----END");
  if (e == std::string_view::npos || e < b) e = m.size();
  return {b, e};
}
// Patterns that end with one character of context (so a token cannot run on) match one
// character more than the secret: drop it. `token` is the class the secret is made of.
size_t before_context(std::string_view m, std::string_view token_symbols) {
  if (m.empty()) return 0;
  const char c = m.back();
  const bool part =
      is_digit(c) || is_lower(c) || is_upper(c) || token_symbols.find(c) != std::string_view::npos;
  return part ? m.size() : m.size() - 1;
}
std::pair<size_t, size_t> google_key(std::string_view m) {
  return {0, before_context(m, "_-")};
}
std::pair<size_t, size_t> npm_token(std::string_view m) {
  return {0, before_context(m, "")};
}
// An access key id is the whole match; a secret access key is the 40 characters at its end.
std::pair<size_t, size_t> aws_key(std::string_view m) {
  if (m.size() == 20 && is_upper(m[0])) return {0, 20};
  const size_t e = before_context(m, "/+=");
  return {e >= 40 ? e - 40 : 0, e};
}
// "hooks.slack.com/services/T0/B0/xyz" → "T0/B0/xyz"; a token is the whole match.
std::pair<size_t, size_t> slack(std::string_view m) {
  if (m.rfind("hooks.", 0) != 0) return {0, m.size()};
  const size_t kind = m.find('/');
  const size_t b = m.find('/', kind + 1);
  return {b == std::string_view::npos ? m.size() : b + 1, m.size()};
}

// @text-secrets: the same pattern as its entry in the table, with groups, to take a match apart:
// dashes of a command-line option, the separator, an opening quote, and the value.
constexpr std::string_view kTextWords =
    R"re((?:[a-z0-9]+[_-])?(?:password|passwd|passphrase|passcode|passwort|kennwort|)re"
    R"re(secret[ _-]?key|api[ _-]?key|access[ _-]?key|private[ _-]?key|credentials?|token|secret))re";
constexpr std::string_view kTextValue = R"re(([^\s"',;()\[\]{}<>]+))re";

std::pair<size_t, size_t> text_secret(std::string_view m) {
  static const RE2 parts("(?i)(--?)?" + std::string(kTextWords) +
                         R"re((\s*[:=]\s*|\s+(?:is|was)\s+|\s+)(["']?))re" +
                         std::string(kTextValue));
  re2::StringPiece dashes, sep, quote, value;
  if (!RE2::FullMatch(re2::StringPiece(m.data(), m.size()), parts, &dashes, &sep, &quote, &value)) {
    return {0, 0};
  }
  std::string_view v(value.data(), value.size());
  const std::string_view separator(sep.data(), sep.size());
  // `token=abc&next=1` is a query string: its value ends at the next parameter.
  if (separator.find('=') != std::string_view::npos) v = v.substr(0, v.find('&'));
  while (!v.empty() && std::string_view(".:!?").find(v.back()) != std::string_view::npos) {
    v.remove_suffix(1);
  }
  const bool named = !dashes.empty() || separator.find_first_of(":=") != std::string_view::npos;
  // A quoted word is named unless it is one character: `Unexpected token 'o'` is JSON.parse.
  const bool quoted = !quote.empty() && v.size() > 1;
  if (v.empty() || (!named && !quoted && !looks_like_secret(v))) return {0, 0};
  const size_t b = static_cast<size_t>(value.data() - m.data());
  return {b, b + v.size()};
}

const std::string& text_secrets_pattern() {
  static const std::string p = "(?i)(?:--?)?\\b" + std::string(kTextWords) +
                               R"re((?:\s*[:=]\s*|\s+(?:is|was)\s+|\s+)["']?)re" +
                               R"re([^\s"',;()\[\]{}<>]+)re";
  return p;
}

// ---- the table ---------------------------------------------------------------------------------

// No capture groups: with none, RE2 finds a match's bounds with its DFA alone, which is several
// times faster than extracting groups. Leftmost matching already starts a match at the start of
// a run of the characters it accepts, so no look-behind is needed either. Token formats follow
// the rules secret scanners (gitleaks) use for them.
std::vector<Detector> make_table() {
  return {
      {"@email",
       R"re((?i)[a-z0-9!#$%*+^_`{|}~-]+(?:\.[a-z0-9!#$%*+^_`{|}~-]+)*(?:@|%40)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\b)re",
       validate_email, quick_email, nullptr},
      {"@creditcard", R"re(\b\d(?:[ -]?\d){12,18}\b)re", validate_card, quick_card, nullptr},
      {"@jwt", R"re(\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)re", nullptr,
       quick_jwt, nullptr},
      {"@bearer", R"re((?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,})re", nullptr, quick_bearer,
       after_space},
      {"@basic-auth", R"re((?i)\bbasic\s+[A-Za-z0-9+/_-]{4,}={0,2})re", validate_basic, quick_basic,
       after_space},
      {"@ip",
       R"re((?i)(?:(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])|(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,7}:|(?:[0-9a-f]{1,4}:){1,6}:[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,5}(?::[0-9a-f]{1,4}){1,2}|(?:[0-9a-f]{1,4}:){1,4}(?::[0-9a-f]{1,4}){1,3}|(?:[0-9a-f]{1,4}:){1,3}(?::[0-9a-f]{1,4}){1,4}|(?:[0-9a-f]{1,4}:){1,2}(?::[0-9a-f]{1,4}){1,5}|[0-9a-f]{1,4}:(?::[0-9a-f]{1,4}){1,6}|::ffff:(?:[0-9]{1,3}\.){3}[0-9]{1,3}|:(?::[0-9a-f]{1,4}){1,7})(?:%[0-9a-z]+)?)re",
       validate_ip, quick_ip, nullptr, true},
      {"@iban", R"re(\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\b)re", validate_iban, quick_iban,
       nullptr},
      // user:password up to the last '@' of the authority, so a password with an '@' in it is
      // scrubbed whole; without a ':' (a token as the user name), up to the first '@'.
      {"@url-userinfo",
       R"re((?i)\b[a-z][a-z0-9+.-]*://(?:[^\s/?#@:"'<>]*:[^\s/?#"'<>]*|[^\s/?#@"'<>]+)@)re",
       nullptr, quick_userinfo, userinfo},
      {"@query-secrets",
       R"re((?i)(?:^|[?&;#])(?:[a-z0-9_.-]*(?:token|secret|password|passwd|passwort|pwd|api[-_]?key|apikey|signature|credential)|key|auth|authorization|sig|session|sessionid|sid|jwt|code|code_verifier|client_assertion|pw)=[^&#\s"']+)re",
       nullptr, quick_query, after_equals},
      {"@private-key",
       R"re(-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----(?s:.*?)(?:-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|$))re",
       nullptr, quick_private_key, pem_body},
      {"@github-token",
       R"re(\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}))re", nullptr,
       quick_github, nullptr},
      {"@stripe-key",
       R"re(\b(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,247}|whsec_[A-Za-z0-9+/=]{24,}))re",
       nullptr, quick_stripe, nullptr},
      {"@aws-key",
       R"re(\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b|(?i:aws)[A-Za-z0-9_ .-]{0,20}?(?i:secret)[A-Za-z0-9_ .-]{0,20}?["']?\s*[:=]?\s*["']?[A-Za-z0-9/+=]{40}(?:[^A-Za-z0-9/+=]|$))re",
       nullptr, quick_aws, aws_key},
      {"@slack-token",
       R"re(\bxox[abposre](?:\.xox[bp])?-[0-9A-Za-z-]{10,250}|hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{10,200})re",
       nullptr, quick_slack, slack},
      {"@google-api-key", R"re(AIza[A-Za-z0-9_-]{35}(?:[^A-Za-z0-9_-]|$))re", nullptr, quick_google,
       google_key},
      {"@npm-token", R"re(\bnpm_[A-Za-z0-9]{36}(?:[^A-Za-z0-9]|$))re", nullptr, quick_npm,
       npm_token},
      {"@text-secrets", text_secrets_pattern(), nullptr, quick_text, text_secret},
  };
}

}  // namespace

std::span<const Detector> all() {
  static const std::vector<Detector> table = make_table();
  return table;
}

}  // namespace builtin
}  // namespace faultline::rules
