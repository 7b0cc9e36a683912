// docs/rules.md's examples run as tests: every ```yaml block compiles, and the ```yaml broken
// block fails with exactly the messages of the ```text block that follows it.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "rules/rule_set.h"

using namespace faultline::rules;

namespace {

struct Block {
  std::string info;  // what follows ``` on the opening line
  std::string text;
};

std::vector<Block> blocks(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::vector<Block> out;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("```", 0) == 0) {
      if (inside) {
        inside = false;
      } else {
        inside = true;
        out.push_back({line.substr(3), ""});
      }
      continue;
    }
    if (inside) out.back().text += line + "\n";
  }
  return out;
}

faultline::Result<RuleSet> compile(const std::string& yaml, bool with_key) {
  CompileOptions opts;
  opts.getenv = [with_key](std::string_view name) -> std::optional<std::string> {
    if (with_key && name == "FAULTLINE_HASH_KEY") return std::string("docs-example-key");
    return std::nullopt;
  };
  return RuleSet::compile_text(yaml, "faultline.yaml", opts);
}

}  // namespace

TEST_CASE("docs: every yaml example in docs/rules.md compiles", "[docs]") {
  size_t n = 0;
  for (const Block& b : blocks(FAULTLINE_SOURCE_DIR "/docs/rules.md")) {
    if (b.info != "yaml") continue;
    INFO(b.text);
    auto rs = compile(b.text, true);
    INFO(rs.message());
    REQUIRE(rs.ok());
    ++n;
  }
  REQUIRE(n >= 10);
}

TEST_CASE("docs: the broken example fails with the documented messages", "[docs]") {
  auto all = blocks(FAULTLINE_SOURCE_DIR "/docs/rules.md");
  size_t n = 0;
  for (size_t i = 0; i + 1 < all.size(); ++i) {
    if (all[i].info != "yaml broken") continue;
    REQUIRE(all[i + 1].info == "text");
    auto rs = compile(all[i].text, false);
    REQUIRE_FALSE(rs.ok());
    REQUIRE(rs.message() + "\n" == all[i + 1].text);
    ++n;
  }
  REQUIRE(n == 1);
}
