#include <catch2/catch.hpp>

#include <map>

#include "agent/config/loader.h"

using faultline::config::Getenv;
using faultline::config::load_defaults;
using faultline::config::load_text;

namespace {

Getenv env_of(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string error_of(const std::string& yaml, std::map<std::string, std::string> vars = {}) {
  auto c = load_text(yaml, "faultline.yaml", env_of(std::move(vars)));
  REQUIRE_FALSE(c.ok());
  return c.message();
}

}  // namespace

TEST_CASE("config: defaults come from the Sentry environment variables", "[config]") {
  auto c = load_defaults(env_of({{"SENTRY_DSN", "https://k@o1.ingest.sentry.io/42"},
                                 {"SENTRY_RELEASE", "shop@1.2.3"},
                                 {"SENTRY_DIST", "7"}}));
  REQUIRE(c.ok());
  CHECK(c->sentry.dsn == "https://k@o1.ingest.sentry.io/42");
  CHECK(c->sentry.release == "shop@1.2.3");
  CHECK(c->sentry.release_source == "SENTRY_RELEASE");
  CHECK(c->sentry.environment == "production");
  CHECK(c->sentry.dist == "7");
  CHECK(c->correlation.hold.count() == 5000);
  CHECK(c->pino.schema != nullptr);
}

TEST_CASE("config: the release falls back to CI commit variables like the Node SDK", "[config]") {
  auto c = load_defaults(env_of({{"SOURCE_VERSION", "abc"}, {"GITHUB_SHA", "def"}}));
  REQUIRE(c.ok());
  CHECK(c->sentry.release == "def");  // GITHUB_SHA comes first in @sentry/node's list
  CHECK(c->sentry.release_source == "GITHUB_SHA");
  auto none = load_defaults(env_of({}));
  REQUIRE(none.ok());
  CHECK(none->sentry.release.empty());
}

TEST_CASE("config: values in the file win over the environment", "[config]") {
  auto c = load_text("sentry:\n  environment: staging\n  release: ''\n", "f.yaml",
                     env_of({{"SENTRY_ENVIRONMENT", "prod"}, {"SENTRY_RELEASE", "r1"}}));
  REQUIRE(c.ok());
  CHECK(c->sentry.environment == "staging");
  CHECK(c->sentry.release.empty());
}

TEST_CASE("config: a bad duration names file, line, column, key, value and expectation",
          "[config]") {
  CHECK(error_of("correlation:\n  hold: five\n") ==
        "faultline.yaml:2:9: correlation.hold: expected a duration like \"5s\", got \"five\"");
}

TEST_CASE("config: unknown keys are errors with a suggestion", "[config]") {
  CHECK(error_of("correlation:\n  hodl: 5s\n") ==
        "faultline.yaml:2:3: correlation.hodl: unknown key (did you mean \"hold\"?)");
  CHECK(error_of("sentyr:\n  dsn: x\n") ==
        "faultline.yaml:1:1: sentyr: unknown key (did you mean \"sentry\"?)");
  CHECK(error_of("zzz: 1\n") == "faultline.yaml:1:1: zzz: unknown key");
}

TEST_CASE("config: a key given twice is an error", "[config]") {
  CHECK(error_of("log:\n  level: info\n  level: debug\n") ==
        "faultline.yaml:3:3: log.level: key given twice");
}

TEST_CASE("config: ${VAR} and ${VAR:-default} are expanded in scalars", "[config]") {
  auto c =
      load_text("sentry:\n  dsn: ${MY_DSN}\n  environment: ${ENV_NAME:-staging}\n  dist: a-$${x}\n",
                "f.yaml", env_of({{"MY_DSN", "https://k@h/1"}}));
  REQUIRE(c.ok());
  CHECK(c->sentry.dsn == "https://k@h/1");
  CHECK(c->sentry.environment == "staging");
  CHECK(c->sentry.dist == "a-${x}");
}

TEST_CASE("config: an unset ${VAR} without a default names the variable", "[config]") {
  CHECK(error_of("sentry:\n  dsn: ${NOT_SET}\n") ==
        "faultline.yaml:2:8: sentry.dsn: environment variable NOT_SET is not set "
        "(write ${NOT_SET:-default} to give a default)");
}

TEST_CASE("config: expanded values are validated like written ones", "[config]") {
  CHECK(error_of("correlation:\n  hold: ${HOLD}\n", {{"HOLD", "soon"}}) ==
        "faultline.yaml:2:9: correlation.hold: expected a duration like \"5s\", got \"soon\"");
}

TEST_CASE("config: YAML syntax errors carry the position", "[config]") {
  const std::string e = error_of("sentry:\n  dsn: [unclosed\n");
  CHECK(e.rfind("faultline.yaml:", 0) == 0);
  CHECK(e.find("invalid YAML") != std::string::npos);
}

TEST_CASE("config: typed values are checked", "[config]") {
  CHECK(error_of("delivery:\n  concurrency: 9\n") ==
        "faultline.yaml:2:16: delivery.concurrency: expected a whole number from 1 to 4, got "
        "\"9\"");
  CHECK(error_of("delivery:\n  tls_verify: maybe\n") ==
        "faultline.yaml:2:15: delivery.tls_verify: expected true or false, got \"maybe\"");
  CHECK(error_of("pino:\n  max_line_bytes: lots\n") ==
        "faultline.yaml:2:19: pino.max_line_bytes: expected a size like \"16KiB\" or \"1MiB\", "
        "got \"lots\"");
  CHECK(error_of("log:\n  level: loud\n") ==
        "faultline.yaml:2:10: log.level: expected one of \"debug\", \"info\", \"warn\", \"error\", "
        "got \"loud\"");
  CHECK(error_of("inputs:\n  - start_at: end\n") ==
        "faultline.yaml:2:5: inputs[0]: missing key \"path\"");
}

TEST_CASE("config: detect rules are compiled at load", "[config]") {
  CHECK(error_of("rules:\n  detect:\n    include:\n      - message: \"(\"\n") ==
        "faultline.yaml:4:18: rules.detect.include[0].message: bad RE2 pattern \"(\": missing ): "
        "(");
  CHECK(error_of("rules:\n  detect:\n    exclude:\n      - status: \"600\"\n") ==
        "faultline.yaml:4:17: rules.detect.exclude[0].status: expected a status or range like "
        "\"503\" or \"500-599\", got \"600\"");
  auto c = load_text(
      "rules:\n  detect:\n    err_floor: error\n    include:\n      - has: [orderId]\n"
      "        match: {\"req.url\": \"^/pay\"}\n",
      "f.yaml", env_of({}));
  REQUIRE(c.ok());
  CHECK(c->rules.detect.err_floor == 50);
  REQUIRE(c->rules.detect.include.size() == 1);
  CHECK(c->rules.detect.include[0].present_slots.size() == 1);
  CHECK(c->rules.detect.include[0].matches.size() == 1);
}

TEST_CASE("config: pino keys and custom levels", "[config]") {
  auto c = load_text(
      "pino:\n  message_key: message\n  error_key: auto\n  levels: {audit: 35}\n"
      "  nested_key: payload\n",
      "f.yaml", env_of({}));
  REQUIRE(c.ok());
  CHECK(c->pino.format.message_keys == std::vector<std::string>{"message"});
  CHECK(c->pino.format.error_keys == std::vector<std::string>{"err", "error"});
  CHECK(c->pino.format.levels.number("audit") == 35);
  CHECK(c->pino.format.nested_key == "payload");
}

TEST_CASE("config: key paths are checked at load, also those read only on the event path",
          "[config]") {
  CHECK(error_of("pino:\n  request_keys: [req, \"req[\"]\n") ==
        "faultline.yaml:2:23: pino.request_keys[1]: expected a key path like req.id or "
        "a[\"x.y\"], got path \"req[\": expected ']' at character 5");
  CHECK(error_of("pino:\n  user_id_keys: a..b\n") ==
        "faultline.yaml:2:17: pino.user_id_keys: expected a key path like req.id or a[\"x.y\"], "
        "got path \"a..b\": empty key at character 3");
  auto c =
      load_text("pino:\n  level_key: '[\"log.level\"]'\n  pid_keys: []\n", "f.yaml", env_of({}));
  REQUIRE(c.ok());
  CHECK(c->pino.format.level_keys == std::vector<std::string>{"[\"log.level\"]"});
  CHECK(c->pino.format.pid_keys.empty());
}

TEST_CASE("config: release names are checked against Sentry's rules", "[config]") {
  CHECK(faultline::config::release_problem("shop@1.2.3+45").empty());
  CHECK_FALSE(faultline::config::release_problem("latest").empty());
  CHECK_FALSE(faultline::config::release_problem("a/b").empty());
  CHECK_FALSE(faultline::config::release_problem(std::string(201, 'a')).empty());
  CHECK(error_of("sentry:\n  release: latest\n") ==
        "faultline.yaml: sentry.release: \"latest\" (from sentry.release) is not allowed as a "
        "release name");
}

TEST_CASE("config: values that would fail later are refused at load, with their position",
          "[config]") {
  CHECK(error_of("delivery:\n  connect_timeout: 0s\n") ==
        "faultline.yaml:2:20: delivery.connect_timeout: expected a duration from 1ms to 1h, got "
        "\"0s\"");
  CHECK(error_of("pino:\n  max_line_bytes: 1000GiB\n") ==
        "faultline.yaml:2:19: pino.max_line_bytes: expected a size from 1KiB to 256MiB, got "
        "\"1000GiB\"");
  CHECK(error_of("delivery:\n  backoff_initial: 10m\n") ==
        "faultline.yaml:2:20: delivery.backoff_initial: must not be longer than "
        "delivery.backoff_max (5m)");
}

TEST_CASE("config: a DSN shown back in a message never shows its key", "[config]") {
  const std::string e = error_of("sentry: ${SENTRY_DSN}\n",
                                 {{"SENTRY_DSN", "https://s3cr3tk3y@o1.ingest.sentry.io/42"}});
  CHECK(e.find("s3cr3tk3y") == std::string::npos);
  CHECK(e.find("https://[key]@o1.ingest.sentry.io/42") != std::string::npos);
}

TEST_CASE("config: rules.hash-key-env is accepted (the rules compiler reads it)", "[config]") {
  auto c = load_text("rules:\n  hash-key-env: MY_KEY\n", "f.yaml", env_of({}));
  CHECK(c.ok());
}
