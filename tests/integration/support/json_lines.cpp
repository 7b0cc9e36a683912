#include "support/json_lines.h"

#include <catch2/catch.hpp>

#include "support/process.h"

namespace faultline::test {

std::vector<faultline::json::Value> json_lines(const std::string& text) {
  std::vector<faultline::json::Value> out;
  for (const std::string& line : split_lines(text)) {
    auto v = faultline::json::parse(line);
    INFO(line);
    REQUIRE(v.ok());
    out.push_back(std::move(v).value());
  }
  return out;
}

}  // namespace faultline::test
