#include "agent/sentry/source_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>

#include "unit/sentry/source_test_dir.h"

using faultline::Counter;
using faultline::sentry::SourceFile;
using faultline::sentry::SourceFiles;
using faultline::sentry::test::SourceDir;

namespace {

constexpr const char* kIdA = "aaaaaaaa-023f-4cf1-a267-535f4e37bb17";
constexpr const char* kIdB = "bbbbbbbb-023f-4cf1-a267-535f4e37bb17";

std::string injected(const std::string& body, const std::string& id) {
  return body + "//# debugId=" + id + "\n//# sourceMappingURL=x.js.map\n";
}

struct Files {
  explicit Files(const std::string& root, uint64_t max_bytes = 1024 * 1024)
      : files({root}, max_bytes, {&read, &unreadable}) {}
  std::shared_ptr<const SourceFile> get(const std::string& path, bool lines = false) {
    files.begin_event();
    return files.get(path, lines);
  }
  Counter read, unreadable;
  SourceFiles files;
};

void set_mtime(const std::string& path, time_t seconds) {
  const struct timespec times[2] = {{seconds, 0}, {seconds, 0}};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
}

}  // namespace

TEST_CASE("source files: a debug id is read once, and again when the file changes",
          "[source_files]") {
  SourceDir dir;
  const std::string js = dir.write("dist/a.js", injected("f();\n", kIdA));
  Files f(dir.path());
  REQUIRE(f.get(js));
  CHECK(f.get(js)->debug_id() == kIdA);
  CHECK(f.get(js)->debug_id() == kIdA);
  CHECK(f.read.get() == 1);  // cached

  // A deploy writes the file anew (same size, another id, another mtime).
  dir.write("dist/a.js", injected("f();\n", kIdB));
  set_mtime(js, 1'000'000'000);
  CHECK(f.get(js)->debug_id() == kIdB);
  CHECK(f.read.get() == 2);
  // Only the mtime moves (touch): read again, the same id.
  set_mtime(js, 1'000'000'100);
  CHECK(f.get(js)->debug_id() == kIdB);
  CHECK(f.read.get() == 3);
  // Replaced by rename (a new inode), as deploy tools do.
  const std::string tmp = dir.write("dist/.a.js.tmp", injected("g();\n", kIdA));
  set_mtime(tmp, 1'000'000'100);
  REQUIRE(std::rename(tmp.c_str(), js.c_str()) == 0);
  CHECK(f.get(js)->debug_id() == kIdA);
  CHECK(f.read.get() == 4);
  CHECK(f.unreadable.get() == 0);
}

TEST_CASE("source files: lines are read when asked for, and only for small files",
          "[source_files]") {
  SourceDir dir;
  const std::string js = dir.write("a.js", "one\r\ntwo\n\nfour");
  Files f(dir.path());
  auto without = f.get(js);
  REQUIRE(without);
  CHECK_FALSE(without->has_lines());
  auto with = f.get(js, true);
  REQUIRE(with->has_lines());
  CHECK(f.read.get() == 2);
  CHECK(with->line_count() == 4);
  CHECK(with->line(1) == "one");
  CHECK(with->line(2) == "two");
  CHECK(with->line(3) == "");
  CHECK(with->line(4) == "four");
  CHECK(with->line(5) == "");
  CHECK(f.get(js, true) == with);  // cached with its lines
  CHECK(f.read.get() == 2);

  const std::string ends = dir.write("b.js", "a\nb\n");
  CHECK(f.get(ends, true)->line_count() == 2);  // a final newline starts no line

  // Larger than a quarter of the cache: its debug id, not its lines (and not tried again).
  Files small(dir.path(), 64 * 1024);
  const std::string big = dir.write("big.js", injected(std::string(20000, 'x') + "\n", kIdA));
  auto b = small.get(big, true);
  REQUIRE(b);
  CHECK(b->debug_id() == kIdA);
  CHECK_FALSE(b->has_lines());
  small.get(big, true);
  CHECK(small.read.get() == 1);
}

TEST_CASE("source files: unreadable files are counted once, until they change", "[source_files]") {
  SourceDir dir;
  Files f(dir.path());
  const std::string missing = dir.file("gone.js");
  for (int i = 0; i < 3; ++i) CHECK_FALSE(f.get(missing));
  CHECK(f.unreadable.get() == 1);
  // It appears: read; it goes again: counted again.
  dir.write("gone.js", injected("", kIdA));
  CHECK(f.get(missing)->debug_id() == kIdA);
  std::filesystem::remove(missing);
  CHECK_FALSE(f.get(missing));
  CHECK(f.unreadable.get() == 2);

  // Not a regular file: a FIFO is never opened for reading (it would block).
  const std::string fifo = dir.file("pipe.js");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_FALSE(f.get(fifo));
  CHECK_FALSE(f.get(dir.path()));  // a directory
  CHECK(f.unreadable.get() == 4);

  if (::geteuid() != 0) {  // root reads whatever the mode says
    const std::string locked = dir.write("locked.js", injected("", kIdA));
    REQUIRE(::chmod(locked.c_str(), 0) == 0);
    CHECK_FALSE(f.get(locked));
    CHECK_FALSE(f.get(locked));
    CHECK(f.unreadable.get() == 5);
  }
  CHECK(f.read.get() == 1);
}

TEST_CASE("source files: nothing outside the roots is read, through symlinks or ..",
          "[source_files]") {
  SourceDir dir;
  const std::string secret = dir.write("outside/secret.js", injected("", kIdA));
  std::filesystem::create_directories(dir.file("app"));
  std::filesystem::create_symlink(secret, dir.file("app/link.js"));
  std::filesystem::create_symlink(dir.file("outside"), dir.file("app/out"));
  Files f(dir.file("app"));
  CHECK_FALSE(f.get(dir.file("app/link.js")));
  CHECK_FALSE(f.get(dir.file("app/out/secret.js")));
  CHECK_FALSE(f.get(dir.file("app/../outside/secret.js")));
  CHECK(f.read.get() == 0);
  CHECK(f.unreadable.get() == 3);
  // A symlink that stays inside is followed.
  const std::string real = dir.write("app/dist/a.js", injected("", kIdB));
  std::filesystem::create_symlink(real, dir.file("app/current.js"));
  CHECK(f.get(dir.file("app/current.js"))->debug_id() == kIdB);
  // A root that is itself a symlink (a deploy's `current`) is resolved for every event.
  std::filesystem::create_directories(dir.file("releases/v1"));
  std::filesystem::create_directories(dir.file("releases/v2"));
  dir.write("releases/v1/a.js", injected("", kIdA));
  dir.write("releases/v2/a.js", injected("", kIdB));
  std::filesystem::create_directory_symlink(dir.file("releases/v1"), dir.file("current"));
  Files deployed(dir.file("current"));
  CHECK(deployed.get(dir.file("current/a.js"))->debug_id() == kIdA);
  std::filesystem::remove(dir.file("current"));
  std::filesystem::create_directory_symlink(dir.file("releases/v2"), dir.file("current"));
  CHECK(deployed.get(dir.file("current/a.js"))->debug_id() == kIdB);
}

TEST_CASE("source files: the cache stays within its bytes, least recently used out first",
          "[source_files]") {
  SourceDir dir;
  Files f(dir.path(), 64 * 1024);
  const std::string body(12 * 1024, 'x');
  std::vector<std::string> paths;
  for (int i = 0; i < 10; ++i) {
    paths.push_back(dir.write("f" + std::to_string(i) + ".js", body + "\n"));
    REQUIRE(f.get(paths.back(), true));
    CHECK(f.files.cached_bytes() <= 64 * 1024);
  }
  CHECK(f.read.get() == 10);
  f.get(paths.back(), true);  // still cached
  CHECK(f.read.get() == 10);
  f.get(paths.front(), true);  // long gone
  CHECK(f.read.get() == 11);
}
