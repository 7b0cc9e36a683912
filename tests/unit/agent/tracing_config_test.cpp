// The `tracing:` section: defaults, every key read, and each mistake reported where it is.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "agent/config/loader.h"
#include "agent/config/tracing_options.h"

using faultline::config::load_text;

namespace {

std::optional<std::string> no_env(std::string_view) {
  return std::nullopt;
}

faultline::config::Config load(const std::string& yaml) {
  auto c = load_text(yaml, "faultline.yaml", no_env);
  INFO(c.message());
  REQUIRE(c.ok());
  return std::move(c).value();
}

std::string error_of(const std::string& yaml) {
  auto c = load_text(yaml, "faultline.yaml", no_env);
  REQUIRE_FALSE(c.ok());
  return c.message();
}

}  // namespace

TEST_CASE("tracing config: off by default, parents respected", "[config][tracing]") {
  const auto c = load("");
  CHECK(c.tracing.sample_rate == 0);
  CHECK(c.tracing.respect_parent);
  CHECK(c.tracing.routes.empty());
  CHECK(c.tracing.url_patterns.empty());
}

TEST_CASE("tracing config: every key is read", "[config][tracing]") {
  const auto c = load(
      "tracing:\n"
      "  sample_rate: 0.1\n"
      "  respect_parent: false\n"
      "  routes:\n"
      "    - route: [\"/api/checkout*\", \"/api/pay/*\"]\n"
      "      sample_rate: 1\n"
      "    - regex: \"^/internal/\"\n"
      "      sample_rate: 0\n"
      "  url_patterns:\n"
      "    - \"[a-z]{2}-[A-Z]{2}\"\n"
      "    - {pattern: \"v[0-9]+\", placeholder: \":version\"}\n");
  CHECK(c.tracing.sample_rate == 0.1);
  CHECK_FALSE(c.tracing.respect_parent);
  REQUIRE(c.tracing.routes.size() == 2);
  CHECK(c.tracing.routes[0].label == "tracing.routes[0]");
  CHECK(c.tracing.routes[0].rate == 1.0);
  CHECK(RE2::PartialMatch("/api/checkout/confirm", *c.tracing.routes[0].pattern));
  CHECK(RE2::PartialMatch("/api/pay/:id", *c.tracing.routes[0].pattern));
  // A glob matches the whole route.
  CHECK_FALSE(RE2::PartialMatch("/v2/api/checkout", *c.tracing.routes[0].pattern));
  CHECK(c.tracing.routes[1].rate == 0.0);
  // An RE2 pattern, a partial match.
  CHECK(RE2::PartialMatch("/internal/metrics", *c.tracing.routes[1].pattern));
  REQUIRE(c.tracing.url_patterns.size() == 2);
  CHECK(c.tracing.url_patterns[0].placeholder == ":id");
  CHECK(c.tracing.url_patterns[1].placeholder == ":version");
}

TEST_CASE("tracing config: mistakes are reported with their place", "[config][tracing]") {
  CHECK(
      error_of("tracing:\n  sample_rate: 2\n").find("faultline.yaml:2:16: tracing.sample_rate:") !=
      std::string::npos);
  CHECK(error_of("tracing:\n  sample_rate: ten\n").find("tracing.sample_rate") !=
        std::string::npos);
  CHECK(error_of("tracing:\n  respect_parent: yes\n").find("faultline.yaml:2:19:") !=
        std::string::npos);
  CHECK(error_of("tracing:\n  sample_rat: 0.1\n").find("did you mean \"sample_rate\"") !=
        std::string::npos);

  const std::string bad_re = error_of(
      "tracing:\n"
      "  routes:\n"
      "    - {route: /ok, sample_rate: 1}\n"
      "    - {regex: \"(unclosed\", sample_rate: 1}\n");
  CHECK(
      bad_re.find("faultline.yaml:4:15: tracing.routes[1].regex: bad RE2 pattern \"(unclosed\"") !=
      std::string::npos);
  CHECK(
      error_of("tracing:\n  routes:\n    - {route: /a, regex: b, sample_rate: 1}\n")
          .find("tracing.routes[0]: give either \"route\" (globs) or \"regex\" (RE2), not both") !=
      std::string::npos);
  CHECK(error_of("tracing:\n  routes:\n    - {route: /a}\n")
            .find("faultline.yaml:3:7: tracing.routes[0]: missing key \"sample_rate\"") !=
        std::string::npos);
  CHECK(error_of("tracing:\n  routes:\n    - {route: /a, sample_rate: -1}\n")
            .find("tracing.routes[0].sample_rate") != std::string::npos);
  CHECK(error_of("tracing:\n  routes:\n    - {rout: /a, sample_rate: 1}\n")
            .find("tracing.routes[0].rout: unknown key") != std::string::npos);
  CHECK(error_of("tracing:\n  routes: /health\n").find("expected a list of route rules") !=
        std::string::npos);

  CHECK(error_of("tracing:\n  url_patterns: [\"[z-a]\"]\n")
            .find("faultline.yaml:2:18: tracing.url_patterns[0]: bad RE2 pattern") !=
        std::string::npos);
  CHECK(error_of("tracing:\n  url_patterns: [{pattern: x, placeholder: id}]\n")
            .find("tracing.url_patterns[0].placeholder: expected a placeholder such as \":sku\"") !=
        std::string::npos);
  CHECK(error_of("tracing:\n  url_patterns: [{placeholder: \":x\"}]\n")
            .find("missing key \"pattern\"") != std::string::npos);
}

TEST_CASE("tracing config: every yaml example in docs/tracing.md loads", "[config][tracing]") {
  std::ifstream in(FAULTLINE_SOURCE_DIR "/docs/tracing.md");
  REQUIRE(in);
  std::vector<std::string> blocks;
  bool inside = false;
  size_t indent = 0;  // of the fence: a block inside a list item is indented
  for (std::string line; std::getline(in, line);) {
    const size_t first = line.find_first_not_of(' ');
    if (first != std::string::npos && line.compare(first, 3, "```") == 0) {
      inside = !inside && line.substr(first) == "```yaml";
      indent = first;
      if (inside) blocks.emplace_back();
      continue;
    }
    if (inside) blocks.back() += line.substr(std::min(indent, line.size())) + "\n";
  }
  REQUIRE(blocks.size() >= 3);
  for (const std::string& yaml : blocks) {
    INFO(yaml);
    const auto c = load(yaml);
    CHECK((c.tracing.sample_rate > 0 || !c.tracing.url_patterns.empty()));
  }
}

TEST_CASE("tracing config: check's one-line summary", "[config][tracing]") {
  using faultline::config::tracing_summary;
  CHECK(tracing_summary(load("").tracing) == "off");
  CHECK(tracing_summary(load("tracing:\n  sample_rate: 0.1\n").tracing) ==
        "sample_rate 0.1, respect_parent");
  CHECK(tracing_summary(load("tracing:\n  routes: [{route: /a, sample_rate: 1}]\n  "
                             "url_patterns: [x, y]\n  respect_parent: false\n")
                            .tracing) ==
        "sample_rate 0, 1 route rule, 2 url patterns, parents ignored");
}
