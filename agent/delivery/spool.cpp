#include "agent/delivery/spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>  // renameat2, RENAME_NOREPLACE
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <unordered_set>

#include "agent/delivery/envelope.h"
#include "agent/delivery/spool_io.h"
#include "base/directories.h"

namespace faultline::delivery {
namespace {

using spool_io::os_error;

// Batch numbers at or above this are renumbered from 1 at open (2^63 batches are never reached
// by counting; only a spool file planted or copied from elsewhere gets there).
constexpr uint64_t kRenumberAbove = uint64_t{1} << 63;

std::chrono::microseconds since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start);
}

}  // namespace

Spool::Id Spool::Id::of(std::string_view hex) {
  const auto half = [](std::string_view h) {
    uint64_t v = 0;
    for (char c : h) v = v * 16 + static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
    return v;
  };
  return Id{half(hex.substr(0, 16)), half(hex.substr(16, 16))};
}

std::string Spool::Id::hex() const {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(hi),
                static_cast<unsigned long long>(lo));
  return buf;
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
  if (dir_fd < 0) return os_error("cannot open spool directory", dir, errno);
  const std::string lock_path = dir + "/" + std::string(kSpoolLockName);
  const int lock_fd =
      ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
  struct stat st {};
  if (lock_fd < 0 || ::fstat(lock_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const int err = errno;
    const std::string type = spool_io::file_type(lock_path);
    if (lock_fd >= 0) ::close(lock_fd);
    ::close(dir_fd);
    if (type != "a regular file" && type != "missing") {
      return Status::Error("cannot use " + lock_path + ": it is " + type +
                           ", not a regular file; remove it");
    }
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

// ---------------------------------------------------------------------------------------------
// Recovery

struct Spool::Recovered {
  std::map<uint64_t, std::string> ledgers;  // by batch number
};

Status Spool::recover() {
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) return os_error("cannot list spool directory", dir_, errno);
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
  ::closedir(d);

  Recovered found;
  std::vector<std::pair<SpoolName, std::string>> files;  // batches and legacy event files
  for (const std::string& name : names) {
    if (name == "." || name == ".." || name == kSpoolLockName || name == kSpoolCorruptDir) {
      continue;
    }
    SpoolName parsed = parse_spool_name(name);
    switch (parsed.kind) {
      case SpoolName::Kind::kTemp:
        move_aside(name, "an unfinished write left by an earlier run");
        break;
      case SpoolName::Kind::kOther:
        events_.spool_ignored_file(dir_ + "/" + name);
        break;
      case SpoolName::Kind::kLedger:
        found.ledgers.emplace(parsed.seq, name);
        break;
      case SpoolName::Kind::kBatch:
      case SpoolName::Kind::kLegacyEvent:
        files.emplace_back(std::move(parsed), name);
        break;
    }
  }
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.first.seq < b.first.seq; });

  std::lock_guard<std::mutex> g(mu_);
  std::unordered_set<uint64_t> with_file;
  for (auto& [name, file] : files) with_file.insert(name.seq);
  // A ledger whose batch is gone (a crash between the two deletions) says nothing any more.
  for (auto it = found.ledgers.begin(); it != found.ledgers.end();) {
    if (with_file.count(it->first)) {
      ++it;
      continue;
    }
    ::unlink((dir_ + "/" + it->second).c_str());
    it = found.ledgers.erase(it);
  }
  if (!files.empty() && files.back().first.seq >= kRenumberAbove) {
    // In order, oldest first, to 1, 2, 3…: a file's new number is never above its old one and
    // never taken by a later file (numbers start at 1), and a crash half-way leaves the renamed
    // (oldest) files before the others, so the order survives.
    uint64_t renamed = 0;
    for (auto& [name, file] : files) {
      const uint64_t to = renamed + 1;
      const std::string target = name.kind == SpoolName::Kind::kBatch
                                     ? batch_file_name(to)
                                     : legacy_file_name(to, name.event_id);
      if (to != name.seq) {
        if (::renameat2(dir_fd_, file.c_str(), dir_fd_, target.c_str(), RENAME_NOREPLACE) != 0) {
          break;  // the rest keep their (higher) numbers: still after the renamed ones
        }
        if (auto ledger = found.ledgers.find(name.seq); ledger != found.ledgers.end()) {
          const std::string old_ledger = ledger->second;
          found.ledgers.erase(ledger);
          if (::renameat(dir_fd_, old_ledger.c_str(), dir_fd_, ledger_file_name(to).c_str()) == 0) {
            found.ledgers[to] = ledger_file_name(to);
          }
        }
        name.seq = to;
        file = target;
      }
      ++renamed;
    }
    ::fsync(dir_fd_);
    events_.spool_renumbered(renamed);
  }
  for (const auto& [name, file] : files) adopt(name, file, found);
  // Past the highest number found; 0 (a wrap, when renumbering could not finish) stops writes.
  if (!files.empty()) next_batch_ = files.back().first.seq + 1;

  // A smaller spool_max_bytes than last time: drop the oldest until the rest fits.
  std::vector<std::string> unlink, dropped;
  make_room(0, &unlink, &dropped);
  unlink_all(unlink);
  for (const std::string& id : dropped) {
    events_.spool_full_dropped(id, "the spool is larger than spool_max_bytes");
  }
  publish_gauges();
  return Status::Ok();
}

