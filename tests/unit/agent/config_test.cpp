#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "agent/config/loader.h"
#include "agent/config/options.h"

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
        "faultline.yaml:2:9: correlation.hold: expected a duration like \"5s\", \"250ms\" or "
        "\"1.5m\", got \"five\"");
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
        "faultline.yaml:2:9: correlation.hold: expected a duration like \"5s\", \"250ms\" or "
        "\"1.5m\", got \"soon\"");
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
        "faultline.yaml:2:12: sentry.release: \"latest\" is not allowed as a release name");
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

// --- Limits and errors: what new users and a fault-injection run found -------------------------

namespace {

// Nine levels of nine aliases ("billion laughs") as list items or keyed entries at `indent`.
std::string laughs(const std::string& indent, bool keyed) {
  std::string out;
  for (int level = 0; level < 9; ++level) {
    out += indent + (keyed ? "k" + std::to_string(level) + ": " : "- ") + "&a" +
           std::to_string(level) + " [";
    for (int i = 0; i < 9; ++i) {
      if (i) out += ", ";
      out += level == 0 ? "lol" : "*a" + std::to_string(level - 1);
    }
    out += "]\n";
  }
  return out;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  const bool yes = s.rfind(prefix, 0) == 0;
  if (!yes) UNSCOPED_INFO("message: " << s);
  return yes;
}

}  // namespace

TEST_CASE("config: a directory given as the config file is an error", "[config]") {
  auto c = faultline::config::load_file(FAULTLINE_DATA_DIR, env_of({}));
  REQUIRE_FALSE(c.ok());
  CHECK(c.message() == std::string(FAULTLINE_DATA_DIR) + ": is a directory");
}

TEST_CASE("config: an unclosed quote is an error at the quote, not a value eating the file",
          "[config]") {
  CHECK(starts_with(
      error_of("sentry:\n  release: \"shop@1\n  environment: staging\nlog:\n  level: info\n"),
      "faultline.yaml:2:12: sentry.release: this \" is not closed on its line"));
}

TEST_CASE("config: a self-referencing alias is an error, not a stack overflow", "[config]") {
  CHECK(error_of("a: &a [*a]\n") ==
        "faultline.yaml:1:8: a[0]: alias *a is inside the node it names (&a), so it would repeat "
        "forever");
  CHECK(
      starts_with(error_of("sentry:\n  dsn: &d {x: *d}\n"), "faultline.yaml:2:15: sentry.dsn.x:"));
}

TEST_CASE("config: alias bombs are refused at once, wherever they are", "[config]") {
  for (const std::string& text :
       {"bomb:\n" + laughs("  ", true), "rules:\n  list:\n" + laughs("    ", false),
        "rules:\n  presets: []\n  list:\n    - drop: bomb\n      when:\n        any:\n" +
            laughs("          ", false)}) {
    // Bounded by the node limit, not by a clock: timing belongs in bench/, not in a test.
    const std::string e = error_of(text);
    CHECK(e.find("the document has more than 100000 values") != std::string::npos);
    CHECK(starts_with(e, "faultline.yaml:"));
  }
}

TEST_CASE("config: $${ reached through an alias is expanded once", "[config]") {
  auto c = load_text("sentry:\n  dist: &d \"a-$${HOME}\"\n  server_name: *d\n", "f.yaml",
                     env_of({{"HOME", "/root"}}));
  REQUIRE(c.ok());
  CHECK(c->sentry.dist == "a-${HOME}");
  CHECK(c->sentry.server_name == "a-${HOME}");
}

TEST_CASE("config: a second YAML document is an error at its ---", "[config]") {
  CHECK(starts_with(error_of("log:\n  level: info\n---\nlog:\n  level: debug\n"),
                    "faultline.yaml:3:1: a second YAML document starts here"));
}

