#include "agent/delivery/spool.h"

#include "base/directories.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "agent/delivery/envelope.h"

namespace faultline::delivery {
namespace {

constexpr std::string_view kMagic = "faultline-spool 1 ";
constexpr std::string_view kSuffix = ".event";
constexpr std::string_view kTempPrefix = ".tmp-";
constexpr std::string_view kCorruptDir = "corrupt";
constexpr std::string_view kLockName = ".lock";

// errno becomes a Status here, at the OS edge, and nowhere else.
Status os_error(std::string_view what, const std::string& path, int err = errno) {
  std::string message(what);
  message += " " + path + ": " + std::strerror(err);
  return Status::Error(std::move(message));
}

uint32_t crc_of(std::string_view data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths; feed large payloads in pieces.
  while (!data.empty()) {
    const size_t n = std::min<size_t>(data.size(), 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(n));
    data.remove_prefix(n);
  }
  return static_cast<uint32_t>(crc);
}

bool is_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return !s.empty();
}

// "<seq:16 hex>-<event_id:32 hex>.event" → (seq, event_id)
std::optional<std::pair<uint64_t, std::string>> parse_name(std::string_view name) {
  if (name.size() != 16 + 1 + 32 + kSuffix.size()) return std::nullopt;
  if (name.substr(16 + 1 + 32) != kSuffix || name[16] != '-') return std::nullopt;
  const std::string_view seq = name.substr(0, 16);
  const std::string_view id = name.substr(17, 32);
  if (!is_hex(seq) || !is_valid_event_id(id)) return std::nullopt;
  return std::make_pair(std::stoull(std::string(seq), nullptr, 16), std::string(id));
}

Status write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error("cannot write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Result<std::string> read_all(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return os_error("cannot open", path);
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return os_error("cannot read", path, err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

// Writes `header` + `payload` to `path` durably: a temp file in the same directory, fsync,
// rename, then fsync of the directory so the rename itself survives a power cut.
Status write_durably(int dir_fd, const std::string& dir, const std::string& temp_name,
                     const std::string& final_name, std::string_view header,
                     std::string_view payload) {
  const std::string temp = dir + "/" + temp_name;
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return os_error("cannot create", temp);
  Status status = write_all(fd, header, temp);
  if (status.ok()) status = write_all(fd, payload, temp);
  if (status.ok() && ::fsync(fd) != 0) status = os_error("cannot fsync", temp);
  if (::close(fd) != 0 && status.ok()) status = os_error("cannot close", temp);
  if (status.ok() && ::rename(temp.c_str(), (dir + "/" + final_name).c_str()) != 0) {
    status = os_error("cannot rename", temp);
  }
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  if (::fsync(dir_fd) != 0) return os_error("cannot fsync directory", dir);
  return Status::Ok();
}

}  // namespace

std::string spool_file_header(std::string_view event_id, std::string_view payload) {
  char crc[16];
  std::snprintf(crc, sizeof crc, "%08x", crc_of(payload));
  std::string header(kMagic);
  header.append(event_id);
  header += " " + std::to_string(payload.size()) + " " + crc + "\n";
  return header;
}

Result<std::string> parse_spool_file(std::string_view bytes, std::string_view event_id) {
  const size_t newline = bytes.find('\n');
  if (newline == std::string_view::npos || newline > 128) {
    return Status::Error(bytes.empty() ? "empty file" : "no header line");
  }
  std::string_view header = bytes.substr(0, newline);
  if (header.substr(0, kMagic.size()) != kMagic) return Status::Error("unknown header");
  header.remove_prefix(kMagic.size());
  // "<id> <length> <crc>"
  const size_t sp1 = header.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : header.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return Status::Error("malformed header");
  if (header.substr(0, sp1) != event_id) return Status::Error("event_id differs from file name");
  const std::string_view length_text = header.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view crc_text = header.substr(sp2 + 1);
  if (length_text.empty() || length_text.size() > 19 || crc_text.size() != 8 || !is_hex(crc_text)) {
    return Status::Error("malformed header");
  }
  uint64_t length = 0;
  for (char c : length_text) {
    if (c < '0' || c > '9') return Status::Error("malformed header");
    length = length * 10 + static_cast<uint64_t>(c - '0');
  }
  const std::string_view payload = bytes.substr(newline + 1);
  if (payload.size() != length) {
    return Status::Error(payload.size() < length ? "truncated" : "longer than its header says");
  }
  char crc[16];
  std::snprintf(crc, sizeof crc, "%08x", crc_of(payload));
  if (crc_text != crc) return Status::Error("checksum mismatch");
  return std::string(payload);
}

Spool::Spool(std::string dir, uint64_t max_bytes, Events& events, int lock_fd, int dir_fd)
    : dir_(std::move(dir)),
      max_bytes_(max_bytes),
      events_(events),
      lock_fd_(lock_fd),
      dir_fd_(dir_fd) {}

Spool::~Spool() {
  ::close(dir_fd_);
  ::close(lock_fd_);  // releases the flock
}

Result<std::unique_ptr<Spool>> Spool::open(const std::string& dir, uint64_t max_bytes,
                                           Events& events) {
  if (dir.empty()) return Status::Error("delivery.spool_dir is empty");
  if (max_bytes == 0) return Status::Error("delivery.spool_max_bytes must be greater than 0");
  if (Status made = make_directories(dir, "cannot create spool directory"); !made.ok()) {
    return made;
  }
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return os_error("cannot open spool directory", dir);
  const std::string lock_path = dir + "/" + std::string(kLockName);
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) {
    const int err = errno;
    ::close(dir_fd);
    return os_error("cannot create", lock_path, err);
  }
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(lock_fd);
    ::close(dir_fd);
    if (err == EWOULDBLOCK) {
      return Status::Error("spool directory " + dir +
                           " is in use by another faultline process (locked " + lock_path + ")");
    }
    return os_error("cannot lock", lock_path, err);
  }
  std::unique_ptr<Spool> spool(new Spool(dir, max_bytes, events, lock_fd, dir_fd));
  if (Status status = spool->recover(); !status.ok()) return status;
  return spool;
}