// Adds one batch (or legacy event) file to the queue, or moves what is wrong with it aside.
// Called with mu_ held, from recover() only.
void Spool::adopt(const SpoolName& name, const std::string& file, Recovered& found) {
  const std::string path = dir_ + "/" + file;
  const bool legacy = name.kind == SpoolName::Kind::kLegacyEvent;
  bool not_regular = false;
  Result<spool_io::Opened> opened = spool_io::open_regular(path, &not_regular);
  if (!opened.ok()) {
    move_aside(file, opened.message());
    return;
  }
  std::set<uint64_t> done;
  const auto ledger = found.ledgers.find(name.seq);
  const std::string ledger_path = ledger == found.ledgers.end() ? "" : dir_ + "/" + ledger->second;
  if (!ledger_path.empty() && !legacy) {
    // At most one line per record, and a record is longer than its line.
    Result<std::string> text = spool_io::read_prefix(ledger_path, opened->size, &not_regular);
    if (text.ok()) {
      done = parse_ledger(*text);
    } else if (not_regular) {
      move_aside(ledger->second, text.message());
    }
  }
  Result<BatchScan> scan = scan_batch_file(opened->file.fd(), opened->size, done, path);
  opened->file = spool_io::File();
  if (!scan.ok()) {
    move_aside(file, scan.message());
    return;
  }
  if (legacy) {
    std::string why;
    if (!scan->bad.empty()) {
      why = scan->bad.front().why;
    } else if (scan->records.empty()) {
      why = "empty file";
    } else if (scan->records.size() > 1) {
      why = "longer than its header says";
    } else if (scan->records.front().event_id != name.event_id) {
      why = "event_id differs from file name";
    } else if (by_id_.count(Id::of(name.event_id)) != 0) {
      why = "a second file for the same event_id";
    }
    if (!why.empty()) {
      move_aside(file, why);
      return;
    }
  } else {
    if (scan->records.empty() && scan->done == 0) {
      move_aside(file, scan->bad.empty() ? "empty file" : scan->bad.front().why);
      return;
    }
    for (const BadRange& bad : scan->bad) {
      copy_aside(file, bad.offset, bad.bytes, bad.why);
      // So that the next start does not copy it again.
      (void)spool_io::append(dir_ + "/" + ledger_file_name(name.seq), ledger_line(bad.offset));
    }
  }

  Batch batch;
  batch.name = file;
  batch.bytes = opened->size;
  batch.first = next_key_;
  batch.legacy = legacy;
  for (const ScannedRecord& record : scan->records) {
    const Id id = Id::of(record.event_id);
    if (by_id_.count(id) != 0) {
      // The same event committed twice (a line re-read after a crash before the first copy
      // was acknowledged): the first copy is kept.
      events_.event_duplicate(record.event_id);
      (void)spool_io::append(dir_ + "/" + ledger_file_name(name.seq), ledger_line(record.offset));
      continue;
    }
    Slot slot;
    slot.id = id;
    slot.batch = name.seq;
    slot.offset = record.offset;
    slot.bytes = record.bytes;
    slot.kind = record.kind;
    slot.state = State::kReady;
    by_id_.emplace(id, next_key_);
    slots_.emplace(next_key_++, std::move(slot));
    ++batch.live;
    ++stored_;
  }
  batch.count = next_key_ - batch.first;
  if (batch.live == 0) {  // everything in it was done: it only waited to be deleted
    unlink_all({path, dir_ + "/" + ledger_file_name(name.seq)});
    return;
  }
  bytes_ += batch.bytes;
  batches_.emplace(name.seq, std::move(batch));
}

