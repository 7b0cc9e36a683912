#include "agent/inputs/file_tailer.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "agent/inputs/wakeup.h"

namespace faultline {

namespace {

constexpr int64_t kReleasedCheckpointMaxAgeMs = 24LL * 3600 * 1000;

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string base_name(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string dir_name(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool has_wildcard(const std::string& s) {
  return s.find_first_of("*?[") != std::string::npos;
}

bool excluded(const std::string& path, const TailSpec& spec) {
  const std::string name = base_name(path);
  for (const std::string& pattern : spec.exclude) {
    if (::fnmatch(pattern.c_str(), name.c_str(), 0) == 0) return true;
    if (::fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0) return true;
  }
  return false;
}

// Where reading starts in a file first seen at startup with `start_at: end`: after its last
// complete line, so that a line being written right now is read whole, not from its middle.
uint64_t end_of_last_line(int fd, uint64_t size) {
  constexpr uint64_t kLookBack = 64 * 1024;
  if (size == 0) return 0;
  const uint64_t from = size > kLookBack ? size - kLookBack : 0;
  std::string tail(size - from, '\0');
  const ssize_t n = ::pread(fd, tail.data(), tail.size(), static_cast<off_t>(from));
  if (n <= 0) return size;
  tail.resize(static_cast<size_t>(n));
  const size_t nl = tail.rfind('\n');
  return nl == std::string::npos ? (from == 0 ? 0 : size) : from + nl + 1;
}

}  // namespace

FileTailer::FileTailer(TailOptions options)
    : options_(std::move(options)), store_(options_.state_dir) {}

FileTailer::~FileTailer() {
  save_checkpoints();
  for (auto& f : files_) close_file(*f);
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
}

FileTailer::File* FileTailer::by_source(SourceId source) {
  auto it = sources_.find(source);
  return it == sources_.end() ? nullptr : it->second;
}

void FileTailer::close_file(File& f) {
  if (f.fd >= 0) ::close(f.fd);
  f.fd = -1;
  f.framer.reset();
}

void FileTailer::open_source(LineSink& sink, File& f) {
  // Resumed inside the file: its first line still names the source, so ids do not change.
  const std::string first = f.offset > 0 ? first_line(f.fd) : std::string();
  f.source = sink.open_source(f.path, first);
  sink.set_traits(f.source, f.traits);
  sources_[f.source] = &f;
  f.framer = std::make_unique<LineFramer>(options_.max_line_bytes, LineFramer::kDefaultReadChunk,
                                          f.offset);
}

void FileTailer::track(LineSink& sink, const std::string& path, const TailSpec& spec, bool first) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;  // gone between glob and stat: next scan
  for (auto& f : files_) {
    if (f->identity.dev == static_cast<uint64_t>(st.st_dev) &&
        f->identity.ino == static_cast<uint64_t>(st.st_ino)) {
      f->seen = true;
      if (f->path != path && !f->finished) {
        // Renamed to a name the globs still match (app.log → app.log.1 under app.log*): the same
        // file, followed under its new name.
        f->path = path;
        f->orphan = false;
      }
      return;
    }
  }
  if (!S_ISREG(st.st_mode)) {
    const std::string key = "notfile:" + path;
    if (std::find(reported_.begin(), reported_.end(), key) == reported_.end()) {
      reported_.push_back(key);
      log::warn(path + ": not a regular file; skipped");
    }
    return;
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const std::string key = "open:" + path;
    if (std::find(reported_.begin(), reported_.end(), key) == reported_.end()) {
      reported_.push_back(key);
      log::warn(path + ": cannot open: " + std::strerror(errno) +
                "; retried at every rescan, the other inputs go on");
    }
    return;
  }
  auto identity = identify(fd);
  if (!identity.ok()) {
    ::close(fd);
    return;
  }
  auto file = std::make_unique<File>();
  File& f = *file;
  f.path = path;
  f.counters = spec.counters;
  f.identity = *identity;
  f.traits = spec.traits;
  f.fd = fd;
  f.seen = true;
  f.last_data = Clock::now();
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  Checkpoint* cp = store_.find(f.identity);
  if (cp != nullptr && still_same(fd, cp->identity)) {
    // Read before: resume where every earlier line's events were durable. A file now shorter
    // than its checkpoint was truncated while faultline was stopped: read it from the start.
    f.offset = cp->offset <= size ? cp->offset : 0;
    if (cp->released && f.offset == size) log::debug(path + ": already read to its end");
  } else {
    // The inode was reused by another file, or the file rewritten in place (a copytruncate while
    // faultline was stopped): either way every line in it is new.
    const bool rewritten = cp != nullptr;
    if (rewritten) store_.erase(cp->identity);
    // Created or changed after the last run saved its checkpoints: it appeared while faultline
    // was stopped (the new file of a rotation), so it is new too.
    const int64_t changed_ns =
        static_cast<int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
    const bool new_since_last_run =
        rewritten || (store_.saved_at_ns() && changed_ns >= *store_.saved_at_ns());
    // Present at startup and never seen: start_at says where. Found later: it is new, read all.
    f.offset = first && spec.start_at_end && !new_since_last_run ? end_of_last_line(fd, size) : 0;
  }
  f.acked = f.offset;
  if (::lseek(fd, static_cast<off_t>(f.offset), SEEK_SET) < 0) {
    ::close(fd);
    return;
  }
  open_source(sink, f);
  store_.put(Checkpoint{f.path, f.identity, f.acked, false, wall_ms()});
  log::debug(path + ": following from byte " + std::to_string(f.offset));
  files_.push_back(std::move(file));
}

void FileTailer::scan(LineSink& sink, bool first) {
  // Watched before they are listed: a file created in between is reported, not missed until the
  // next rescan.
  if (inotify_fd_ >= 0) watch_directories();
  for (auto& f : files_) f->seen = false;
  for (const TailSpec& spec : options_.specs) {
    for (const std::string& pattern : spec.globs) {
      glob_t g{};
      const int rc = ::glob(pattern.c_str(), GLOB_NOSORT, nullptr, &g);
      const std::string key = "glob:" + pattern;
      if (rc == 0 && g.gl_pathc > 0) {
        // Matched once: an empty moment later (between a rotation's rename and create) is normal.
        if (std::find(reported_.begin(), reported_.end(), key) == reported_.end()) {
          reported_.push_back(key);
        }
      } else {
        if (std::find(reported_.begin(), reported_.end(), key) == reported_.end()) {
          reported_.push_back(key);
          log::warn("input " + pattern + ": matches no file yet; looked for again at every rescan");
        }
      }
      for (size_t i = 0; i < g.gl_pathc; ++i) {
        const std::string path = g.gl_pathv[i];
        if (!excluded(path, spec)) track(sink, path, spec, first);
      }
      ::globfree(&g);
    }
  }
  // A followed file the globs no longer find under its name was renamed away (to a name they do
  // not match) or deleted; one whose name now holds another inode was rotated. Either way it is
  // read to its end and released once quiet.
  for (auto& f : files_) {
    if (f->seen || f->orphan) continue;
    f->orphan = true;
    f->last_data = Clock::now();
    log::debug(f->path + ": rotated or deleted; reading it to its end");
  }
  // A file copied then truncated in place and written again past the old offset before this
  // scan: its first bytes changed.
  for (auto& f : files_) {
    if (f->fd >= 0 && !f->orphan && !still_same(f->fd, f->identity)) {
      restart_truncated(sink, *f, "its first bytes changed (truncated and rewritten)");
    }
  }
  if (inotify_fd_ >= 0) watch_directories();
}

void FileTailer::restart_truncated(LineSink& sink, File& f, const char* why) {
  log::info(f.path + ": " + why + "; reading it from the start");
  sink.close_source(f.source);
  sources_.erase(f.source);
  store_.erase(f.identity);
  if (auto id = identify(f.fd); id.ok()) f.identity = *id;
  f.offset = 0;
  f.acked = 0;
  ::lseek(f.fd, 0, SEEK_SET);
  open_source(sink, f);
  store_.put(Checkpoint{f.path, f.identity, 0, false, wall_ms()});
}

bool FileTailer::reopen(File& f) {
  const int fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  if (!still_same(fd, f.identity) || ::lseek(fd, static_cast<off_t>(f.offset), SEEK_SET) < 0) {
    // Another file under the name now: the closed one was rotated while it was closed (the next
    // scan picks the new one up and orphans this one, which cannot be read any more).
    ::close(fd);
    return false;
  }
  f.fd = fd;
  f.framer = std::make_unique<LineFramer>(options_.max_line_bytes, LineFramer::kDefaultReadChunk,
                                          f.offset);
  return true;
}

bool FileTailer::read_file(LineSink& sink, File& f) {
  if (f.fd < 0) return false;
  struct stat st {};
  if (::fstat(f.fd, &st) == 0 && static_cast<uint64_t>(st.st_size) < f.offset) {
    restart_truncated(sink, f, "shrank below the read offset (copytruncate)");
  }
  size_t budget = options_.read_budget;
  bool any = false;
  Line line;
  while (budget > 0) {
    std::span<char> space = f.framer->prepare();
    const ssize_t n = ::read(f.fd, space.data(), std::min(space.size(), budget));
    if (n < 0) {
      if (errno == EINTR) continue;
      read_errors_.write(log::Level::kWarn,
                         f.path + ": read: " + std::strerror(errno) + "; retried");
      break;
    }
    if (n == 0) break;
    any = true;
    budget -= static_cast<size_t>(n);
    f.offset += static_cast<uint64_t>(n);
    if (f.counters != nullptr) f.counters->bytes.add(static_cast<uint64_t>(n));
    f.framer->commit(static_cast<size_t>(n));
    while (f.framer->next(line)) hand_over(sink, f.source, line, f.counters);
  }
  if (any) {
    f.last_data = Clock::now();
    lag_stale_ = true;
  }
  return any;
}

void FileTailer::release_quiet_orphans(LineSink& sink, Clock::time_point now) {
  for (auto it = files_.begin(); it != files_.end();) {
    File& f = **it;
    if (!f.orphan || now - f.last_data < options_.rotate_wait) {
      ++it;
      continue;
    }
    if (!f.finished) {
      // Nobody writes to it any more: its last line, even without a newline, is complete.
      f.finished = true;
      if (f.framer) {
        f.framer->finish();
        Line line;
        while (f.framer->next(line)) hand_over(sink, f.source, line, f.counters);
      }
    }
    if (f.acked < f.offset) {  // its last events are not durable yet: keep it until they are
      ++it;
      continue;
    }
    log::debug(f.path + ": read to its end and released");
    store_.put(Checkpoint{f.path, f.identity, f.offset, true, wall_ms()});
    sink.close_source(f.source);
    sources_.erase(f.source);
    close_file(f);
    it = files_.erase(it);
  }
}

void FileTailer::close_idle_files() {
  size_t open = 0;
  for (auto& f : files_) open += f->fd >= 0 ? 1 : 0;
  if (open <= options_.max_open_files) return;
  std::vector<File*> idle;
  for (auto& f : files_) {
    // Only a file with no partial line pending can be closed: its framer holds nothing.
    if (f->fd >= 0 && !f->orphan && f->framer && f->framer->resume_offset() == f->offset) {
      idle.push_back(f.get());
    }
  }
  std::sort(idle.begin(), idle.end(),
            [](const File* a, const File* b) { return a->last_data < b->last_data; });
  for (File* f : idle) {
    if (open <= options_.max_open_files) break;
    close_file(*f);
    --open;
  }
}

void FileTailer::acknowledge(SourceId source, uint64_t offset) {
  File* f = by_source(source);
  if (f == nullptr || offset <= f->acked) return;
  f->acked = offset;
  // A short file's fingerprint grows with it, up to kFingerprintBytes.
  if (f->fd >= 0 && f->identity.fingerprint_len < FileIdentity::kFingerprintBytes &&
      offset > f->identity.fingerprint_len) {
    if (auto id = identify(f->fd); id.ok() && id->same_inode(f->identity)) f->identity = *id;
  }
  store_.put(Checkpoint{f->path, f->identity, offset, false, wall_ms()});
  lag_stale_ = true;
  if (!running_) save_checkpoints();  // the final acknowledgements, after the last turn
}

void FileTailer::save_checkpoints() {
  Status saved = store_.save();
  if (!saved.ok()) read_errors_.write(log::Level::kWarn, "checkpoints: " + saved.message());
  publish_lag();
}

void FileTailer::publish_lag() {
  lag_stale_ = false;
  if (options_.checkpoint_lag == nullptr) return;
  std::vector<Registry::Sample> series;
  series.reserve(files_.size());
  for (const auto& f : files_) {
    // What a restart now would read again, or has still to read: the file's size (as far as
    // known: a closed idle file was read to its offset) past the checkpoint.
    uint64_t size = f->offset;
    struct stat st {};
    if (f->fd >= 0 && ::fstat(f->fd, &st) == 0) size = static_cast<uint64_t>(st.st_size);
    const uint64_t lag = size > f->acked ? size - f->acked : 0;
    series.push_back({Registry::label("file", f->path), static_cast<double>(lag)});
  }
  options_.checkpoint_lag->publish(std::move(series));
}

void FileTailer::watch_directories() {
  std::vector<std::string> dirs;
  for (const TailSpec& spec : options_.specs) {
    if (spec.poll.count() > 0) continue;
    for (const std::string& pattern : spec.globs) {
      const std::string dir = dir_name(pattern);
      if (!has_wildcard(dir)) dirs.push_back(dir);
    }
  }
  for (auto& f : files_) dirs.push_back(dir_name(f->path));
  for (const std::string& dir : dirs) {
    if (watched_dirs_.count(dir) != 0) continue;
    const int wd = ::inotify_add_watch(inotify_fd_, dir.c_str(),
                                       IN_MODIFY | IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO |
                                           IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB);
    if (wd >= 0) watched_dirs_[dir] = wd;
  }
}

bool FileTailer::globs_watched() const {
  if (inotify_fd_ < 0) return false;
  for (const TailSpec& spec : options_.specs) {
    if (spec.poll.count() > 0) return false;
    for (const std::string& pattern : spec.globs) {
      const std::string dir = dir_name(pattern);
      if (has_wildcard(dir) || watched_dirs_.count(dir) == 0) return false;
    }
  }
  return true;
}

std::optional<FileTailer::Clock::time_point> FileTailer::next_release(Clock::time_point now) const {
  std::optional<Clock::time_point> next;
  for (const auto& f : files_) {
    if (!f->orphan) continue;
    Clock::time_point due = f->last_data + options_.rotate_wait;
    if (due <= now) {
      // Quiet long enough: released as soon as its last events are durable, which an
      // acknowledgement (at on_idle()) says.
      if (f->finished && f->acked < f->offset) continue;
      due = now;
    }
    if (!next || due < *next) next = due;
  }
  return next;
}

void FileTailer::reopen_grown() {
  for (auto& f : files_) {
    if (f->fd >= 0 || f->orphan) continue;
    struct stat st {};
    if (::stat(f->path.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_size) != f->offset) {
      reopen(*f);
    }
  }
}

FileTailer::Woken FileTailer::wait(int wake_fd, std::optional<std::chrono::milliseconds> timeout) {
  Woken woken;
  if (wait_readable({inotify_fd_, wake_fd}, timeout) != 0) return woken;
  alignas(inotify_event) char buf[16 * 1024];
  while (true) {
    const ssize_t n = ::read(inotify_fd_, buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t at = 0; at < n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buf + at);
      if ((ev->mask & (IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_ATTRIB |
                       IN_Q_OVERFLOW | IN_IGNORED)) != 0) {
        woken.rescan = true;
      }
      if ((ev->mask & (IN_MODIFY | IN_CLOSE_WRITE)) != 0) woken.modified = true;
      if ((ev->mask & IN_IGNORED) != 0) {
        std::erase_if(watched_dirs_, [&](const auto& w) { return w.second == ev->wd; });
      }
      at += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
    }
  }
  return woken;
}

Status FileTailer::run(LineSink& sink, const std::atomic<bool>& stop) {
  running_ = true;
  if (Status loaded = store_.load(); !loaded.ok()) log::warn(loaded.message());
  // Timers that do not depend on what happens: the `poll` inputs' intervals.
  std::optional<std::chrono::milliseconds> poll_every;
  bool any_inotify = false;
  for (const TailSpec& spec : options_.specs) {
    if (spec.poll.count() > 0) {
      poll_every = earliest(poll_every, spec.poll);
    } else {
      any_inotify = true;
    }
  }
  if (any_inotify) {
    inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify_fd_ < 0) {
      log::warn(std::string("inotify unavailable (") + std::strerror(errno) +
                "); polling every second instead");
      poll_every = earliest(poll_every, std::chrono::milliseconds(1000));
    }
  }
  const auto until = [](Clock::time_point t) {
    return std::chrono::ceil<std::chrono::milliseconds>(t - Clock::now());
  };