Status Spool::recover() {
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) return os_error("cannot list spool directory", dir_);
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
  ::closedir(d);

  std::map<uint64_t, std::pair<std::string, std::string>> found;  // seq → (name, event_id)
  for (const std::string& name : names) {
    if (name == "." || name == ".." || name == kLockName || name == kCorruptDir) continue;
    if (name.rfind(kTempPrefix, 0) == 0) {
      move_aside(name, "an unfinished write left by an earlier run");
      continue;
    }
    auto parsed = parse_name(name);
    if (!parsed) {
      events_.spool_ignored_file(dir_ + "/" + name);
      continue;
    }
    found.emplace(parsed->first, std::make_pair(name, parsed->second));
  }

  std::lock_guard<std::mutex> g(mu_);
  for (auto& [seq, file] : found) {
    const auto& [name, event_id] = file;
    Result<std::string> bytes = read_all(dir_ + "/" + name);
    if (!bytes.ok()) {
      move_aside(name, bytes.message());
      continue;
    }
    if (Result<std::string> payload = parse_spool_file(*bytes, event_id); !payload.ok()) {
      move_aside(name, payload.message());
      continue;
    }
    if (by_id_.count(event_id) != 0) {
      move_aside(name, "a second file for the same event_id");
      continue;
    }
    Slot slot;
    slot.event_id = event_id;
    slot.bytes = bytes->size();
    slot.state = State::kReady;
    by_id_.emplace(event_id, seq);
    slots_.emplace(seq, std::move(slot));
    bytes_ += bytes->size();
    ++stored_;
    next_seq_ = std::max(next_seq_, seq + 1);
  }
  // A smaller spool_max_bytes than last time: drop the oldest until the rest fits.
  while (bytes_ > max_bytes_ && !slots_.empty()) {
    auto it = slots_.begin();
    ::unlink(path_of(it->first, it->second.event_id).c_str());
    events_.spool_full_dropped(it->second.event_id, "the spool is larger than spool_max_bytes");
    bytes_ -= it->second.bytes;
    --stored_;
    by_id_.erase(it->second.event_id);
    slots_.erase(it);
  }
  publish_gauges();
  return Status::Ok();
}

std::string Spool::path_of(uint64_t seq, std::string_view event_id) const {
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "%016llx-", static_cast<unsigned long long>(seq));
  std::string path = dir_ + "/" + prefix;
  path.append(event_id);
  path.append(kSuffix);
  return path;
}

