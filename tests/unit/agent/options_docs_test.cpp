// The option table, docs/configuration.md and config.example.yaml must describe the same keys.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "agent/config/loader.h"
#include "agent/config/options.h"
#include "base/yaml_reader.h"

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// config.example.yaml with its commented-out keys ("  # key: value") switched on.
faultline::yaml::Node example_with_comments_enabled() {
  std::istringstream in(read(std::string(FAULTLINE_SOURCE_DIR) + "/config.example.yaml"));
  std::string out, line;
  while (std::getline(in, line)) {
    const size_t hash = line.find("# ");
    const size_t first = line.find_first_not_of(' ');
    if (hash != std::string::npos && hash == first) {
      const std::string rest = line.substr(hash + 2);
      const size_t colon = rest.find(':');
      const bool looks_like_key = colon != std::string::npos && rest.find(' ') > colon && colon > 0;
      if (looks_like_key) line = line.substr(0, hash) + rest;
    }
    out += line + "\n";
  }
  faultline::yaml::Reader reader("config.example.yaml");
  auto root = reader.parse(out);
  INFO(reader.status().message());
  REQUIRE(root.has_value());
  return *root;
}

}  // namespace

TEST_CASE("options: every key is documented in docs/configuration.md", "[options]") {
  const std::string docs = read(std::string(FAULTLINE_SOURCE_DIR) + "/docs/configuration.md");
  for (const auto& option : faultline::config::options()) {
    INFO(option.path);
    CHECK(docs.find("| `" + std::string(option.path) + "` |") != std::string::npos);
  }
}

TEST_CASE("options: every key is in config.example.yaml", "[options]") {
  const faultline::yaml::Node example = example_with_comments_enabled();
  for (const auto& option : faultline::config::options()) {
    INFO(option.path);
    const faultline::yaml::Node* node = &example;
    std::string path(option.path);
    bool found = true;
    size_t start = 0;
    while (found) {
      const size_t dot = path.find('.', start);
      const std::string key = path.substr(start, dot - start);
      if (!node->is_map() || !(*node)[key].defined()) {
        found = false;
        break;
      }
      node = &(*node)[key];
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    CHECK(found);
  }
}

TEST_CASE("options: config.example.yaml is valid as shipped", "[options]") {
  auto config = faultline::config::load_file(
      std::string(FAULTLINE_SOURCE_DIR) + "/config.example.yaml",
      [](std::string_view) -> std::optional<std::string> { return std::nullopt; });
  INFO(config.message());
  CHECK(config.ok());
}