// ---------------------------------------------------------------------------------------------
// Files moved aside, deleted

// A free path in <dir>/corrupt/ for `name`, creating the directory; nullopt when there is none
// (corrupt/ cannot be made, or is not a directory: a symlink there is not followed).
std::optional<std::string> Spool::corrupt_path(const std::string& name) const {
  const std::string corrupt_dir = dir_ + "/" + std::string(kSpoolCorruptDir);
  struct stat st {};
  if ((::mkdir(corrupt_dir.c_str(), 0700) != 0 && errno != EEXIST) ||
      ::lstat(corrupt_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return std::nullopt;
  }
  std::string target = corrupt_dir + "/" + name;
  for (int n = 1; ::lstat(target.c_str(), &st) == 0; ++n) {
    target = corrupt_dir + "/" + name + "." + std::to_string(n);
  }
  return target;
}

void Spool::move_aside(const std::string& name, std::string_view why) {
  const std::string path = dir_ + "/" + name;
  const bool regular = spool_io::is_regular(path);
  const std::optional<std::string> target = corrupt_path(name);
  if (target && ::rename(path.c_str(), target->c_str()) == 0) {
    events_.spool_corrupt_moved_aside(*target, why);
  } else if (regular) {
    // Nowhere to move it: delete it rather than retry it forever; still counted and logged.
    ::unlink(path.c_str());
    events_.spool_corrupt_moved_aside(path, std::string(why) + "; deleted");
  } else {
    // Not ours to delete (a FIFO, a directory…), and never opened again: it is skipped.
    events_.spool_left_in_place(path, why);
  }
}

// Copies the bytes of one unusable record (or the unreadable rest of a batch) to corrupt/, for
// inspection; the batch's other records stay where they are.
void Spool::copy_aside(const std::string& name, uint64_t offset, uint64_t bytes,
                       std::string_view why) {
  const std::string path = dir_ + "/" + name;
  const std::string copy_name = name + "@" + std::to_string(offset);
  bool not_regular = false;
  std::string copy;
  if (Result<spool_io::Opened> opened = spool_io::open_regular(path, &not_regular); opened.ok()) {
    copy.resize(static_cast<size_t>(std::min<uint64_t>(bytes, opened->size)));
    Result<size_t> got =
        spool_io::read_at(opened->file.fd(), offset, copy.data(), copy.size(), path);
    copy.resize(got.ok() ? *got : 0);
  }
  const std::optional<std::string> target = corrupt_path(copy_name);
  if (target && spool_io::create_with(*target, copy).ok()) {
    events_.spool_corrupt_moved_aside(*target, why);
  } else {
    events_.spool_corrupt_moved_aside(dir_ + "/" + copy_name, std::string(why) + "; not kept");
  }
}

void Spool::unlink_all(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) ::unlink(path.c_str());
}

// ---------------------------------------------------------------------------------------------
// The queue

void Spool::publish_gauges() {
  events_.stats().spool_files = stored_;
  events_.stats().spool_bytes = bytes_;
}

void Spool::set_on_ready(std::function<void()> on_ready) {
  on_ready_ = std::move(on_ready);
}

void Spool::set_commit_hook(std::function<void(CommitStep)> hook) {
  commit_hook_ = std::move(hook);
}

uint64_t Spool::max_batch_bytes() const {
  return std::max<uint64_t>(1, std::min<uint64_t>(max_bytes_ / 16, 1u << 20));
}

