// make_directories: mkdir -p for directories only their owner may write to.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "base/directories.h"

using faultline::make_directories;

namespace {

struct TempDir {
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/faultline-dirs-XXXXXX";
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string path;
};

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("directories: what faultline creates is 0700 whatever the umask", "[directories]") {
  TempDir tmp;
  const mode_t old = ::umask(0777);  // mkdir alone would make unusable 0000 directories
  const faultline::Status made = make_directories(tmp.path + "/a/b/", "cannot create");
  ::umask(old);
  REQUIRE(made.ok());
  CHECK(mode_of(tmp.path + "/a") == 0700);
  CHECK(mode_of(tmp.path + "/a/b") == 0700);
  CHECK(make_directories(tmp.path + "/a/b", "cannot create").ok());  // exists: fine
}

TEST_CASE("directories: an existing directory that group or others may write to is refused",
          "[directories]") {
  TempDir tmp;
  const std::string dir = tmp.path + "/state";
  REQUIRE(::mkdir(dir.c_str(), 0700) == 0);
  REQUIRE(::chmod(dir.c_str(), 01777) == 0);  // like /tmp: sticky does not make it private
  faultline::Status made = make_directories(dir, "cannot create the state directory");
  REQUIRE_FALSE(made.ok());
  CHECK(made.message() == dir +
                              " can be written by every user (mode 1777): another user could "
                              "plant, replace or delete the files faultline keeps there; "
                              "refusing to use it. Fix it with `chmod go-w " +
                              dir +
                              "` (faultline creates its directories 0700), or choose another one");
  REQUIRE(::chmod(dir.c_str(), 0770) == 0);
  made = make_directories(dir + "/", "cannot create the state directory");
  REQUIRE_FALSE(made.ok());
  CHECK(made.message().find("can be written by its group (mode 0770)") != std::string::npos);
  REQUIRE(::chmod(dir.c_str(), 0750) == 0);
  CHECK(make_directories(dir, "cannot create the state directory").ok());
}

TEST_CASE("directories: a file in the way is an error naming it", "[directories]") {
  TempDir tmp;
  const std::string file = tmp.path + "/file";
  {
    std::FILE* f = std::fopen(file.c_str(), "w");
    std::fclose(f);
  }
  faultline::Status made = make_directories(file, "cannot create spool directory");
  REQUIRE_FALSE(made.ok());
  CHECK(made.message() ==
        "cannot create spool directory " + file + ": exists and is not a directory");
}
