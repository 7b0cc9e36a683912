// Parity of parse_v8_frames() with the Node SDK's own parser (@sentry/core createStackParser +
// nodeStackLineParser, @sentry/node createGetModuleFromFilename), over tests/peers/stacks.json.
// tests/peers/stacks.expected.json is the SDK's output, made by tests/peers/stack_parity.mjs;
// cases marked "deviation" carry faultline's own expected frames (docs/stack-parsing.md).
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "parsers/json.h"
#include "parsers/v8_stack.h"

namespace {

namespace json = faultline::json;

const std::string kPeers = std::string(FAULTLINE_SOURCE_DIR) + "/tests/peers";

json::Value read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  auto value = json::parse(text.str());
  INFO(path << ": " << value.message());
  REQUIRE(value.ok());
  return std::move(value).value();
}

// Our frames in the shape the SDK produces them (no abs_path; absent fields omitted).
json::Value sdk_shape(const std::vector<faultline::StackFrame>& frames) {
  json::Array out;
  for (const faultline::StackFrame& f : frames) {
    json::Object o;
    if (!f.filename.empty()) o.set("filename", f.filename);
    if (!f.module.empty()) o.set("module", f.module);
    o.set("function", f.function);
    if (f.lineno != 0) o.set("lineno", f.lineno);
    if (f.colno != 0) o.set("colno", f.colno);
    if (f.in_app) o.set("in_app", *f.in_app);
    out.push_back(std::move(o));
  }
  return out;
}

const json::Value* sdk_frames(const json::Value& expected, std::string_view name) {
  for (const json::Value& c : expected.find("cases")->as_array()) {
    if (c.find("name")->as_string() == name) return c.find("frames");
  }
  return nullptr;
}

void check_corpus_against(const json::Value& expected) {
  const json::Value corpus = read_json(kPeers + "/stacks.json");
  REQUIRE(corpus.as_array().size() >= 60);
  size_t deviations = 0;
  for (const json::Value& c : corpus.as_array()) {
    const std::string& name = c.find("name")->as_string();
    faultline::StackOptions options;
    options.app_root = c.find("app_root")->as_string();
    const json::Value ours =
        sdk_shape(faultline::parse_v8_frames(c.find("stack")->as_string(), options));
    const json::Value* sdk = sdk_frames(expected, name);
    INFO("case: " << name);
    REQUIRE(sdk != nullptr);
    INFO("sdk:  " << json::to_string(*sdk));
    INFO("ours: " << json::to_string(ours));
    if (const json::Value* own = c.find("faultline")) {
      ++deviations;
      INFO("deviation: " << c.find("deviation")->as_string());
      CHECK(ours == *own);
      CHECK_FALSE(*sdk == *own);  // a deviation that the SDK no longer shows must be removed
    } else {
      CHECK(ours == *sdk);
    }
  }
  CHECK(deviations == 5);
}

}  // namespace

TEST_CASE("stack parity: frames equal the checked-in @sentry/node output", "[v8_stack][parity]") {
  const json::Value expected = read_json(kPeers + "/stacks.expected.json");
  CHECK(expected.find("sdk")->as_string() == "@sentry/core@11.12.0");
  check_corpus_against(expected);
}

TEST_CASE("stack parity: a fresh run of the SDK agrees (when tests/peers is installed)",
          "[v8_stack][parity][peers]") {
  if (!std::filesystem::exists(kPeers + "/node_modules/@sentry/node")) {
    WARN(
        "tests/peers/node_modules is missing: run `npm ci` in tests/peers to compare with the SDK");
    return;
  }
  const std::string command = "cd '" + kPeers + "' && node stack_parity.mjs";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[65536];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  REQUIRE(pclose(pipe) == 0);
  auto fresh = json::parse(output);
  REQUIRE(fresh.ok());
  // The checked-in file must be what the pinned SDK produces today…
  CHECK(*fresh == read_json(kPeers + "/stacks.expected.json"));
  // …and faultline must agree with the live SDK, not only with the file.
  check_corpus_against(*fresh);
}
