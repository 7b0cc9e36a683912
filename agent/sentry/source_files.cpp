#include "agent/sentry/source_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "agent/sentry/debug_id.h"
#include "base/path_prefix.h"

namespace faultline::sentry {

namespace {

// What an entry costs besides its file: the key, the list node and the index slot.
constexpr uint64_t kEntryOverhead = 128;

std::optional<std::string> real_path(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

int64_t mtime_ns(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

// Reads up to `len` bytes at `offset`, retrying short reads and EINTR: fewer only at the end.
long pread_full(int fd, char* buf, size_t len, uint64_t offset) {
  size_t done = 0;
  while (done < len) {
    const ssize_t n = ::pread(fd, buf + done, len - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return static_cast<long>(done);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::string_view SourceFile::line(size_t number) const {
  if (number == 0 || number > starts_.size()) return {};
  const size_t begin = starts_[number - 1];
  size_t end = number < starts_.size() ? starts_[number] - 1 : text_.size();
  if (end > begin && text_[end - 1] == '\n') --end;  // the last line's own break
  if (end > begin && text_[end - 1] == '\r') --end;
  return std::string_view(text_).substr(begin, end - begin);
}

uint64_t SourceFile::bytes() const {
  return sizeof(SourceFile) + debug_id_.size() + text_.size() + starts_.size() * sizeof(uint32_t);
}

SourceFiles::SourceFiles(std::vector<std::string> roots, uint64_t max_bytes,
                         SourceCounters counters)
    : roots_(std::move(roots)), max_bytes_(max_bytes), counters_(counters) {}

void SourceFiles::begin_event() {
  roots_resolved_ = false;
}

void SourceFiles::resolve_roots() {
  if (roots_resolved_) return;
  roots_resolved_ = true;
  real_roots_.clear();
  for (const std::string& root : roots_) {
    if (auto real = real_path(root)) real_roots_.push_back(std::move(*real));
  }
}

bool SourceFiles::within_roots(std::string_view real) const {
  for (const std::string& root : real_roots_) {
    if (path_within(real, root)) return true;
  }
  return false;
}

std::shared_ptr<const SourceFile> SourceFiles::get(const std::string& path, bool want_lines) {
  // One stat() for a file already known: the same identity is the same file, already found
  // within the roots (or already found unreadable).
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return unreadable(path, Identity{});
  const Identity identity{st.st_dev, st.st_ino, mtime_ns(st), static_cast<int64_t>(st.st_size)};
  const SourceFile* known = nullptr;  // the same file, read without its lines
  if (auto it = index_.find(path); it != index_.end() && it->second->identity == identity) {
    Entry& entry = *it->second;
    lru_.splice(lru_.begin(), lru_, it->second);
    if (!entry.file) return nullptr;  // could not be read, and has not changed since
    if (!want_lines || entry.file->has_lines_ || entry.file->lines_refused_) return entry.file;
    known = entry.file.get();
  }
  if (!S_ISREG(st.st_mode)) return unreadable(path, identity);
  resolve_roots();
  const auto real = real_path(path);
  if (!real || !within_roots(*real)) return unreadable(path, identity);
  Identity opened = identity;
  std::shared_ptr<const SourceFile> file = read(*real, opened, known, want_lines);
  if (!file) return unreadable(path, opened);
  put(Entry{path, opened, file, file->bytes() + path.size() + kEntryOverhead});
  return file;
}

std::shared_ptr<const SourceFile> SourceFiles::read(const std::string& real, Identity& identity,
                                                    const SourceFile* known, bool want_lines) {
  // O_NOFOLLOW: `real` has no symlink left, so one appearing in its place is not followed;
  // O_NONBLOCK: a FIFO put there does not block the pipeline thread.
  const Fd fd(::open(real.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
  struct stat st {};
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return nullptr;
  // A directory on the way swapped for a symlink after realpath(): the kernel knows where the
  // opened file really is.
  char proc[64];
  std::snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd.get());
  char opened[PATH_MAX];
  const ssize_t n = ::readlink(proc, opened, sizeof opened - 1);
  if (n > 0 && !within_roots(std::string_view(opened, static_cast<size_t>(n)))) return nullptr;
  const Identity now{st.st_dev, st.st_ino, mtime_ns(st), static_cast<int64_t>(st.st_size)};
  if (now != identity) known = nullptr;  // changed since stat(): read it all again
  identity = now;
  auto file = std::make_shared<SourceFile>();
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (known != nullptr) {
    file->debug_id_ = known->debug_id_;
  } else {
    file->debug_id_ =
        find_debug_id([&](char* buf, size_t len,
                          uint64_t offset) { return pread_full(fd.get(), buf, len, offset); },
                      size);
  }
  if (want_lines) {
    if (size > max_bytes_ / 4) {
      file->lines_refused_ = true;
    } else {
      file->text_.resize(static_cast<size_t>(size));
      const long got = pread_full(fd.get(), file->text_.data(), file->text_.size(), 0);
      if (got < 0) return nullptr;
      file->text_.resize(static_cast<size_t>(got));
      file->text_.shrink_to_fit();
      const std::string& t = file->text_;
      if (!t.empty()) file->starts_.push_back(0);
      for (size_t i = 0; i + 1 < t.size(); ++i) {
        if (t[i] == '\n') file->starts_.push_back(static_cast<uint32_t>(i + 1));
      }
      file->has_lines_ = true;
    }
  }
  if (counters_.files_read != nullptr) counters_.files_read->add();
  return file;
}

std::shared_ptr<const SourceFile> SourceFiles::unreadable(const std::string& path,
                                                          const Identity& identity) {
  if (auto it = index_.find(path); it != index_.end() && !it->second->file) {
    it->second->identity = identity;
    lru_.splice(lru_.begin(), lru_, it->second);
    return nullptr;
  }
  if (counters_.unreadable != nullptr) counters_.unreadable->add();
  put(Entry{path, identity, nullptr, path.size() + kEntryOverhead});
  return nullptr;
}

void SourceFiles::put(Entry entry) {
  erase(entry.key);
  bytes_ += entry.bytes;
  const std::string key = entry.key;
  lru_.push_front(std::move(entry));
  index_[key] = lru_.begin();
  while (bytes_ > max_bytes_ && lru_.size() > 1) erase(lru_.back().key);
}

void SourceFiles::erase(const std::string& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  bytes_ -= it->second->bytes;
  lru_.erase(it->second);
  index_.erase(it);
}

}  // namespace faultline::sentry
