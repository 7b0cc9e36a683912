#include <catch2/catch.hpp>

#include "agent/delivery/dsn.h"

using faultline::delivery::parse_dsn;

namespace {
constexpr const char* kKey = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
}

TEST_CASE("dsn: SaaS DSN gives the envelope URL and auth header", "[dsn]") {
  auto dsn = parse_dsn(std::string("https://") + kKey + "@o1.ingest.us.sentry.io/42");
  REQUIRE(dsn.ok());
  CHECK(dsn->scheme() == "https");
  CHECK(dsn->host() == "o1.ingest.us.sentry.io");
  CHECK(dsn->port() == 0);
  CHECK(dsn->path().empty());
  CHECK(dsn->project_id() == "42");
  CHECK(dsn->envelope_url() == "https://o1.ingest.us.sentry.io/api/42/envelope/");
  CHECK(dsn->auth_header("faultline/0.1.0") ==
        std::string("Sentry sentry_version=7, sentry_client=faultline/0.1.0, sentry_key=") + kKey);
  CHECK(dsn->str() == "https://o1.ingest.us.sentry.io/42");
}

TEST_CASE("dsn: path prefix and port are kept in the URL", "[dsn]") {
  auto dsn = parse_dsn("http://abc@sentry.internal:9000/some/path/42");
  REQUIRE(dsn.ok());
  CHECK(dsn->port() == 9000);
  CHECK(dsn->path() == "some/path");
  CHECK(dsn->envelope_url() == "http://sentry.internal:9000/some/path/api/42/envelope/");
  CHECK(dsn->str() == "http://sentry.internal:9000/some/path/42");
}

TEST_CASE("dsn: IPv6 hosts keep their brackets", "[dsn]") {
  auto dsn = parse_dsn("http://abc@[::1]:8080/7");
  REQUIRE(dsn.ok());
  CHECK(dsn->host() == "[::1]");
  CHECK(dsn->envelope_url() == "http://[::1]:8080/api/7/envelope/");
  auto scoped = parse_dsn("https://abc@[fe80::1%25eth0]/7");
  REQUIRE(scoped.ok());
  CHECK(scoped->host() == "[fe80::1%25eth0]");
}

TEST_CASE("dsn: a secret is accepted, ignored and never sent", "[dsn]") {
  auto dsn = parse_dsn("https://public:supersecret@host.example/5");
  REQUIRE(dsn.ok());
  CHECK(dsn->auth_header("x/1").find("supersecret") == std::string::npos);
  CHECK(dsn->auth_header("x/1").find("sentry_secret") == std::string::npos);
  CHECK(dsn->str().find("supersecret") == std::string::npos);
}

TEST_CASE("dsn: empty or blank DSN means send nothing", "[dsn]") {
  auto empty = parse_dsn("");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  auto blank = parse_dsn("  \n");
  REQUIRE(blank.ok());
  CHECK(blank->empty());
  CHECK(blank->str().empty());
}

TEST_CASE("dsn: like the SDKs, trailing slashes, queries and junk after the project digits",
          "[dsn]") {
  auto trailing = parse_dsn("https://k@h.example/42/");
  REQUIRE(trailing.ok());
  CHECK(trailing->project_id() == "42");
  auto query = parse_dsn("https://k@h.example/42?x=1");
  REQUIRE(query.ok());
  CHECK(query->project_id() == "42");
  auto junk = parse_dsn("https://k@h.example/42abc");
  REQUIRE(junk.ok());
  CHECK(junk->project_id() == "42");
  auto upper = parse_dsn(" HTTPS://k@h.example/1 ");
  REQUIRE(upper.ok());
  CHECK(upper->scheme() == "https");
}

TEST_CASE("dsn: bad DSNs fail with a reason and never echo the key", "[dsn]") {
  const std::string secret_key = "deadbeefdeadbeefdeadbeefdeadbeef";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"ftp://" + secret_key + "@h/1", "scheme"},
      {secret_key + "@h/1", "://"},
      {"https://h.example/1", "public key"},
      {"https://@h.example/1", "public key"},
      {"https://" + secret_key + "@/1", "host"},
      {"https://" + secret_key + "@h.example", "project id"},
      {"https://" + secret_key + "@h.example/", "project id"},
      {"https://" + secret_key + "@h.example/abc", "project id"},
      {"https://" + secret_key + "@h.example:0/1", "port"},
      {"https://" + secret_key + "@h.example:65536/1", "port"},
      {"https://" + secret_key + "@h.example:/1", "port"},
      {"https://" + secret_key + "@h.example:80x/1", "port"},
      {"https://" + secret_key + "@[::1/1", "']'"},
      {"https://" + secret_key + "@h_b!/1", "host"},
      {"https://ke y@h.example/1", "public key"},
      {"https://" + secret_key + "@h.example/a b/1", "path"},
  };
  for (const auto& [text, reason] : cases) {
    INFO(text);
    auto dsn = parse_dsn(text);
    REQUIRE_FALSE(dsn.ok());
    CHECK(dsn.message().rfind("invalid DSN: ", 0) == 0);
    CHECK(dsn.message().find(reason) != std::string::npos);
    CHECK(dsn.message().find(secret_key) == std::string::npos);
  }
}

TEST_CASE("dsn: redact replaces the key in text from elsewhere", "[dsn]") {
  auto dsn = parse_dsn(std::string("https://") + kKey + "@h.example/1");
  REQUIRE(dsn.ok());
  CHECK(dsn->redact(std::string("bad key ") + kKey + " and " + kKey) == "bad key [key] and [key]");
  CHECK(dsn->redact("nothing here") == "nothing here");
}
