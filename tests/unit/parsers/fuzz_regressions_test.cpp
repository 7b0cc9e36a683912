// Replays the inputs the fuzz targets once crashed on (tests/fuzz/regressions/<target>/), and the
// record view seed corpus, through the same property checks the targets run (tests/fuzz/
// fuzz_checks.h), so that every normal test run guards the fixes without clang or libFuzzer.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/fuzz_checks.h"

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> files_in(const std::string& relative) {
  const fs::path dir = fs::path(FAULTLINE_SOURCE_DIR) / "tests/fuzz" / relative;
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename().string().front() != '.') {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("fuzz regressions: record view inputs pass every property", "[fuzz]") {
  const std::vector<fs::path> files = files_in("regressions/record_view_fuzz");
  for (const fs::path& file : files) {
    INFO(file.filename().string());
    CHECK(faultline::fuzz::check_record_view(slurp(file)) == "");
  }
}

TEST_CASE("fuzz regressions: stack inputs pass every property", "[fuzz]") {
  for (const fs::path& file : files_in("regressions/stack_fuzz")) {
    INFO(file.filename().string());
    CHECK(faultline::fuzz::check_stack(slurp(file)) == "");
  }
}

TEST_CASE("fuzz seeds: the record view corpus passes every property", "[fuzz]") {
  const std::vector<fs::path> files = files_in("corpus/record_view_fuzz");
  REQUIRE(files.size() >= 30);
  for (const fs::path& file : files) {
    INFO(file.filename().string());
    CHECK(faultline::fuzz::check_record_view(slurp(file)) == "");
  }
}

TEST_CASE("fuzz seeds and regressions: plain error inputs pass every property", "[fuzz]") {
  std::vector<fs::path> files = files_in("corpus/plain_error_fuzz");
  REQUIRE(files.size() >= 8);
  for (const fs::path& file : files_in("regressions/plain_error_fuzz")) files.push_back(file);
  for (const fs::path& file : files) {
    INFO(file.filename().string());
    CHECK(faultline::fuzz::check_plain_error(slurp(file)) == "");
  }
  // The real captures whole.
  for (const char* name : {"plain/node-crashes.stderr.txt", "plain/node-console.stderr.txt",
                           "pino/a-default.stderr.txt"}) {
    INFO(name);
    CHECK(faultline::fuzz::check_plain_error(slurp(fs::path(FAULTLINE_DATA_DIR) / name)) == "");
  }
}
