// Envelope compatibility with the Sentry JavaScript SDK, both ways
// (tests/peers/envelope_parity.mjs):
// @sentry/core's parseEnvelope reads what build_event_envelope() / build_request() produce, plain
// and gzipped; and the test receiver's parser reads what serializeEnvelope() produces.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/delivery/envelope.h"
#include "delivery_test_support.h"
#include "support/receiver.h"

using namespace faultline::delivery;
namespace json = faultline::json;

namespace {

const std::string kPeers = std::string(FAULTLINE_SOURCE_DIR) + "/tests/peers";

void write(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("envelope parity: @sentry/core reads our envelopes, our parser reads the SDK's",
          "[envelope][parity][peers]") {
  if (!std::filesystem::exists(kPeers + "/node_modules/@sentry/core")) {
    WARN(
        "tests/peers/node_modules is missing: run `npm ci` in tests/peers to compare with the SDK");
    return;
  }
  test::TempDir tmp;
  const SdkInfo sdk{"faultline", "0.1.0"};
  const auto sent_at = std::chrono::system_clock::now();
  auto dsn = parse_dsn("https://k@o1.ingest.sentry.io/42");
  REQUIRE(dsn.ok());

  struct Case {
    std::string name;
    std::string payload;
    bool gzip;
  };
  const std::vector<Case> cases = {
      {"plain", R"({"event_id":"0123456789abcdef0123456789abcdef","level":"error"})", false},
      {"unicode-and-newlines",
       "{\"message\":\"caf\xC3\xA9 \xF0\x9F\x92\xA5\",\n\"extra\":{\"s\":\"a\\nb\"}}", false},
      {"empty-object", "{}", false},
      {"gzipped", "{\"message\":\"" + std::string(40000, 'x') + "\"}", true},
  };
  for (const Case& c : cases) {
    const std::string envelope =
        build_event_envelope("0123456789abcdef0123456789abcdef", c.payload, sent_at, sdk);
    auto request = build_request(*dsn, sdk, envelope, c.gzip ? 1024 : SIZE_MAX);
    REQUIRE(request.ok());
    write(tmp.sub(c.name + (c.gzip ? ".envelope.gz" : ".envelope")), request->body);
    json::Object expect;
    expect.set("event_id", "0123456789abcdef0123456789abcdef");
    json::Object sdk_json;
    sdk_json.set("name", sdk.name);
    sdk_json.set("version", sdk.version);
    expect.set("sdk", std::move(sdk_json));
    expect.set("payload", c.payload);
    write(tmp.sub(c.name + ".expect.json"), json::to_string(json::Value(std::move(expect))));
  }

  const std::string command =
      "cd '" + kPeers + "' && node envelope_parity.mjs '" + tmp.path() + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  const int status = pclose(pipe);
  INFO(output);
  REQUIRE(status == 0);
  CHECK(output.find("8 passed, 0 failed") != std::string::npos);

  // The other direction: the SDK's serializeEnvelope output through our envelope parser.
  size_t checked = 0;
  for (const std::string& file : test::files_in(tmp.sub("from-js"))) {
    if (file.size() < 9 || file.substr(file.size() - 9) != ".envelope") continue;
    const std::string base = tmp.sub("from-js/" + file.substr(0, file.size() - 9));
    INFO(file);
    auto envelope = faultline::testing::parse_envelope(read(base + ".envelope"));
    REQUIRE(envelope.ok());
    auto expect = json::parse(read(base + ".expect.json"));
    REQUIRE(expect.ok());
    CHECK(envelope->header == *expect->find("header"));
    const json::Array& items = expect->find("items")->as_array();
    REQUIRE(envelope->items.size() == items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      CHECK(envelope->items[i].header == *items[i].find("header"));
      if (const json::Value* text = items[i].find("payload")) {
        CHECK(envelope->items[i].payload == text->as_string());
      } else {
        std::string bytes;
        for (const json::Value& b : items[i].find("bytes")->as_array()) {
          bytes.push_back(static_cast<char>(b.as_int()));
        }
        CHECK(envelope->items[i].payload == bytes);
      }
    }
    ++checked;
  }
  CHECK(checked == 3);
}
