#include "agent/delivery/spool_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace faultline::delivery::spool_io {
namespace {

const char* type_of(mode_t mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "not a regular file";
}

}  // namespace

Status os_error(std::string_view what, const std::string& path, int err) {
  std::string message(what);
  message += " " + path + ": " + std::strerror(err);
  return Status::Error(std::move(message));
}

File::~File() {
  if (fd_ >= 0) ::close(fd_);
}

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

Result<Opened> open_regular(const std::string& path, bool* not_regular) {
  *not_regular = false;
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ELOOP) {  // O_NOFOLLOW met a symlink
      *not_regular = true;
      return Status::Error("not a regular file (a symbolic link)");
    }
    return os_error("cannot open", path, err);
  }
  Opened opened{File(fd), 0};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return os_error("cannot stat", path, errno);
  if (!S_ISREG(st.st_mode)) {
    *not_regular = true;
    return Status::Error(std::string("not a regular file (") + type_of(st.st_mode) + ")");
  }
  opened.size = static_cast<uint64_t>(st.st_size);
  return opened;
}

std::string file_type(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return "missing";
  return type_of(st.st_mode);
}

bool is_regular(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Status write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error("cannot write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Result<size_t> read_at(int fd, uint64_t offset, char* out, size_t n, const std::string& path) {
  size_t got = 0;
  while (got < n) {
    const ssize_t r = ::pread(fd, out + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return os_error("cannot read", path, errno);
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  return got;
}

Result<std::string> read_prefix(const std::string& path, uint64_t max, bool* not_regular) {
  Result<Opened> opened = open_regular(path, not_regular);
  if (!opened.ok()) return opened.status();
  std::string out(static_cast<size_t>(std::min(opened->size, max)), '\0');
  Result<size_t> got = read_at(opened->file.fd(), 0, out.data(), out.size(), path);
  if (!got.ok()) return got.status();
  out.resize(*got);
  return out;
}

Status append(const std::string& path, std::string_view data) {
  File file(::open(path.c_str(),
                   O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600));
  if (file.fd() < 0) return os_error("cannot open", path, errno);
  return write_all(file.fd(), data, path);
}

Status create_with(const std::string& path, std::string_view data) {
  File file(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (file.fd() < 0) return os_error("cannot create", path, errno);
  return write_all(file.fd(), data, path);
}

}  // namespace faultline::delivery::spool_io