  auto next_scan = Clock::now();
  auto next_save = Clock::now() + options_.checkpoint_interval;
  bool first = true;
  Woken woken{.rescan = true};
  while (!stop.load(std::memory_order_relaxed)) {
    auto now = Clock::now();
    if (woken.rescan || now >= next_scan) {
      scan(sink, first);
      first = false;
      next_scan = now + (globs_watched() ? options_.safety_rescan : options_.rescan);
      store_.prune(wall_ms(), kReleasedCheckpointMaxAgeMs);
      reopen_grown();  // files closed while idle are looked at again at every rescan
    } else if (woken.modified) {
      reopen_grown();
    }
    bool busy = false;
    for (auto& f : files_) busy = read_file(sink, *f) || busy;
    now = Clock::now();
    release_quiet_orphans(sink, now);
    close_idle_files();
    const bool unsaved = store_.needs_save() || lag_stale_;
    if (unsaved && now >= next_save) {
      save_checkpoints();
      next_save = now + options_.checkpoint_interval;
    }
    if (busy) {  // more may be waiting: read again before sleeping
      woken = Woken{};
      continue;
    }
    sink.on_idle();  // may acknowledge: checkpoints move, orphans become releasable
    // on_idle() cleared the wake-up: a stop that rang it is seen here, not after the wait.
    if (stop.load(std::memory_order_relaxed)) break;
    std::optional<std::chrono::milliseconds> timeout =
        earliest(earliest(sink.idle_timeout(), poll_every), until(next_scan));
    if (store_.needs_save() || lag_stale_) timeout = earliest(timeout, until(next_save));
    if (auto release = next_release(Clock::now())) timeout = earliest(timeout, until(*release));
    woken = wait(sink.wake_fd(), timeout);
  }
  running_ = false;
  save_checkpoints();
  return Status::Ok();
}

}  // namespace faultline
