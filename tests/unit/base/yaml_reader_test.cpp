// The one YAML reader: the tree and its marks, collected diagnostics, typed reads, and the limits
// and refusals that keep a hostile or mistyped file from hanging, crashing or being misread.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <string>

#include "base/yaml_reader.h"

using faultline::yaml::Limits;
using faultline::yaml::Node;
using faultline::yaml::ParseOptions;
using faultline::yaml::Reader;
using std::chrono::milliseconds;

namespace {

faultline::Getenv env_of(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

Node parse_ok(const std::string& text, const ParseOptions& options = {}) {
  Reader r("f.yaml");
  auto root = r.parse(text, options);
  INFO(r.status().message());
  REQUIRE(root.has_value());
  REQUIRE(r.ok());
  return *root;
}

// The messages of a text that does not parse, or parses with problems.
std::string parse_error(const std::string& text, const ParseOptions& options = {}) {
  Reader r("f.yaml");
  (void)r.parse(text, options);
  REQUIRE_FALSE(r.ok());
  return r.status().message();
}

// Nine levels of nine aliases ("billion laughs"): 9^9 strings once expanded. One line per level,
// each `indent`, then "kN: " (a mapping) or "- " (a list), then `&aN [...]`.
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

}  // namespace

TEST_CASE("yaml: a tree of mappings, lists and scalars with 1-based marks", "[yaml]") {
  Node root = parse_ok("a: 1\nb:\n  - x\n  - 'y'\nc:\nd: {e: ~}\n");
  REQUIRE(root.is_map());
  CHECK(root.size() == 4);
  CHECK(root["a"].text() == "1");
  CHECK(root["a"].mark().line == 1);
  CHECK(root["a"].mark().column == 4);
  CHECK(root["b"].is_sequence());
  CHECK(root["b"].items()[1].text() == "y");
  CHECK(root["b"].items()[1].quoted());
  CHECK_FALSE(root["b"].items()[0].quoted());
  CHECK(root["b"].items()[1].mark().line == 4);
  CHECK(root["c"].is_null());
  CHECK(root["d"]["e"].is_null());
  CHECK_FALSE(root["zzz"].defined());
  CHECK(root["zzz"].absent());
  CHECK(root.entries()[0].key.mark().column == 1);
}

TEST_CASE("yaml: an empty text or a comment is a missing root", "[yaml]") {
  CHECK_FALSE(parse_ok("").defined());
  CHECK_FALSE(parse_ok("# nothing\n").defined());
  CHECK(parse_ok("\xEF\xBB\xBF"
                 "a: 1\n")["a"]
            .mark()
            .line == 1);  // a byte order mark
}

TEST_CASE("yaml: syntax errors carry the position", "[yaml]") {
  const std::string e = parse_error("a: [unclosed\n");
  CHECK(e.rfind("f.yaml:", 0) == 0);
  CHECK(e.find("invalid YAML") != std::string::npos);
}

TEST_CASE("yaml: a key given twice is an error at the second one", "[yaml]") {
  CHECK(parse_error("log:\n  level: info\n  level: debug\n") ==
        "f.yaml:3:3: log.level: key given twice");
}

TEST_CASE("yaml: a second document is an error at its ---", "[yaml]") {
  CHECK(parse_error("a: 1\n---\nb: 2\n") ==
        "f.yaml:2:1: a second YAML document starts here; a faultline configuration is one "
        "document (remove this ---)");
  CHECK(parse_error("a: 1\n...\n---\n").rfind("f.yaml:3:1: a second YAML document", 0) == 0);
  parse_ok("---\na: 1\n...\n");  // one document, with its markers
}

TEST_CASE("yaml: a quoted scalar must close on its own line", "[yaml]") {
  // The unclosed quote would otherwise swallow the keys below it into the value.
  CHECK(
      parse_error("sentry:\n  release: \"shop@1\n  environment: staging\nlog:\n  level: info\n") ==
      "f.yaml:2:12: sentry.release: this \" is not closed on its line; quoted text must end on "
      "the line where it starts (write text over several lines with | or >)");
  CHECK(parse_error("a: 'x\nb: c\n").rfind("f.yaml:1:4: a: this ' is not closed", 0) == 0);
  CHECK(parse_error("a: &x \"open\n  more\"\n").rfind("f.yaml:1:7: a: this \"", 0) == 0);
  // Escaped quotes, doubled single quotes, flow lists over several lines and block scalars are
  // all fine.
  Node ok = parse_ok(
      "a: \"say \\\"hi\\\"\"\nb: 'it''s'\nc: [\"x\",\n    \"y\"]\nd: |\n  two\n  lines\n"
      "e: &q \"anchored\"\nf: !!str \"tagged\"\n");
  CHECK(ok["a"].text() == "say \"hi\"");
  CHECK(ok["b"].text() == "it's");
  CHECK(ok["c"].size() == 2);
  CHECK(ok["d"].text() == "two\nlines\n");
  CHECK(ok["e"].text() == "anchored");
  CHECK(ok["f"].text() == "tagged");
}

TEST_CASE("yaml: aliases are copies, and one inside its own anchor is an error", "[yaml]") {
  Node root = parse_ok("a: &x {k: v}\nb: *x\n");
  CHECK(root["b"]["k"].text() == "v");
  CHECK(parse_error("a: &a [*a]\n") ==
        "f.yaml:1:8: a[0]: alias *a is inside the node it names (&a), so it would repeat forever");
  CHECK(parse_error("a: &a {b: *a}\n").find("alias *a is inside the node it names") !=
        std::string::npos);
}

TEST_CASE("yaml: alias bombs stop at the node limit, at once, wherever they are", "[yaml]") {
  for (const std::string& text :
       {"lol:\n" + laughs("  ", true), "rules:\n  list:\n" + laughs("    ", false),
        "rules:\n  list:\n    - drop: bomb\n      when:\n        any:\n" +
            laughs("          ", false)}) {
    INFO(text);
    // Bounded by the node limit, not by a clock: timing belongs in bench/, not in a test.
    const std::string e = parse_error(text);
    CHECK(e.find("the document has more than 100000 values (each use of an alias counts as a "
                 "copy of what it names)") != std::string::npos);
    CHECK(e.rfind("f.yaml:", 0) == 0);
  }
}

TEST_CASE("yaml: the limits on text, values, bytes and depth", "[yaml]") {
  ParseOptions small;
  small.limits.max_text_bytes = 10;
  CHECK(parse_error("a: 12345678901\n", small) ==
        "f.yaml: the document is 15 bytes; the limit is 10B");
  small = {};
  small.limits.max_nodes = 5;
  CHECK(parse_error("[1, 2, 3, 4, 5]\n", small).find("more than 5 values") != std::string::npos);
  small = {};
  small.limits.max_scalar_bytes = 8;
  CHECK(parse_error("a: &x abcd\nb: *x\n", small).find("more than 8B of text") !=
        std::string::npos);
  CHECK(parse_error(std::string(70, '[') + std::string(70, ']') + "\n")
            .find("nested deeper than 64 levels") != std::string::npos);
  // A long list within the limits is fine, and so is the limit itself.
  std::string list = "l:\n";
  for (int i = 0; i < 50'000; ++i) list += "  - x\n";
  CHECK(parse_ok(list)["l"].size() == 50'000);
}

TEST_CASE("yaml: ${VAR} is expanded once per scalar, also through aliases", "[yaml]") {
  ParseOptions options;
  options.env = env_of({{"NAME", "shop"}, {"EMPTY", ""}});
  Node root = parse_ok(
      "a: ${NAME}-1\nb: ${UNSET:-dflt}\nc: ${EMPTY:-dflt}\nd: &d \"$${HOME}\"\ne: *d\n"
      "${NAME}: key\n",
      options);
  CHECK(root["a"].text() == "shop-1");
  CHECK(root["b"].text() == "dflt");
  CHECK(root["c"].text() == "dflt");
  CHECK(root["d"].text() == "${HOME}");
  CHECK(root["e"].text() == "${HOME}");    // the escape is not expanded a second time
  CHECK(root["${NAME}"].text() == "key");  // keys are not expanded
  Reader r("f.yaml");
  auto tree = r.parse("a: ${UNSET}\nb: ${x y}\nc: ${OPEN\n", options);
  CHECK(tree.has_value());  // reported, and the tree is still there
  CHECK(r.status().message() ==
        "f.yaml:1:4: a: environment variable UNSET is not set (write ${UNSET:-default} to give a "
        "default)\n"
        "f.yaml:2:4: b: bad variable name in ${x y}: use A-Z, a-z, 0-9 and _\n"
        "f.yaml:3:4: c: unterminated ${ (write $${ for a literal ${)");
  // Without an environment, text stays as written.
  CHECK(parse_ok("a: ${X}\n")["a"].text() == "${X}");
}

TEST_CASE("yaml: every problem is collected, and the message is capped", "[yaml]") {
  Reader r("f.yaml");
  Node root = parse_ok("a: x\nb: w\nc: z\n");
  CHECK_FALSE(r.boolean(root["a"], "a").has_value());
  CHECK_FALSE(r.boolean(root["b"], "b").has_value());
  CHECK(r.error_count() == 2);
  CHECK(r.status().message() ==
        "f.yaml:1:4: a: expected true or false, got \"x\"\n"
        "f.yaml:2:4: b: expected true or false, got \"w\"");
  for (int i = 0; i < 30; ++i) r.error(root["c"], "c", "again");
  CHECK(r.errors().size() == Reader::kMaxReported);
  const std::string all = r.status().message();
  CHECK(all.substr(all.rfind('\n') + 1) == "(12 more errors not shown)");
  Reader other("other.yaml");
  other.error_in_file("broken");
  Reader main("f.yaml");
  main.absorb(other);
  CHECK(main.status().message() == "other.yaml: broken");
}

TEST_CASE("yaml: booleans are YAML 1.2's true and false", "[yaml]") {
  Reader r("f.yaml");
  Node root = parse_ok("[true, True, TRUE, false, False, FALSE, yes, on, 'no', tRUE, 1]\n");
  const auto& items = root.items();
  for (size_t i = 0; i < 6; ++i) {
    INFO(items[i].text());
    CHECK(r.boolean(items[i], "x") == (i < 3));
  }
  CHECK(r.ok());
  CHECK_FALSE(r.boolean(items[6], "x").has_value());
  CHECK(r.errors().back() ==
        "f.yaml:1:41: x: expected true or false, got \"yes\" (booleans are true and false, as in "
        "YAML 1.2)");
  for (size_t i = 7; i < items.size(); ++i) CHECK_FALSE(r.boolean(items[i], "x").has_value());
}

TEST_CASE("yaml: durations and sizes have one grammar", "[yaml]") {
  Reader r("f.yaml");
  Node root = parse_ok("[1.5m, 90s, 250ms, 5m, 1h, 1d, 0, 30, five, 16KiB, 100]\n");
  const auto& v = root.items();
  CHECK(r.duration(v[0], "d") == milliseconds(90'000));
  CHECK(r.duration(v[1], "d") == milliseconds(90'000));
  CHECK(r.duration(v[2], "d") == milliseconds(250));
  CHECK(r.duration(v[3], "d") == milliseconds(300'000));
  CHECK(r.duration(v[4], "d") == milliseconds(3'600'000));
  CHECK(r.duration(v[5], "d") == milliseconds(86'400'000));
  CHECK(r.duration(v[6], "d") == milliseconds(0));
  CHECK(r.ok());
  CHECK_FALSE(r.duration(v[7], "d").has_value());
  CHECK(r.errors().back() ==
        "f.yaml:1:35: d: expected a duration like \"5s\", \"250ms\" or \"1.5m\", got \"30\" (write "
        "30s or 30ms)");
  CHECK_FALSE(r.duration(v[8], "d").has_value());
  CHECK_FALSE(r.duration(v[1], "d", milliseconds(1), milliseconds(60'000)).has_value());
  CHECK(r.errors().back() == "f.yaml:1:8: d: expected a duration from 1ms to 1m, got \"90s\"");
  CHECK(r.size(v[9], "s") == uint64_t{16384});
  CHECK(r.size(v[10], "s") == uint64_t{100});  // a bare number of bytes is a size
}

TEST_CASE("yaml: typed reads say what they expected and what they got", "[yaml]") {
  Reader r("f.yaml");
  Node root = parse_ok(
      "n: 9\nm: {a: 1}\nl: [a, [b]]\ne: []\nf: 0.5\ns: https://k3y@o1.ingest.sentry.io/1\n");
  CHECK_FALSE(r.integer(root["n"], "n", 1, 4).has_value());
  CHECK(r.errors().back() == "f.yaml:1:4: n: expected a whole number from 1 to 4, got \"9\"");
  CHECK_FALSE(r.text(root["m"], "m").has_value());
  CHECK(r.errors().back() == "f.yaml:2:4: m: expected a string, got a mapping");
  CHECK_FALSE(r.text_list(root["l"], "l", "a path", false).has_value());
  CHECK(r.errors().back() == "f.yaml:3:8: l[1]: expected a path, got a list");
  CHECK_FALSE(r.text_list(root["e"], "e", "a path", false).has_value());
  CHECK(r.errors().back() ==
        "f.yaml:4:4: e: expected a path or a non-empty list of them, got an empty list");
  CHECK(r.text_list(root["e"], "e", "a path", true)->empty());
  CHECK(r.number(root["f"], "f", 0, 1) == 0.5);
  CHECK_FALSE(r.one_of(root["n"], "n", {"debug", "info"}).has_value());
  CHECK(r.errors().back() == "f.yaml:1:4: n: expected one of \"debug\", \"info\", got \"9\"");
  // A URL's credentials are never shown back.
  CHECK_FALSE(r.integer(root["s"], "s", 0, 1).has_value());
  CHECK(r.errors().back().find("k3y") == std::string::npos);
  CHECK(r.errors().back().find("https://[key]@o1.ingest.sentry.io/1") != std::string::npos);
}

TEST_CASE("yaml: check_keys reports unknown keys with a suggestion", "[yaml]") {
  Reader r("f.yaml");
  Node root = parse_ok("correlation:\n  hodl: 5s\n  ttl: 1m\n  [x]: 1\nlist: [a]\n");
  CHECK(r.check_keys(root["correlation"], "correlation", {"hold", "ttl"}));
  CHECK(r.status().message() ==
        "f.yaml:2:3: correlation.hodl: unknown key (did you mean \"hold\"?)\n"
        "f.yaml:4:3: correlation: expected a plain key, got a list");
  CHECK_FALSE(r.check_keys(root["list"], "list", {}));
  CHECK(r.errors().back() == "f.yaml:5:7: list: expected a mapping, got a list");
  CHECK(r.check_keys(root["missing"], "missing", {}));
}

TEST_CASE("yaml: paths", "[yaml]") {
  CHECK(faultline::yaml::join_path("", "a") == "a");
  CHECK(faultline::yaml::join_path("a.b", "c") == "a.b.c");
  CHECK(faultline::yaml::index_path("a", 3) == "a[3]");
}
