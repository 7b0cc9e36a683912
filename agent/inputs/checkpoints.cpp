#include "agent/inputs/checkpoints.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "parsers/json.h"

namespace faultline {

namespace {

Status errno_status(const std::string& what) {
  return Status::Error(what + ": " + std::strerror(errno));
}

Status write_all(int fd, const std::string& data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status(path + ": write");
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

uint64_t as_u64(const json::Value* v) {
  if (v == nullptr) return 0;
  if (v->is_int()) return static_cast<uint64_t>(v->as_int());
  if (v->is_string()) return std::strtoull(v->as_string().c_str(), nullptr, 10);
  return 0;
}

}  // namespace

CheckpointStore::CheckpointStore(std::string dir)
    : dir_(std::move(dir)), path_(dir_.empty() ? "" : dir_ + "/checkpoints.json") {}

Status CheckpointStore::load() {
  entries_.clear();
  saved_at_ns_.reset();
  if (path_.empty()) return Status::Ok();
  std::FILE* f = std::fopen(path_.c_str(), "rb");
  if (f == nullptr) {
    if (errno == ENOENT) return Status::Ok();
    return errno_status(path_);
  }
  struct stat st {};
  if (::fstat(::fileno(f), &st) == 0) {
    saved_at_ns_ = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  }
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  auto doc = json::parse(text);
  const json::Value* files = doc.ok() ? doc->find("files") : nullptr;
  if (files == nullptr || !files->is_array()) {
    const std::string aside = path_ + ".corrupt";
    std::rename(path_.c_str(), aside.c_str());
    return Status::Error(path_ + ": not a checkpoint file (moved aside to " + aside +
                         "); every file starts as if seen for the first time");
  }
  for (const json::Value& e : files->as_array()) {
    if (!e.is_object()) continue;
    Checkpoint c;
    if (const json::Value* p = e.find("path"); p && p->is_string()) c.path = p->as_string();
    c.identity.dev = as_u64(e.find("dev"));
    c.identity.ino = as_u64(e.find("ino"));
    c.identity.fingerprint = as_u64(e.find("fingerprint"));
    c.identity.fingerprint_len = static_cast<uint32_t>(
        std::min<uint64_t>(as_u64(e.find("fingerprint_len")), FileIdentity::kFingerprintBytes));
    c.offset = as_u64(e.find("offset"));
    if (const json::Value* r = e.find("released"); r && r->is_bool()) c.released = r->as_bool();
    c.updated_ms = static_cast<int64_t>(as_u64(e.find("updated_ms")));
    entries_.push_back(std::move(c));
  }
  return Status::Ok();
}

Status CheckpointStore::save() {
  if (path_.empty() || !dirty_) return Status::Ok();
  json::Array files;
  for (const Checkpoint& c : entries_) {
    json::Object e;
    e.set("path", c.path);
    // As strings: device and inode numbers may pass 2^63, and JSON readers lose digits past 2^53.
    e.set("dev", std::to_string(c.identity.dev));
    e.set("ino", std::to_string(c.identity.ino));
    e.set("fingerprint", std::to_string(c.identity.fingerprint));
    e.set("fingerprint_len", static_cast<int64_t>(c.identity.fingerprint_len));
    e.set("offset", static_cast<int64_t>(c.offset));
    if (c.released) e.set("released", true);
    e.set("updated_ms", c.updated_ms);
    files.push_back(std::move(e));
  }
  json::Object doc;
  doc.set("version", 1);
  doc.set("files", std::move(files));
  std::string text = json::to_string(json::Value(std::move(doc)));
  text.push_back('\n');

  const std::string tmp = path_ + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return errno_status(tmp);
  Status written = write_all(fd, text, tmp);
  if (written.ok() && ::fsync(fd) != 0) written = errno_status(tmp + ": fsync");
  ::close(fd);
  if (!written.ok()) return written;
  if (::rename(tmp.c_str(), path_.c_str()) != 0) return errno_status(path_ + ": rename");
  // The rename itself is durable only once the directory is.
  const int dir = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  dirty_ = false;
  return Status::Ok();
}

Checkpoint* CheckpointStore::find(const FileIdentity& identity) {
  for (Checkpoint& c : entries_) {
    if (c.identity.same_inode(identity)) return &c;
  }
  return nullptr;
}

void CheckpointStore::put(const Checkpoint& c) {
  if (Checkpoint* old = find(c.identity)) {
    *old = c;
  } else {
    entries_.push_back(c);
  }
  dirty_ = true;
}

void CheckpointStore::erase(const FileIdentity& identity) {
  const auto before = entries_.size();
  std::erase_if(entries_, [&](const Checkpoint& c) { return c.identity.same_inode(identity); });
  if (entries_.size() != before) dirty_ = true;
}

void CheckpointStore::prune(int64_t now_ms, int64_t max_age_ms) {
  const auto before = entries_.size();
  std::erase_if(entries_, [&](const Checkpoint& c) {
    return c.released && now_ms - c.updated_ms > max_age_ms;
  });
  if (entries_.size() != before) dirty_ = true;
}

}  // namespace faultline
