// A temporary app directory for the source file tests: files written by the test, removed at the
// end.
#pragma once

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace faultline::sentry::test {

class SourceDir {
 public:
  SourceDir() {
    std::string pattern = "/tmp/faultline-sources-XXXXXX";
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~SourceDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  SourceDir(const SourceDir&) = delete;
  SourceDir& operator=(const SourceDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Writes `name` (creating its directories) and returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    const std::string p = file(name);
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
    return p;
  }

 private:
  std::string path_;
};

}  // namespace faultline::sentry::test
