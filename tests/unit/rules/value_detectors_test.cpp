#include <catch2/catch.hpp>

#include "rules/value_detectors.h"

using faultline::rules::iban_valid;
using faultline::rules::luhn_valid;
using faultline::rules::Span;
using faultline::rules::ValueDetectorSet;

namespace {

// The parts of `text` the named built-in finds.
std::vector<std::string> found(std::string_view detector, std::string_view text) {
  ValueDetectorSet set;
  REQUIRE(set.add_builtin(detector).ok());
  REQUIRE(set.compile().ok());
  std::vector<Span> spans;
  set.find(text, spans);
  ValueDetectorSet::merge(spans);
  std::vector<std::string> out;
  for (const Span& s : spans) out.emplace_back(text.substr(s.begin, s.end - s.begin));
  return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("detectors: Luhn and IBAN checks", "[detectors]") {
  REQUIRE(luhn_valid("4111111111111111"));
  REQUIRE(luhn_valid("378282246310005"));
  REQUIRE_FALSE(luhn_valid("4111111111111112"));
  REQUIRE_FALSE(luhn_valid("1234567812345678"));
  REQUIRE(iban_valid("GB82WEST12345698765432"));
  REQUIRE(iban_valid("DE89 3704 0044 0532 0130 00"));
  REQUIRE_FALSE(iban_valid("GB82WEST12345698765433"));
  REQUIRE_FALSE(iban_valid("ZZ82WEST12345698765432"));
}

TEST_CASE("detectors: @email, plain and URL-encoded", "[detectors]") {
  REQUIRE(found("@email", "user alice@example.com bought 3 items") == V{"alice@example.com"});
  REQUIRE(found("@email", "q=gift&email=carol%2Bshop%40example.net&x=1") ==
          V{"carol%2Bshop%40example.net"});
  REQUIRE(found("@email", "<bounce-me@example.invalid>: rejected") ==
          V{"bounce-me@example.invalid"});
  REQUIRE(found("@email", "a@b.co, c.d@e.org") == V{"a@b.co", "c.d@e.org"});
  REQUIRE(found("@email", "@sentry/node and user@localhost").empty());
}

TEST_CASE("detectors: @creditcard needs a card prefix and a valid Luhn digit", "[detectors]") {
  REQUIRE(found("@creditcard", "card 4111111111111111 declined") == V{"4111111111111111"});
  REQUIRE(found("@creditcard", "amex 3782 822463 10005 ok") == V{"3782 822463 10005"});
  REQUIRE(found("@creditcard", "4000-0566-5566-5556") == V{"4000-0566-5566-5556"});
}

TEST_CASE("detectors: false-positive-prone values are kept", "[detectors][regression]") {
  // A 16-digit order number that fails Luhn.
  REQUIRE(found("@creditcard", "order 4111111111111112 shipped").empty());
  REQUIRE(found("@all", "order 4111111111111112 shipped").empty());
  // Luhn-valid but no card network starts with 1 (an epoch-ms timestamp, a 16-digit id).
  REQUIRE(found("@creditcard", "ts 1795502011298 id 1234567812345670").empty());
  // UUIDs, request ids, hex digests, versions and loopback addresses.
  REQUIRE(found("@all", "5241e069-2ac4-440d-bc48-fee3fd3a2bc3").empty());
  REQUIRE(found("@all", "etag W/\"b-1rfDSHg9LX0YE/aNgleyZkCIVpY\" pay_e18858ae16942fb7").empty());
  REQUIRE(found("@all", "node v20.20.2, chrome 126.0.6478.126, at 10:30:45").empty());
  REQUIRE(found("@all", "connect ECONNREFUSED 127.0.0.1:5432 and ::1").empty());
  REQUIRE(found("@all", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36").empty());
  REQUIRE(found("@all", "basic validation failed").empty());
  REQUIRE(found("@all", "at Socket.emit (node:events:524:28)").empty());
}

TEST_CASE("detectors: @jwt", "[detectors]") {
  const std::string jwt =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI3NzIifQ.9CiCwavpM47ecaLRavXVTvd3-zjze6wt2Z";
  REQUIRE(found("@jwt", "token " + jwt + " issued") == V{jwt});
  REQUIRE(found("@jwt", "eyJhbGciOi alone").empty());
}

TEST_CASE("detectors: @bearer and @basic-auth take the credential only", "[detectors]") {
  REQUIRE(found("@bearer", "Authorization: Bearer abc.def-ghi_123") == V{"abc.def-ghi_123"});
  REQUIRE(found("@bearer", "bearer token").empty());
  // "alice:s3cret" in base64.
  REQUIRE(found("@basic-auth", "Basic YWxpY2U6czNjcmV0") == V{"YWxpY2U6czNjcmV0"});
  REQUIRE(found("@basic-auth", "Basic dmFsaWRhdGlvbg==").empty());  // "validation": no ':'
}

TEST_CASE("detectors: @ip finds public and private addresses, keeps loopback", "[detectors]") {
  REQUIRE(found("@ip", "x-forwarded-for 203.0.113.83, 10.0.0.12") ==
          V{"203.0.113.83", "10.0.0.12"});
  REQUIRE(found("@ip", "client 2001:db8::8a2e:370:7334 connected") == V{"2001:db8::8a2e:370:7334"});
  REQUIRE(found("@ip", "mapped ::ffff:198.51.100.7") == V{"::ffff:198.51.100.7"});
  REQUIRE(found("@ip", "127.0.0.1 ::1 0.0.0.0").empty());
  REQUIRE(found("@ip", "oid 1.3.6.1.4.1 version 1.2.3.4.5").empty());
}

TEST_CASE("detectors: @iban, @url-userinfo, @query-secrets", "[detectors]") {
  REQUIRE(found("@iban", "pay to GB82WEST12345698765432 today") == V{"GB82WEST12345698765432"});
  REQUIRE(found("@iban", "code GB82WEST12345698765433").empty());
  REQUIRE(found("@url-userinfo", "postgres://admin:s3cret@db:5432/app") == V{"admin:s3cret"});
  REQUIRE(found("@url-userinfo", "https://example.com/a@b").empty());
  REQUIRE(found("@query-secrets",
                "/api/search?q=gift&access_token=66f4a1a2&email=x&api_key=k1&sig=zz") ==
          V{"66f4a1a2", "k1", "zz"});
  REQUIRE(found("@query-secrets", "?tokens=5").empty());
  REQUIRE(found("@query-secrets", "the key=value store").empty());
}

TEST_CASE("detectors: custom patterns scrub group 1 when there is one", "[detectors]") {
  ValueDetectorSet set;
  REQUIRE(set.add_custom("order-ref", R"(ORD-(\d{6}))").ok());
  REQUIRE(set.add_custom("whole", R"(SECRET-[A-Z]+)").ok());
  REQUIRE(set.compile().ok());
  std::vector<Span> spans;
  std::string text = "ref ORD-123456 and SECRET-ABC";
  set.find(text, spans);
  ValueDetectorSet::merge(spans);
  REQUIRE(spans.size() == 2);
  REQUIRE(text.substr(spans[0].begin, spans[0].end - spans[0].begin) == "123456");
  REQUIRE(text.substr(spans[1].begin, spans[1].end - spans[1].begin) == "SECRET-ABC");
  REQUIRE(set.name(spans[1].detector) == "whole");
}

TEST_CASE("detectors: unknown names and bad patterns are errors", "[detectors]") {
  ValueDetectorSet set;
  auto s = set.add_builtin("@emial");
  REQUIRE_FALSE(s.ok());
  REQUIRE(s.message() == "unknown detector \"@emial\" (did you mean \"@email\"?)");
  REQUIRE_FALSE(set.add_custom("x", "(").ok());
}

TEST_CASE("detectors: the extra prefilter reports without spans", "[detectors]") {
  ValueDetectorSet set;
  REQUIRE(set.add_builtin("@email").ok());
  REQUIRE(set.set_extra_prefilter("(?i)password").ok());
  REQUIRE(set.compile().ok());
  std::vector<Span> spans;
  REQUIRE(set.find("Password=x", spans));
  REQUIRE(spans.empty());
  REQUIRE_FALSE(set.find("a@b.co", spans));
  REQUIRE(spans.size() == 1);
}

TEST_CASE("detectors: @url-userinfo takes a password with an '@' whole, keeps the host",
          "[detectors][regression]") {
  REQUIRE(found("@url-userinfo", "connect postgres://app:p@ss@db.internal:5432/shop failed") ==
          V{"app:p@ss"});
  REQUIRE(found("@url-userinfo", "redis://:s3cret@cache:6379") == V{":s3cret"});
  REQUIRE(found("@url-userinfo", "https://ghp_token@github.com/org/repo") == V{"ghp_token"});
  REQUIRE(found("@url-userinfo", "https://registry.example.com:443/@scope/pkg").empty());
  // The user and host of a URL are not an email address.
  REQUIRE(found("@email", "connect postgres://app:pw@db.internal:5432/shop").empty());
  REQUIRE(found("@email", "smtp://mailer@mail.example.com:587").empty());
  REQUIRE(found("@email", "https://example.com/u?to=bob@example.com") == V{"bob@example.com"});
}

TEST_CASE("detectors: @query-secrets takes OAuth codes and tokens, keeps state",
          "[detectors][regression]") {
  REQUIRE(found("@query-secrets",
                "https://app.example.com/cb?code=4/0AfJohXn&state=af0ifjsldkj&scope=email") ==
          V{"4/0AfJohXn"});
  REQUIRE(found("@query-secrets",
                "/cb#access_token=at1&id_token=it2&refresh_token=rt3&token_type=Bearer") ==
          V{"at1", "it2", "rt3"});
  REQUIRE(found("@query-secrets", "/token?client_id=app&client_secret=cs9&grant_type=x") ==
          V{"cs9"});
  REQUIRE(found("@query-secrets", "?client_assertion=eyJx&pw=hunter2") == V{"eyJx", "hunter2"});
  REQUIRE(found("@query-secrets", "/errors?code=E42 status=500") == V{"E42"});  // a query
  REQUIRE(found("@query-secrets", "failed with code=E42").empty());             // prose: kept
}

TEST_CASE("detectors: @private-key scrubs the body of a PEM private key block", "[detectors]") {
  const std::string pem =
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7bq98\nhL2VvPcHjdUw3\n"
      "-----END RSA PRIVATE KEY-----";
  REQUIRE(found("@private-key", "bad key " + pem + " rejected") ==
          V{"\nMIIEpAIBAAKCAQEA7bq98\nhL2VvPcHjdUw3\n"});
  REQUIRE(found("@private-key", "-----BEGIN OPENSSH PRIVATE KEY-----b3BlbnNzaC1rZXkt") ==
          V{"b3BlbnNzaC1rZXkt"});  // cut off before its END: to the end of the text
  REQUIRE(found("@private-key",
                "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF\n"
                "-----END PGP PRIVATE KEY BLOCK-----") == V{"\nlQOYBF\n"});
  REQUIRE(found("@private-key", "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----")
              .empty());  // a certificate is public
}

TEST_CASE("detectors: the token formats secret scanners know", "[detectors]") {
  const std::string ghp = "ghp_" + std::string("aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5");
  REQUIRE(found("@github-token", "auth " + ghp + " rejected") == V{ghp});
  for (const char* p : {"gho_", "ghu_", "ghs_", "ghr_"}) {
    REQUIRE(found("@github-token", p + std::string(36, 'x') + ".") == V{p + std::string(36, 'x')});
  }
  const std::string pat = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz";
  REQUIRE(found("@github-token", "GITHUB_TOKEN " + pat) == V{pat});
  REQUIRE(found("@github-token", "ghp_short and the gh cli").empty());

  REQUIRE(
      found("@stripe-key", "sk_live_51HxyzABCDEFGHIJKLMNOPqr, sk_test_4eC39HqLyjWDarjtT1zdp7dc") ==
      V{"sk_live_51HxyzABCDEFGHIJKLMNOPqr", "sk_test_4eC39HqLyjWDarjtT1zdp7dc"});
  REQUIRE(found("@stripe-key", "rk_live_0123456789abcdef whsec_0123456789abcdefghijklmn") ==
          V{"rk_live_0123456789abcdef", "whsec_0123456789abcdefghijklmn"});
  REQUIRE(found("@stripe-key", "pk_live_0123456789abcdef is publishable").empty());

  REQUIRE(found("@aws-key", "key AKIAIOSFODNN7EXAMPLE, temp ASIAY34FZKBOKMUTVV7A") ==
          V{"AKIAIOSFODNN7EXAMPLE", "ASIAY34FZKBOKMUTVV7A"});
  REQUIRE(found("@aws-key", "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n") ==
          V{"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"});
  REQUIRE(found("@aws-key",
                "\"AWS_SECRET_ACCESS_KEY\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"") ==
          V{"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"});
  // Forty base64 characters without an AWS secret named before them: a digest, kept.
  REQUIRE(found("@aws-key", "sha1 wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").empty());

  REQUIRE(found("@slack-token", "xoxb-1234567890-1234567890123-abcdefghijABCDEFGHIJklmn ok") ==
          V{"xoxb-1234567890-1234567890123-abcdefghijABCDEFGHIJklmn"});
  REQUIRE(found("@slack-token", "xoxp-41684372915-1320496754-45609968301-e708ba56e1517a99") ==
          V{"xoxp-41684372915-1320496754-45609968301-e708ba56e1517a99"});
  REQUIRE(found("@slack-token",
                "POST https://hooks.slack.com/services/T0001/B0002/XXXXXXXXXXXXXXXXXXXXXXXX") ==
          V{"T0001/B0002/XXXXXXXXXXXXXXXXXXXXXXXX"});
  REQUIRE(found("@slack-token", "xoxo and hugs").empty());

  const std::string google = "AIzaSyA1234567890abcdefghijklmnopqrstuv";
  REQUIRE(found("@google-api-key", "?key=" + google + "&x=1") == V{google});
  REQUIRE(found("@google-api-key", google) == V{google});
  const std::string npm = "npm_abcdefghijklmnopqrstuvwxyz0123456789";
  REQUIRE(found("@npm-token", "//registry.npmjs.org/:_authToken=" + npm) == V{npm});
  REQUIRE(found("@npm-token", "npm_config_cache=/tmp").empty());
}

TEST_CASE("detectors: @text-secrets takes the value after a secret word in prose", "[detectors]") {
  REQUIRE(found("@text-secrets", "login failed for carol with password hunter2") == V{"hunter2"});
  REQUIRE(found("@text-secrets", "rejected bad token abc.def") == V{"abc.def"});
  REQUIRE(found("@text-secrets", "the password is Tr0ub4dor&3.") == V{"Tr0ub4dor&3"});
  REQUIRE(found("@text-secrets", "invalid api key sk-proj-xyz9 (revoked)") == V{"sk-proj-xyz9"});
  REQUIRE(found("@text-secrets", "secret: letmein") == V{"letmein"});  // named by ':'
  REQUIRE(found("@text-secrets", "node app.js --token ghs1 --password=abc") == V{"ghs1", "abc"});
  REQUIRE(found("@text-secrets", "node app.js --token plainword") == V{"plainword"});
  REQUIRE(found("@text-secrets", "Passwort hunter2 falsch") == V{"hunter2"});
  REQUIRE(found("@text-secrets", "refresh_token 9f8e7d6c expired") == V{"9f8e7d6c"});
}

TEST_CASE("detectors: @text-secrets keeps error messages that only talk about secrets",
          "[detectors][regression]") {
  for (const char* text : {
           "password reset failed",
           "password is required",
           "token expired",
           "invalid token",
           "JsonWebTokenError: invalid token",
           "Unexpected token u in JSON at position 0",
           "Unexpected token 'o', \"[object Obj\"... is not valid JSON",
           "Unexpected token } in JSON at position 12",
           "password authentication failed for user \"app\"",
           "secret or public key must be provided",
           "secretOrPrivateKey must have a value",
           "tokens 5 left",
           "password [Filtered] rejected",
           "Access key ID is missing",
       }) {
    INFO(text);
    REQUIRE(found("@text-secrets", text).empty());
  }
}

TEST_CASE("detectors: every built-in compiles, alone and in the prefilter set", "[detectors]") {
  for (std::string_view name : ValueDetectorSet::builtin_names()) {
    ValueDetectorSet set;
    REQUIRE(set.add_builtin(name).ok());
    REQUIRE(set.compile().ok());
    INFO(name);
    REQUIRE(set.regex(0).ok());
  }
  ValueDetectorSet all;
  REQUIRE(all.add_builtin("@all").ok());
  REQUIRE(all.compile().ok());
}

TEST_CASE("detectors: a built-in's regex is compiled once and shared by every set", "[detectors]") {
  ValueDetectorSet a, b;
  REQUIRE(a.add_builtin("@github-token").ok());
  REQUIRE(b.add_builtin("@all").ok());
  REQUIRE(a.add_custom("custom", "x[0-9]+").ok());
  REQUIRE(b.add_custom("custom", "x[0-9]+").ok());
  REQUIRE(a.compile().ok());
  REQUIRE(b.compile().ok());
  int github = -1;
  for (size_t i = 0; i < b.size(); ++i) {
    if (b.name(static_cast<int>(i)) == "@github-token") github = static_cast<int>(i);
  }
  REQUIRE(&a.regex(0) == &b.regex(github));
  // A custom pattern is each set's own.
  REQUIRE(&a.regex(1) != &b.regex(static_cast<int>(b.size()) - 1));
}

TEST_CASE("detectors: the prefilter drops only the upper bounds of counted repetitions",
          "[detectors]") {
  using faultline::rules::without_upper_bounds;
  REQUIRE(without_upper_bounds("gh[pousr]_[A-Za-z0-9]{36,255}") == "gh[pousr]_[A-Za-z0-9]{36,}");
  REQUIRE(without_upper_bounds("a{2,63}?b{3}c{4,}d{,5}") == "a{2,}?b{3}c{4,}d{,5}");
  // Literal braces: escaped, in a class (also after a leading ']' or in [:digit:]), in \Q...\E.
  REQUIRE(without_upper_bounds(R"(\{1,2}x{1,2})") == R"(\{1,2}x{1,})");
  REQUIRE(without_upper_bounds("[{1,2}]{1,2}") == "[{1,2}]{1,}");
  REQUIRE(without_upper_bounds("[]{1,2}][^]{1,2}]") == "[]{1,2}][^]{1,2}]");
  REQUIRE(without_upper_bounds("[[:digit:]{1,2}]x") == "[[:digit:]{1,2}]x");
  REQUIRE(without_upper_bounds(R"(\Qa{1,2}\E{1,2})") == R"(\Qa{1,2}\E{1,2})");
  REQUIRE(without_upper_bounds("[a\\]{1,2}]") == "[a\\]{1,2}]");
}

TEST_CASE("detectors: a secret longer than a repetition's bound is found as before",
          "[detectors]") {
  // The prefilter set has no upper bound; the detector's own regex still stops at 255.
  const std::string run(300, 'a');
  REQUIRE(found("@github-token", "ghp_" + run) == V{"ghp_" + run.substr(0, 255)});
}