bool Spool::make_room(uint64_t need, std::vector<std::string>* unlink,
                      std::vector<std::string>* dropped) {
  if (bytes_ + need <= max_bytes_) return true;
  if (need > max_bytes_) return false;
  uint64_t droppable = 0;
  for (const auto& [seq, batch] : batches_) {
    if (!batch.writing && batch.claimed == 0) droppable += batch.bytes;
  }
  if (bytes_ - droppable + need > max_bytes_) return false;
  for (auto it = batches_.begin(); bytes_ + need > max_bytes_ && it != batches_.end();) {
    if (it->second.writing || it->second.claimed != 0) {
      ++it;
      continue;
    }
    auto next = std::next(it);
    drop_batch(it, unlink, dropped);
    it = next;
  }
  return true;
}

void Spool::drop_batch(std::map<uint64_t, Batch>::iterator it, std::vector<std::string>* unlink,
                       std::vector<std::string>* dropped) {
  const Batch& batch = it->second;
  for (auto s = slots_.lower_bound(batch.first);
       s != slots_.end() && s->first < batch.first + batch.count;) {
    dropped->push_back(s->second.id.hex());
    by_id_.erase(s->second.id);
    --stored_;
    s = slots_.erase(s);
  }
  unlink->push_back(dir_ + "/" + batch.name);
  unlink->push_back(dir_ + "/" + ledger_file_name(it->first));
  bytes_ -= batch.bytes;
  batches_.erase(it);
}

std::optional<std::string> Spool::retire(uint64_t key) {
  auto s = slots_.find(key);
  if (s == slots_.end()) return std::nullopt;
  auto b = batches_.find(s->second.batch);
  const uint64_t offset = s->second.offset;
  if (s->second.state == State::kClaimed && b != batches_.end()) --b->second.claimed;
  if (s->second.state != State::kWriting) --stored_;
  by_id_.erase(s->second.id);
  slots_.erase(s);
  if (b == batches_.end()) return std::nullopt;
  if (--b->second.live > 0) {
    // Under the lock, so that it cannot recreate the ledger of a batch deleted meanwhile. Not
    // fsynced: a lost line means one more send of the same event.
    (void)spool_io::append(dir_ + "/" + ledger_file_name(b->first), ledger_line(offset));
    return std::nullopt;
  }
  std::string name = b->second.name;
  bytes_ -= b->second.bytes;
  batches_.erase(b);
  return name;
}

