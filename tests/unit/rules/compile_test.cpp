// RuleSet::compile: the YAML shape, presets on and off, and every error an operator can make,
// each reported with file:line:col and the config path.
#include <catch2/catch.hpp>

#include "rules/rule_set.h"

using namespace faultline::rules;

namespace {

CompileOptions no_env() {
  CompileOptions o;
  o.getenv = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  return o;
}

faultline::Result<RuleSet> compile_file(const std::string& text,
                                        const CompileOptions& opts = no_env()) {
  auto rs = RuleSet::compile_text(text, "faultline.yaml", opts);
  UNSCOPED_INFO(rs.message());
  return rs;
}

std::string errors_of(const std::string& text, const CompileOptions& opts = no_env()) {
  auto rs = compile_file(text, opts);
  REQUIRE_FALSE(rs.ok());
  return rs.message();
}

bool contains(const std::string& haystack, const std::string& needle) {
  bool found = haystack.find(needle) != std::string::npos;
  if (!found) UNSCOPED_INFO("in: " << haystack);
  return found;
}

}  // namespace

TEST_CASE("compile: no rules section means the default presets", "[compile]") {
  auto rs = compile_file("sentry: {}\n");
  REQUIRE(rs.ok());
  REQUIRE(rs->presets() == std::vector<std::string>{"express-noise", "secrets"});
  auto d = RuleSet::defaults(no_env());
  REQUIRE(d.ok());
  REQUIRE(d->labels() == rs->labels());
}

TEST_CASE("compile: presets as a mapping or a list, and user rules run before secrets",
          "[compile]") {
  auto rs = compile_file(R"(
rules:
  presets: {express-noise: false, areas: true, group-by-route: true}
  list:
    - name: mine
      tag: {team: core}
)");
  REQUIRE(rs.ok());
  REQUIRE(rs->presets() == std::vector<std::string>{"areas", "group-by-route", "secrets"});
  auto labels = rs->labels();
  REQUIRE(labels.front() == "preset areas: payments");
  REQUIRE(labels[labels.size() - 4] == "\"mine\" (rules.list[0])");
  REQUIRE(labels.back() == "preset secrets: sensitive keys and values");

  rs = compile_file("rules:\n  presets: [group-by-route]\n");
  REQUIRE(rs.ok());
  REQUIRE(rs->presets() == std::vector<std::string>{"group-by-route"});
  rs = compile_file("rules:\n  presets: []\n");
  REQUIRE(rs.ok());
  REQUIRE(rs->size() == 0);
}

TEST_CASE("compile: the detect subsection belongs to someone else", "[compile]") {
  auto rs = compile_file("rules:\n  detect: {anything: [goes, here]}\n  presets: []\n");
  REQUIRE(rs.ok());
}

TEST_CASE("compile: bad path with position", "[compile]") {
  const std::string cfg = R"(rules:
  presets: []
  list:
    - scrub:
        paths:
          - a..b
)";
  REQUIRE(errors_of(cfg) ==
          "faultline.yaml:6:13: rules.list[0].scrub.paths[0]: bad path \"a..b\": empty key at "
          "character 3");
}

TEST_CASE("compile: bad RE2 pattern with position", "[compile]") {
  const std::string cfg = R"(rules:
  presets: []
  list:
    - when:
        message: "("
      drop: x
)";
  REQUIRE(errors_of(cfg) ==
          "faultline.yaml:5:18: rules.list[0].when.message: bad RE2 pattern \"(\": missing ): (");
}

TEST_CASE("compile: unknown keys and actions get suggestions", "[compile]") {
  REQUIRE(
      contains(errors_of("rules:\n  presets: []\n  list:\n    - srub: {keys: [a]}\n"),
               "faultline.yaml:4:7: rules.list[0].srub: unknown key (did you mean \"scrub\"?)"));
  REQUIRE(contains(
      errors_of("rules:\n  presets: []\n  list:\n    - when: {url: /x}\n      filter: x\n"),
      "faultline.yaml:5:7: rules.list[0].filter: unknown key: to filter events out, use "
      "`drop: REASON`"));
  REQUIRE(contains(errors_of("rules:\n  lsit: []\n"),
                   "faultline.yaml:2:3: rules.lsit: unknown key (did you mean \"list\"?)"));
  REQUIRE(contains(errors_of("rules:\n  presets: {secret: true}\n"),
                   "faultline.yaml:2:13: rules.presets: unknown preset \"secret\" (did you mean "
                   "\"secrets\"?)"));
  REQUIRE(
      contains(errors_of("rules:\n  presets: []\n  list:\n    - scrub: {keys: [a], methd: mask}\n"),
               "rules.list[0].scrub.methd: unknown key (did you mean \"method\"?)"));
  REQUIRE(contains(
      errors_of("rules:\n  presets: []\n  list:\n    - scrub: {keys: [a], method: msak}\n"),
      "rules.list[0].scrub.method: unknown method \"msak\" (did you mean \"mask\"?)"));
  REQUIRE(
      contains(errors_of("rules:\n  presets: []\n  list:\n    - scrub: {detectors: ['@emial']}\n"),
               "rules.list[0].scrub.detectors[0]: unknown detector \"@emial\" (did you mean "
               "\"@email\"?)"));
}

TEST_CASE("compile: one action per rule, and at least one", "[compile]") {
  REQUIRE(contains(errors_of("rules:\n  presets: []\n  list:\n    - name: x\n"),
                   "faultline.yaml:4:7: rules.list[0]: no action: give one of scrub, drop"));
  REQUIRE(contains(
      errors_of("rules:\n  presets: []\n  list:\n    - {tag: {a: b}, fingerprint: ['x']}\n"),
      "more than one action (tag, fingerprint): one action per rule"));
}

