#include "agent/sentry/debug_id.h"

#include <algorithm>
#include <cstring>

namespace faultline::sentry {

namespace {

constexpr size_t kChunk = 64 * 1024;
// Enough of a line to classify it: the longest prefix looked for plus a uuid and some spaces.
constexpr size_t kLineHead = 128;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_source_map_comment(std::string_view line) {
  line = trim(line);
  return line.starts_with("//# sourceMappingURL=") || line.starts_with("//@ sourceMappingURL=");
}

// Walks a file's lines from the end, reading backwards in chunks: the last chunk read is kept,
// so the short lines of a file's tail cost one read together. Stops (failed) on a read error
// or when `budget` bytes have been read.
class TailLines {
 public:
  TailLines(const ReadAt& read, uint64_t size, uint64_t budget)
      : read_(read), end_(size), budget_(budget) {}

  // The next line up: its start and the first kLineHead bytes of it (its length is end - start).
  // False at the top of the file or when it failed.
  bool next(uint64_t& start, uint64_t& length, std::string_view& head) {
    if (done_) return false;
    const std::optional<uint64_t> nl = previous_newline(end_);
    if (failed_) return false;
    start = nl ? *nl + 1 : 0;
    length = end_ - start;
    const size_t want = static_cast<size_t>(std::min<uint64_t>(length, kLineHead));
    if (start >= chunk_start_ && start + want <= chunk_start_ + chunk_.size()) {
      head = std::string_view(chunk_).substr(static_cast<size_t>(start - chunk_start_), want);
    } else {
      if (want > 0 && read_(line_head_, want, start) != static_cast<long>(want)) return false;
      head = std::string_view(line_head_, want);
    }
    done_ = !nl;
    if (nl) end_ = *nl;
    return true;
  }

 private:
  std::optional<uint64_t> previous_newline(uint64_t end) {
    // First what the kept chunk holds below `end`.
    if (end > chunk_start_ && end <= chunk_start_ + chunk_.size()) {
      const size_t n = static_cast<size_t>(end - chunk_start_);
      if (const void* nl = memrchr(chunk_.data(), '\n', n)) {
        return chunk_start_ + static_cast<uint64_t>(static_cast<const char*>(nl) - chunk_.data());
      }
      end = chunk_start_;
    }
    while (end > 0) {
      // A file's tail is usually short: read 4 KiB first, then larger steps over a long line.
      const uint64_t step = chunk_.empty() ? 4096 : kChunk;
      const uint64_t len = std::min<uint64_t>({end, step, budget_});
      if (len == 0) {
        failed_ = true;
        return std::nullopt;
      }
      chunk_.resize(static_cast<size_t>(len));
      chunk_start_ = end - len;
      if (read_(chunk_.data(), chunk_.size(), chunk_start_) != static_cast<long>(len)) {
        failed_ = true;
        return std::nullopt;
      }
      budget_ -= len;
      if (const void* nl = memrchr(chunk_.data(), '\n', chunk_.size())) {
        return chunk_start_ + static_cast<uint64_t>(static_cast<const char*>(nl) - chunk_.data());
      }
      end = chunk_start_;
    }
    return std::nullopt;
  }

  const ReadAt& read_;
  uint64_t end_;  // the end of the next line up (its '\n' excluded)
  uint64_t budget_;
  std::string chunk_;
  uint64_t chunk_start_ = 0;
  char line_head_[kLineHead];
  bool failed_ = false;
  bool done_ = false;
};

std::string tail_debug_id(const ReadAt& read, uint64_t size, const DebugIdLimits& limits) {
  TailLines lines(read, size, limits.tail_scan);
  uint64_t start = 0, length = 0;
  std::string_view head;
  for (size_t n = 0; n < limits.tail_lines && lines.next(start, length, head); ++n) {
    const bool whole = length <= kLineHead;
    if (whole && trim(head).empty()) continue;  // a blank line: look further up
    if (auto id = debug_id_comment(whole ? head : std::string_view())) return *id;
    if (!is_source_map_comment(head)) return "";  // code: the comment would be below it
  }
  return "";
}

std::string head_debug_id(const ReadAt& read, uint64_t size, const DebugIdLimits& limits) {
  std::string head(static_cast<size_t>(std::min<uint64_t>(size, limits.head_bytes)), '\0');
  const long n = read(head.data(), head.size(), 0);
  if (n <= 0) return "";
  head.resize(static_cast<size_t>(n));
  static constexpr std::string_view kMarker = "sentry-dbid-";
  for (size_t at = head.find(kMarker); at != std::string::npos; at = head.find(kMarker, at + 1)) {
    const std::string_view id = std::string_view(head).substr(at + kMarker.size(), 36);
    if (is_uuid(id)) return lower(id);
  }
  return "";
}

}  // namespace

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

std::optional<std::string> debug_id_comment(std::string_view line) {
  line = trim(line);
  if (!line.starts_with("//#")) return std::nullopt;
  line.remove_prefix(3);
  line = trim(line);
  static constexpr std::string_view kKey = "debugId=";
  if (!line.starts_with(kKey)) return std::nullopt;
  line.remove_prefix(kKey.size());
  if (!is_uuid(line)) return std::nullopt;
  return lower(line);
}

std::string find_debug_id(const ReadAt& read, uint64_t size, const DebugIdLimits& limits) {
  if (size == 0) return "";
  std::string id = tail_debug_id(read, size, limits);
  if (id.empty()) id = head_debug_id(read, size, limits);
  return id;
}

}  // namespace faultline::sentry