std::vector<Result<Spool::Put>> Spool::put_batch(std::span<const Item> items) {
  enum class Verdict { kInvalid, kDuplicate, kTooBig, kNoRoom, kAdmitted };
  std::vector<Verdict> verdicts(items.size(), Verdict::kAdmitted);
  std::vector<std::string> unlink, evicted;
  std::string data;  // the batch file
  uint64_t seq = 0;
  uint64_t first_key = 0;
  size_t admitted = 0;
  {
    std::lock_guard<std::mutex> g(mu_);
    uint64_t pending = 0;
    std::vector<uint64_t> sizes(items.size(), 0);
    std::vector<uint64_t*> keys(items.size(), nullptr);  // the admitted ones' by_id_ values
    for (size_t i = 0; i < items.size(); ++i) {
      const Item& item = items[i];
      sizes[i] = spool_record_size(item.event_id, item.payload, item.kind);
      if (!is_valid_event_id(item.event_id)) {
        verdicts[i] = Verdict::kInvalid;
        continue;
      }
      const Id id = Id::of(item.event_id);
      if (by_id_.count(id) != 0) {  // spooled already, or earlier in this batch
        verdicts[i] = Verdict::kDuplicate;
      } else if (sizes[i] > max_bytes_) {
        verdicts[i] = Verdict::kTooBig;
      } else if (!make_room(pending + sizes[i], &unlink, &evicted)) {
        verdicts[i] = Verdict::kNoRoom;
      } else {
        keys[i] = &by_id_.emplace(id, 0).first->second;  // node-based: stays valid
        pending += sizes[i];
        ++admitted;
      }
    }
    if (admitted > 0) {
      seq = next_batch_;
      // 0: the numbers wrapped (see recover()); nothing more is written rather than sort a new
      // batch before the old ones. 2^63 batches are out of reach otherwise.
      if (seq != 0) ++next_batch_;
      first_key = next_key_;
      Batch batch;
      batch.name = batch_file_name(seq);
      batch.bytes = pending;
      batch.first = first_key;
      batch.count = admitted;
      batch.live = admitted;
      batch.writing = true;
      batches_.emplace(seq, std::move(batch));
      data.reserve(pending);
      for (size_t i = 0; i < items.size(); ++i) {
        if (verdicts[i] != Verdict::kAdmitted) continue;
        Slot slot;
        slot.id = Id::of(items[i].event_id);
        slot.batch = seq;
        slot.offset = data.size();
        slot.bytes = sizes[i];
        slot.kind = items[i].kind;
        *keys[i] = next_key_;
        slots_.emplace(next_key_++, slot);
        append_spool_record(&data, items[i].event_id, items[i].payload, items[i].kind);
      }
      bytes_ += pending;
    }
    publish_gauges();
  }
  unlink_all(unlink);
  for (const std::string& id : evicted) {
    events_.spool_full_dropped(id, "the oldest event made room for a new one");
  }

  Status written = Status::Ok();
  if (admitted > 0) {
    written = seq != 0 ? commit(seq, data)
                       : Status::Error(
                             "spool sequence numbers exhausted; restart faultline to "
                             "renumber the spool");
  }
  if (admitted > 0) {
    std::lock_guard<std::mutex> g(mu_);
    auto b = batches_.find(seq);
    if (written.ok()) {
      b->second.writing = false;
      for (uint64_t key = first_key; key < first_key + admitted; ++key) {
        slots_[key].state = State::kReady;
      }
      stored_ += admitted;
    } else {
      for (uint64_t key = first_key; key < first_key + admitted; ++key) {
        by_id_.erase(slots_[key].id);
        slots_.erase(key);
      }
      bytes_ -= b->second.bytes;
      batches_.erase(b);
    }
    publish_gauges();
  }

  std::vector<Result<Put>> results;
  results.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string_view id = items[i].event_id;
    switch (verdicts[i]) {
      case Verdict::kInvalid:
        results.emplace_back(Status::Error("event_id must be 32 lowercase hex digits"));
        break;
      case Verdict::kDuplicate:
        events_.event_duplicate(id);
        results.emplace_back(Put::kDuplicate);
        break;
      case Verdict::kTooBig:
      case Verdict::kNoRoom: {
        const std::string why = verdicts[i] == Verdict::kTooBig
                                    ? "the event alone is larger than spool_max_bytes"
                                    : "no room: every older batch has an event being sent";
        events_.spool_full_dropped(id, why);
        results.emplace_back(Status::Error("spool full: " + why));
        break;
      }
      case Verdict::kAdmitted:
        if (!written.ok()) events_.spool_write_failed(id, written.message());
        results.emplace_back(written.ok() ? Result<Put>(Put::kStored) : Result<Put>(written));
        break;
    }
  }
  if (admitted > 0 && written.ok()) {
    events_.events_submitted(admitted);
    if (on_ready_) on_ready_();
  }
  return results;
}

Result<Spool::Put> Spool::put(std::string_view event_id, std::string_view payload) {
  const Item item{event_id, payload};
  return std::move(put_batch(std::span<const Item>(&item, 1)).front());
}