TEST_CASE("compile: action values are checked", "[compile]") {
  auto e = [](const std::string& rule) {
    return errors_of("rules:\n  presets: []\n  list:\n    - " + rule + "\n");
  };
  REQUIRE(contains(e("drop: x"), "drop without `when:` would drop every event"));
  REQUIRE(contains(e("sample: 1.5"), "rules.list[0].sample: expected a number from 0 to 1"));
  REQUIRE(contains(e("throttle: {max: 5, window: soon}"),
                   "rules.list[0].throttle.window: expected a duration like \"5s\""));
  REQUIRE(contains(e("throttle: {max: 5}"), "expected {max: N, window: DURATION}"));
  REQUIRE(contains(e("tag: {'bad key!': x}"), "bad tag name \"bad key!\""));
  REQUIRE(contains(e("tag: {area: '{{ rout }}'}"),
                   "rules.list[0].tag.area: unknown template variable \"rout\" (did you mean "
                   "\"route\"?)"));
  REQUIRE(contains(e("fingerprint: ['{{ route']"), "unclosed \"{{\" at character 1"));
  REQUIRE(contains(e("user: {email: extra.email}"), "rules.list[0].user.email: unknown key"));
  REQUIRE(contains(e("scrub: {}"), "nothing to scrub"));
  REQUIRE(contains(e("scrub: {keys: ['(']}"), "rules.list[0].scrub.keys[0]: bad RE2 pattern"));
  REQUIRE(contains(e("scrub: {detectors: [{name: x, pattern: '['}]}"),
                   "rules.list[0].scrub.detectors[0]: bad RE2 pattern \"[\""));
  REQUIRE(contains(e("scrub: {paths: [event_id]}"),
                   "path \"event_id\" names a structural field, which is never scrubbed"));
  REQUIRE(contains(e("scrub: {paths: ['exception.values[*].type']}"), "structural field"));
  REQUIRE(contains(e("scrub: {keys: [a], method: {keep-last: 0}}"),
                   "expected a whole number from 1 to 64"));
  REQUIRE(contains(e("scrub: {keys: [a], method: replace}"), "write {replace: TEXT}"));
  REQUIRE(contains(e("drop-body: false"), "drop-body: false does nothing"));
}

TEST_CASE("compile: every error is reported, not just the first", "[compile]") {
  const std::string msg = errors_of(R"(rules:
  presets: []
  list:
    - scrub: {paths: ['a..b']}
    - when: {message: '('}
      drop: x
    - sample: 2
)");
  REQUIRE(contains(msg, "faultline.yaml:4:23: rules.list[0].scrub.paths[0]"));
  REQUIRE(contains(msg, "faultline.yaml:5:23: rules.list[1].when.message"));
  REQUIRE(contains(msg, "faultline.yaml:7:15: rules.list[2].sample"));
  REQUIRE(std::count(msg.begin(), msg.end(), '\n') == 2);
}

TEST_CASE("compile: hash needs a key from the environment", "[compile]") {
  const std::string cfg =
      "rules:\n  presets: []\n  list:\n    - scrub: {keys: [email], method: hash}\n";
  REQUIRE(contains(errors_of(cfg),
                   "faultline.yaml:4:38: rules.list[0].scrub.method: method hash needs a key: set "
                   "the environment variable FAULTLINE_HASH_KEY"));
  CompileOptions opts;
  opts.getenv = [](std::string_view name) -> std::optional<std::string> {
    if (name == "MY_KEY") return std::string("k3y");
    return std::nullopt;
  };
  REQUIRE(compile_file("rules:\n  hash-key-env: MY_KEY\n  presets: []\n  list:\n"
                       "    - scrub: {keys: [email], method: hash}\n",
                       opts)
              .ok());
}

TEST_CASE("compile: YAML that is not the expected shape", "[compile]") {
  REQUIRE(contains(errors_of("rules: [1, 2]\n"), "rules: expected a mapping"));
  REQUIRE(contains(errors_of("rules:\n  presets: []\n  list: {a: b}\n"),
                   "rules.list: expected a list of rules"));
  REQUIRE(contains(errors_of("rules:\n  presets: []\n  list:\n    - just text\n"),
                   "rules.list[0]: expected a rule"));
  REQUIRE(contains(errors_of("rules:\n  presets: {secrets: maybe}\n"),
                   "rules.presets.secrets: expected true or false"));
}

TEST_CASE("compile: a preset directory with a broken file is reported with its path", "[compile]") {
  CompileOptions opts = no_env();
  opts.presets_dir = FAULTLINE_SOURCE_DIR "/rules/presets";
  REQUIRE(compile_file("rules:\n  presets: [secrets, express-noise, areas, group-by-route]\n", opts)
              .ok());
  char dir[] = "/tmp/faultline-presets-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  const std::string file = std::string(dir) + "/areas.yaml";
  FILE* f = std::fopen(file.c_str(), "w");
  REQUIRE(f);
  std::fputs("list:\n  - tag: {area: x}\n    when: {rout: '/x'}\n", f);
  std::fclose(f);
  opts.presets_dir = dir;
  const std::string msg = errors_of("rules:\n  presets: [areas]\n", opts);
  REQUIRE(contains(msg, file + ":3:12: list[0].when.rout: unknown key (did you mean \"route\"?)"));
  std::remove(file.c_str());
  rmdir(dir);
}