TEST_CASE("config: the size of the text and the number of values are capped", "[config]") {
  const std::string big(2 * 1024 * 1024, '#');
  CHECK(error_of(big) == "faultline.yaml: the document is 2097152 bytes; the limit is 1MiB");
  std::string many = "pino:\n  user_id_keys:\n";
  for (int i = 0; i < 120'000; ++i) many += "  - a\n";  // 720KB, under the size cap
  CHECK(starts_with(error_of(many), "faultline.yaml:"));
  CHECK(error_of(many).find("more than 100000 values") != std::string::npos);
}

TEST_CASE("config: DSN, release and release_file errors carry line and column", "[config]") {
  CHECK(starts_with(error_of("sentry:\n  dsn: not-a-dsn\n"), "faultline.yaml:2:8: sentry.dsn: "));
  CHECK(starts_with(error_of("sentry:\n  release_file: /nonexistent/REVISION\n"),
                    "faultline.yaml:2:17: sentry.release_file: cannot read "
                    "/nonexistent/REVISION: No such file or directory"));
  // From the environment there is no position, but the variable is named.
  CHECK(starts_with(error_of("log: {level: info}\n", {{"SENTRY_DSN", "nope"}}),
                    "faultline.yaml: sentry.dsn (from SENTRY_DSN): "));
}

TEST_CASE("config: a release error never shows the value", "[config]") {
  const std::string e = error_of("sentry:\n  release: https://s3cr3tk3y@o1.ingest.sentry.io/42\n");
  CHECK(e ==
        "faultline.yaml:2:12: sentry.release: a release must not contain '/', '\\', a newline or "
        "a tab (this one has 40 characters; it is not shown, as it may be a secret)");
  const std::string from_env =
      error_of("log: {level: info}\n", {{"SENTRY_RELEASE", std::string(250, 'k')}});
  CHECK(from_env ==
        "faultline.yaml: sentry.release (from SENTRY_RELEASE): a release must be at most 200 "
        "characters (this one has 250 characters; it is not shown, as it may be a secret)");
}

TEST_CASE("config: a release_file that is a directory, not a file, or empty is an error",
          "[config]") {
  CHECK(error_of("sentry:\n  release_file: " FAULTLINE_DATA_DIR "\n") ==
        "faultline.yaml:2:17: sentry.release_file: cannot read " FAULTLINE_DATA_DIR
        ": is a directory");
  // A device is refused before a byte is read (/dev/zero would never end a line), and a FIFO
  // before its open() could wait for a writer.
  char dir_template[] = "/tmp/faultline-release-XXXXXX";
  REQUIRE(::mkdtemp(dir_template) != nullptr);
  const std::string dir = dir_template;
  const std::string fifo = dir + "/REVISION.fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string empty = dir + "/REVISION";
  std::FILE* f = std::fopen(empty.c_str(), "w");
  REQUIRE(f != nullptr);
  std::fclose(f);
  for (const std::string& special : {std::string("/dev/zero"), std::string("/dev/null"), fifo}) {
    CHECK(error_of("sentry:\n  release_file: " + special + "\n") ==
          "faultline.yaml:2:17: sentry.release_file: cannot read " + special +
              ": not a regular file (a device, a FIFO or a socket): expected a file");
  }
  CHECK(error_of("sentry:\n  release_file: " + empty + "\n") ==
        "faultline.yaml:2:17: sentry.release_file: the first line of " + empty +
            " is empty: no release");
  std::remove(fifo.c_str());
  std::remove(empty.c_str());
  ::rmdir(dir.c_str());
}

TEST_CASE("config: the proxy must be a URL", "[config]") {
  CHECK(error_of("delivery:\n  proxy: \"notaurl x\"\n") ==
        "faultline.yaml:2:10: delivery.proxy: expected a proxy URL like "
        "\"http://proxy.internal:3128\" (scheme http, https, socks4, socks4a, socks5 or socks5h; "
        "a host; an optional port; no spaces), got \"notaurl x\"");
  auto c = load_text("delivery:\n  proxy: socks5h://user:pw@proxy.internal:1080\n", "f.yaml",
                     env_of({}));
  REQUIRE(c.ok());
  CHECK(c->delivery.proxy == "socks5h://user:pw@proxy.internal:1080");
  using faultline::config::valid_proxy_url;
  for (const char* good :
       {"http://proxy:3128", "https://proxy.example.com", "socks4://10.0.0.1:1080", "socks4a://p:1",
        "HTTP://proxy/", "http://[::1]:8080", "http://u@p:80"}) {
    INFO(good);
    CHECK(valid_proxy_url(good));
  }
  for (const char* bad : {"notaurl x", "proxy:3128", "ftp://proxy", "http://", "http://:80",
                          "http://proxy:0", "http://proxy:65536", "http://proxy:x",
                          "http://proxy/path", "http://pro xy", "http://[::1"}) {
    INFO(bad);
    CHECK_FALSE(valid_proxy_url(bad));
  }
}

TEST_CASE("config: every problem is reported, not just the first", "[config]") {
  CHECK(error_of("correlation:\n  hold: five\n  hodl: 5s\ndelivery:\n  concurrency: 9\n") ==
        "faultline.yaml:2:9: correlation.hold: expected a duration like \"5s\", \"250ms\" or "
        "\"1.5m\", got \"five\"\n"
        "faultline.yaml:3:3: correlation.hodl: unknown key (did you mean \"hold\"?)\n"
        "faultline.yaml:5:16: delivery.concurrency: expected a whole number from 1 to 4, got "
        "\"9\"");
}

TEST_CASE("config: booleans are true and false, in the config and in rules alike", "[config]") {
  auto c = load_text("delivery:\n  tls_verify: False\ncorrelation:\n  enabled: TRUE\n", "f.yaml",
                     env_of({}));
  REQUIRE(c.ok());
  CHECK_FALSE(c->delivery.tls_verify);
  CHECK(c->correlation.enabled);
  CHECK(error_of("delivery:\n  tls_verify: yes\n") ==
        "faultline.yaml:2:15: delivery.tls_verify: expected true or false, got \"yes\" (booleans "
        "are true and false, as in YAML 1.2)");
  CHECK(error_of("rules:\n  presets: {secrets: on}\n") ==
        "faultline.yaml:2:22: rules.presets.secrets: expected true or false, got \"on\" (booleans "
        "are true and false, as in YAML 1.2)");
}

// The two inconsistencies of the old grammars, in a whole configuration: 1.5m was valid for
// correlation.hold but not for a throttle window; 30 was valid for a window but not for hold.
TEST_CASE("config: one duration grammar for config keys and rules", "[config]") {
  auto c = load_text(
      "correlation:\n  hold: 1.5m\nrules:\n  presets: []\n  list:\n"
      "    - throttle: {max: 5, window: 1.5m}\n",
      "f.yaml", env_of({}));
  INFO(c.message());
  REQUIRE(c.ok());
  CHECK(c->correlation.hold.count() == 90'000);
  CHECK(error_of("correlation:\n  hold: 30\n") ==
        "faultline.yaml:2:9: correlation.hold: expected a duration like \"5s\", \"250ms\" or "
        "\"1.5m\", got \"30\" (write 30s or 30ms)");
  CHECK(error_of("rules:\n  presets: []\n  list:\n    - throttle: {max: 5, window: 30}\n") ==
        "faultline.yaml:4:34: rules.list[0].throttle.window: expected a duration like \"5s\", "
        "\"250ms\" or \"1.5m\", got \"30\" (write 30s or 30ms)");
}

TEST_CASE("config: rules.detect is compiled by rules/detect, with every error", "[config]") {
  CHECK(error_of("rules:\n  detect:\n    min_levl: warn\n    include:\n      - level: loud\n") ==
        "faultline.yaml:3:5: rules.detect.min_levl: unknown key (did you mean \"min_level\"?)\n"
        "faultline.yaml:5:16: rules.detect.include[0].level: expected a level like \"warn\", "
        "\"error\" or a number such as 50, got \"loud\"");
}
