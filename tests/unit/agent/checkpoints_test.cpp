// Checkpoints and file identity: what a restart resumes from, and how a file is recognised.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "agent/inputs/checkpoints.h"
#include "agent/inputs/file_identity.h"

using faultline::Checkpoint;
using faultline::CheckpointStore;
using faultline::FileIdentity;

namespace {

struct Dir {
  Dir() {
    char tmpl[] = "/tmp/faultline-cp-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~Dir() { std::system(("rm -rf " + path).c_str()); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path + "/" + name, std::ios::binary) << text;
    return path + "/" + name;
  }
  std::string path;
};

int open_read(const std::string& path) {
  return ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
}

}  // namespace

TEST_CASE("checkpoints: saved and loaded again, entry by entry", "[checkpoints]") {
  Dir dir;
  CheckpointStore store(dir.path);
  REQUIRE(store.load().ok());
  FileIdentity id;
  id.dev = 2049;
  id.ino = (1ull << 63) + 5;  // past what a JSON number keeps exactly
  id.fingerprint = 0xfedcba9876543210ull;
  id.fingerprint_len = 1024;
  store.put(Checkpoint{"/var/log/app.log", id, 123456, false, 1000});
  REQUIRE(store.save().ok());
  CHECK(::access((dir.path + "/checkpoints.json.tmp").c_str(), F_OK) != 0);  // renamed away

  CheckpointStore again(dir.path);
  REQUIRE(again.load().ok());
  Checkpoint* c = again.find(id);
  REQUIRE(c != nullptr);
  CHECK(c->path == "/var/log/app.log");
  CHECK(c->offset == 123456);
  CHECK(c->identity.ino == id.ino);
  CHECK(c->identity.fingerprint == id.fingerprint);
  CHECK(c->identity.fingerprint_len == 1024);
}

TEST_CASE("checkpoints: a corrupt file is moved aside and reading starts afresh", "[checkpoints]") {
  Dir dir;
  dir.write("checkpoints.json", "{\"version\":1,\"fil");  // torn by something other than us
  CheckpointStore store(dir.path);
  const auto loaded = store.load();
  CHECK_FALSE(loaded.ok());
  CHECK(loaded.message().find("moved aside") != std::string::npos);
  CHECK(store.entries().empty());
  CHECK(::access((dir.path + "/checkpoints.json.corrupt").c_str(), F_OK) == 0);
}

TEST_CASE("checkpoints: released entries are pruned after their age, others kept",
          "[checkpoints]") {
  CheckpointStore store("");
  FileIdentity a, b;
  a.ino = 1;
  b.ino = 2;
  store.put(Checkpoint{"a", a, 10, /*released=*/true, 1000});
  store.put(Checkpoint{"b", b, 10, /*released=*/false, 1000});
  store.prune(/*now_ms=*/1000 + 10, /*max_age_ms=*/100);
  CHECK(store.entries().size() == 2);
  store.prune(/*now_ms=*/1000 + 101, /*max_age_ms=*/100);
  REQUIRE(store.entries().size() == 1);
  CHECK(store.entries()[0].path == "b");
}

TEST_CASE("file identity: the same file matches as it grows, another one with its inode does not",
          "[checkpoints]") {
  Dir dir;
  const std::string path = dir.write("app.log", "first line\n");
  int fd = open_read(path);
  REQUIRE(fd >= 0);
  auto id = faultline::identify(fd);
  REQUIRE(id.ok());
  CHECK(id->fingerprint_len == 11);
  CHECK(faultline::first_line(fd) == "first line");
  ::close(fd);

  std::ofstream(path, std::ios::app) << "second line\n";  // grows: still the same file
  fd = open_read(path);
  CHECK(faultline::still_same(fd, *id));
  ::close(fd);

  // Truncated and rewritten in place (copytruncate): same inode, other first bytes.
  std::ofstream(path, std::ios::trunc) << "other start\n";
  fd = open_read(path);
  CHECK_FALSE(faultline::still_same(fd, *id));
  ::close(fd);
}
