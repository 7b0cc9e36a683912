// `faultline spool status` and `faultline spool flush`.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>

#include "agent/cli/commands.h"
#include "agent/delivery/events.h"
#include "agent/delivery/spool.h"
#include "base/clock.h"

namespace faultline::cli {

namespace {

struct DirectoryScan {
  uint64_t files = 0, bytes = 0, corrupt = 0;
  std::optional<std::filesystem::file_time_type> oldest;
};

// What is on disk, without the lock: batch files (and one-event files of older versions).
DirectoryScan scan(const std::string& dir) {
  DirectoryScan s;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    const bool spooled = name.ends_with(".batch") || name.ends_with(".event");
    if (!spooled || name.front() == '.' || !e.is_regular_file(ec)) continue;
    ++s.files;
    s.bytes += e.file_size(ec);
    const auto written = e.last_write_time(ec);
    if (!ec && (!s.oldest || written < *s.oldest)) s.oldest = written;
  }
  for (const auto& e : std::filesystem::directory_iterator(dir + "/corrupt", ec)) {
    (void)e;
    ++s.corrupt;
  }
  return s;
}

// Whether another process holds the spool's lock (a running pipe, exec or run).
bool locked_by_another(const std::string& dir) {
  const int fd = ::open((dir + "/.lock").c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0;
  ::close(fd);
  return held;
}

std::string age_of(std::filesystem::file_time_type written) {
  const auto age = std::chrono::duration_cast<std::chrono::seconds>(
      std::filesystem::file_time_type::clock::now() - written);
  const int64_t s = std::max<int64_t>(0, age.count());
  if (s < 120) return std::to_string(s) + " s";
  if (s < 7200) return std::to_string(s / 60) + " min";
  if (s < 172800) return std::to_string(s / 3600) + " h";
  return std::to_string(s / 86400) + " days";
}

}  // namespace

int cmd_spool_status(const CommonOptions& options) {
  auto config = runtime::load_config(options.config_path, options.log_level);
  if (!config.ok()) return kExitUsage;
  const std::string& dir = config->delivery.spool_dir;
  std::printf("spool %s\n", dir.c_str());
  if (!std::filesystem::is_directory(dir)) {
    std::printf("  empty: the directory does not exist (nothing was ever spooled there)\n");
    return kExitOk;
  }
  const DirectoryScan on_disk = scan(dir);
  if (locked_by_another(dir)) {
    std::printf(
        "  in use by a running faultline: its /metrics (faultline_spool_files) counts "
        "the events it holds\n");
  } else {
    // Opened as a start would open it (recovering what a crash left), then closed again.
    delivery::Stats stats;
    delivery::Events events(stats, {}, real_clock());
    auto spool = delivery::Spool::open(dir, config->delivery.spool_max_bytes, events);
    if (!spool.ok()) {
      std::printf("  cannot be opened: %s\n", spool.message().c_str());
      return kExitRuntime;
    }
    std::printf("  events waiting: %llu (%llu bytes)\n",
                static_cast<unsigned long long>(stats.spool_files.load()),
                static_cast<unsigned long long>(stats.spool_bytes.load()));
  }
  std::printf("  files: %llu, %llu bytes", static_cast<unsigned long long>(on_disk.files),
              static_cast<unsigned long long>(on_disk.bytes));
  if (on_disk.oldest) std::printf("; the oldest written %s ago", age_of(*on_disk.oldest).c_str());
  std::printf("\n");
  if (on_disk.corrupt > 0) {
    std::printf("  set aside in corrupt/: %llu files (unreadable, never sent)\n",
                static_cast<unsigned long long>(on_disk.corrupt));
  }
  if (!config->sentry.dsn.empty() && on_disk.files > 0) {
    std::printf("  `faultline spool flush` sends them now (when no faultline runs on it)\n");
  }
  return kExitOk;
}

int cmd_spool_flush(const SpoolFlushOptions& options) {
  auto config = runtime::load_config(options.config_path, options.log_level);
  if (!config.ok()) return kExitUsage;
  return runtime::flush_spool(*config, options.timeout_seconds);
}

}  // namespace faultline::cli