void Spool::move_aside(const std::string& name, std::string_view why) {
  const std::string corrupt_dir = dir_ + "/" + std::string(kCorruptDir);
  if (::mkdir(corrupt_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    // Nowhere to move it: delete it rather than retry it forever; still counted and logged.
    ::unlink((dir_ + "/" + name).c_str());
    events_.spool_corrupt_moved_aside(dir_ + "/" + name, std::string(why) + "; deleted");
    return;
  }
  std::string target = corrupt_dir + "/" + name;
  struct stat st;
  for (int n = 1; ::lstat(target.c_str(), &st) == 0; ++n) {
    target = corrupt_dir + "/" + name + "." + std::to_string(n);
  }
  if (::rename((dir_ + "/" + name).c_str(), target.c_str()) != 0) {
    ::unlink((dir_ + "/" + name).c_str());
    events_.spool_corrupt_moved_aside(dir_ + "/" + name, std::string(why) + "; deleted");
    return;
  }
  events_.spool_corrupt_moved_aside(target, why);
}

void Spool::publish_gauges() {
  events_.stats().spool_files = stored_;
  events_.stats().spool_bytes = bytes_;
}

void Spool::set_on_ready(std::function<void()> on_ready) {
  on_ready_ = std::move(on_ready);
}

Result<Spool::Put> Spool::put(std::string_view event_id, std::string_view payload) {
  if (!is_valid_event_id(event_id)) {
    return Status::Error("event_id must be 32 lowercase hex digits");
  }
  const std::string header = spool_file_header(event_id, payload);
  const uint64_t size = header.size() + payload.size();

  // Reserve the space and the id, choosing which old entries make room; write outside the lock.
  std::vector<std::pair<uint64_t, std::string>> victims;
  uint64_t seq = 0;
  bool duplicate = false;
  std::string refused;  // why the event cannot be admitted
  {
    std::lock_guard<std::mutex> g(mu_);
    if (by_id_.count(std::string(event_id)) != 0) {
      duplicate = true;
    } else if (bytes_ + size > max_bytes_) {
      uint64_t evictable = 0;
      for (const auto& [s, slot] : slots_) {
        if (slot.state == State::kReady) evictable += slot.bytes;
      }
      if (size > max_bytes_) {
        refused = "the event alone is larger than spool_max_bytes";
      } else if (bytes_ - evictable + size > max_bytes_) {
        refused = "every older event is being sent; no room for this one";
      }
      for (auto it = slots_.begin();
           refused.empty() && bytes_ + size > max_bytes_ && it != slots_.end();) {
        if (it->second.state != State::kReady) {
          ++it;
          continue;
        }
        victims.emplace_back(it->first, it->second.event_id);
        bytes_ -= it->second.bytes;
        --stored_;
        by_id_.erase(it->second.event_id);
        it = slots_.erase(it);
      }
    }
    if (!duplicate && refused.empty()) {
      seq = next_seq_++;
      Slot slot;
      slot.event_id = std::string(event_id);
      slot.bytes = size;
      by_id_.emplace(slot.event_id, seq);
      slots_.emplace(seq, std::move(slot));
      bytes_ += size;
      publish_gauges();
    }
  }
  if (duplicate) {
    events_.event_duplicate(event_id);
    return Put::kDuplicate;
  }
  if (!refused.empty()) {
    events_.spool_full_dropped(event_id, refused);
    return Status::Error("spool full: " + refused);
  }
  for (const auto& [victim_seq, victim_id] : victims) {
    ::unlink(path_of(victim_seq, victim_id).c_str());
    events_.spool_full_dropped(victim_id, "the oldest event made room for a new one");
  }

  const std::string final_path = path_of(seq, event_id);
  const std::string final_name = final_path.substr(dir_.size() + 1);
  Status written = write_durably(dir_fd_, dir_, std::string(kTempPrefix) + final_name, final_name,
                                 header, payload);
  {
    std::lock_guard<std::mutex> g(mu_);
    if (!written.ok()) {
      by_id_.erase(std::string(event_id));
      slots_.erase(seq);
      bytes_ -= size;
    } else {
      slots_[seq].state = State::kReady;
      ++stored_;
    }
    publish_gauges();
  }
  if (!written.ok()) {
    events_.spool_write_failed(event_id, written.message());
    return written;
  }
  events_.event_submitted();
  if (on_ready_) on_ready_();
  return Put::kStored;
}

std::optional<Spool::Entry> Spool::claim(time_point now, time_point* next_due) {
  std::lock_guard<std::mutex> g(mu_);
  *next_due = time_point::max();
  Slot* best = nullptr;
  uint64_t best_seq = 0;
  for (auto& [seq, slot] : slots_) {
    if (slot.state != State::kReady) continue;
    if (slot.not_before > now) {
      *next_due = std::min(*next_due, slot.not_before);
      continue;
    }
    if (best == nullptr || slot.failures < best->failures) {
      best = &slot;
      best_seq = seq;
      if (slot.failures == 0) break;  // nothing older can beat an unfailed entry
    }
  }
  if (best == nullptr) return std::nullopt;
  best->state = State::kClaimed;
  return Entry{best_seq, best->event_id, best->failures};
}

Result<std::string> Spool::read(const Entry& entry) {
  const std::string path = path_of(entry.seq, entry.event_id);
  Result<std::string> bytes = read_all(path);
  Result<std::string> payload =
      bytes.ok() ? parse_spool_file(*bytes, entry.event_id) : Result<std::string>(bytes.status());
  if (payload.ok()) return payload;
  {
    std::lock_guard<std::mutex> g(mu_);
    auto it = slots_.find(entry.seq);
    if (it != slots_.end()) {
      bytes_ -= it->second.bytes;
      --stored_;
      by_id_.erase(it->second.event_id);
      slots_.erase(it);
      publish_gauges();
    }
  }
  move_aside(path.substr(dir_.size() + 1), payload.message());
  return payload.status();
}

void Spool::complete(const Entry& entry) {
  ::unlink(path_of(entry.seq, entry.event_id).c_str());
  std::lock_guard<std::mutex> g(mu_);
  auto it = slots_.find(entry.seq);
  if (it == slots_.end()) return;
  bytes_ -= it->second.bytes;
  --stored_;
  by_id_.erase(it->second.event_id);
  slots_.erase(it);
  publish_gauges();
}

void Spool::release(const Entry& entry, time_point not_before, bool failed) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = slots_.find(entry.seq);
  if (it == slots_.end()) return;
  it->second.state = State::kReady;
  it->second.not_before = not_before;
  if (failed) ++it->second.failures;
}

uint64_t Spool::size() const {
  std::lock_guard<std::mutex> g(mu_);
  return stored_;
}

}  // namespace faultline::delivery