// Writes one batch file durably: a temp file in the same directory, one fdatasync, rename, then
// one fsync of the directory so the rename itself survives a power cut.
Status Spool::commit(uint64_t seq, const std::string& data) {
  const std::string temp = dir_ + "/" + temp_file_name(seq);
  const std::string final_path = dir_ + "/" + batch_file_name(seq);
  const auto step = [this](CommitStep s) {
    if (commit_hook_) commit_hook_(s);
  };
  std::chrono::microseconds synced{0};
  Status status = Status::Ok();
  {
    spool_io::File file(
        ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (file.fd() < 0) return os_error("cannot create", temp, errno);
    status = spool_io::write_all(file.fd(), data, temp);
    if (status.ok()) step(CommitStep::kWritten);
    const auto start = std::chrono::steady_clock::now();
    // fdatasync: the data and the size needed to read it back; the name is the rename's job.
    if (status.ok() && ::fdatasync(file.fd()) != 0) status = os_error("cannot fsync", temp, errno);
    synced += since(start);
    if (status.ok()) step(CommitStep::kFileSynced);
    if (::close(file.release()) != 0 && status.ok()) status = os_error("cannot close", temp, errno);
  }
  if (status.ok() && ::rename(temp.c_str(), final_path.c_str()) != 0) {
    status = os_error("cannot rename", temp, errno);
  }
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  step(CommitStep::kRenamed);
  const auto start = std::chrono::steady_clock::now();
  if (::fsync(dir_fd_) != 0) {
    status = os_error("cannot fsync directory", dir_, errno);
    ::unlink(final_path.c_str());  // not known to be durable: reported as lost, so not kept
    return status;
  }
  synced += since(start);
  step(CommitStep::kDirectorySynced);
  events_.spool_committed(data.size(), synced);
  return Status::Ok();
}

std::optional<Spool::Entry> Spool::claim(time_point now, time_point* next_due, KindSet kinds) {
  std::lock_guard<std::mutex> g(mu_);
  *next_due = time_point::max();
  Slot* best = nullptr;
  uint64_t best_key = 0;
  for (auto& [key, slot] : slots_) {
    if (slot.state != State::kReady || !kinds.has(slot.kind)) continue;
    if (slot.not_before > now) {
      *next_due = std::min(*next_due, slot.not_before);
      continue;
    }
    if (best == nullptr || slot.failures < best->failures) {
      best = &slot;
      best_key = key;
      if (slot.failures == 0) break;  // nothing older can beat an unfailed entry
    }
  }
  if (best == nullptr) return std::nullopt;
  best->state = State::kClaimed;
  if (auto b = batches_.find(best->batch); b != batches_.end()) ++b->second.claimed;
  return Entry{best_key, best->id.hex(), best->failures, best->kind};
}

Result<std::string> Spool::read(const Entry& entry) {
  std::string name;
  uint64_t offset = 0, bytes = 0;
  {
    std::lock_guard<std::mutex> g(mu_);
    auto s = slots_.find(entry.seq);
    if (s == slots_.end()) return Status::Error("not in the spool");
    auto b = batches_.find(s->second.batch);
    if (b == batches_.end()) return Status::Error("not in the spool");
    name = b->second.name;
    offset = s->second.offset;
    bytes = s->second.bytes;
  }
  const std::string path = dir_ + "/" + name;
  bool not_regular = false;
  Result<std::string> payload = Status::Error("unread");
  if (Result<spool_io::Opened> opened = spool_io::open_regular(path, &not_regular); opened.ok()) {
    std::string record(static_cast<size_t>(std::min<uint64_t>(bytes, opened->size)), '\0');
    Result<size_t> got =
        spool_io::read_at(opened->file.fd(), offset, record.data(), record.size(), path);
    if (got.ok()) record.resize(*got);
    payload =
        got.ok() ? parse_spool_file(record, entry.event_id) : Result<std::string>(got.status());
  } else {
    payload = opened.status();
  }
  if (payload.ok()) return payload;

  std::optional<std::string> gone;
  uint64_t seq = 0;
  {
    std::lock_guard<std::mutex> g(mu_);
    auto s = slots_.find(entry.seq);
    if (s == slots_.end()) return payload.status();
    seq = s->second.batch;
    gone = retire(entry.seq);
    publish_gauges();
  }
  if (gone) {
    move_aside(*gone, payload.message());  // its last event: the whole file goes
    ::unlink((dir_ + "/" + ledger_file_name(seq)).c_str());
  } else {
    copy_aside(name, offset, bytes, payload.message());
  }
  return payload.status();
}

void Spool::complete(const Entry& entry) {
  std::optional<std::string> gone;
  uint64_t seq = 0;
  {
    std::lock_guard<std::mutex> g(mu_);
    auto s = slots_.find(entry.seq);
    if (s == slots_.end()) return;
    seq = s->second.batch;
    gone = retire(entry.seq);
    publish_gauges();
  }
  if (gone) unlink_all({dir_ + "/" + *gone, dir_ + "/" + ledger_file_name(seq)});
}

void Spool::release(const Entry& entry, time_point not_before, bool failed) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = slots_.find(entry.seq);
  if (it == slots_.end()) return;
  if (it->second.state == State::kClaimed) {
    if (auto b = batches_.find(it->second.batch); b != batches_.end()) --b->second.claimed;
  }
  it->second.state = State::kReady;
  it->second.not_before = not_before;
  if (failed) ++it->second.failures;
}

uint64_t Spool::size() const {
  std::lock_guard<std::mutex> g(mu_);
  return stored_;
}

}  // namespace faultline::delivery
