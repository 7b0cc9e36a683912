#include "parsers/v8_stack.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <optional>
#include <utility>

namespace faultline {
namespace {

constexpr size_t kNpos = std::string_view::npos;
// The SDK cuts every line to 1024 UTF-16 code units before matching (its ReDoS guard).
constexpr size_t kMaxLineUnits = 1024;

// ---- JavaScript character classes on UTF-8 bytes ----------------------------------------------

// js_space() for a character outside ASCII.
size_t js_space_beyond_ascii(std::string_view s, size_t i) {
  const auto b = [&](size_t k) -> unsigned {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0;
  };
  const unsigned c = b(0);
  if (c == 0xC2 && b(1) == 0xA0) return 2;                  // U+00A0
  if (c == 0xE1 && b(1) == 0x9A && b(2) == 0x80) return 3;  // U+1680
  if (c == 0xE2 && b(1) == 0x80 &&
      ((b(2) >= 0x80 && b(2) <= 0x8A) ||  // U+2000-200A
       b(2) == 0xA8 || b(2) == 0xA9 || b(2) == 0xAF)) {
    return 3;  // U+2028/9, 202F
  }
  if (c == 0xE2 && b(1) == 0x81 && b(2) == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && b(1) == 0x80 && b(2) == 0x80) return 3;  // U+3000
  if (c == 0xEF && b(1) == 0xBB && b(2) == 0xBF) return 3;  // U+FEFF
  return 0;
}

// Byte length of the JavaScript `\s` character at s[i], or 0.
inline size_t js_space(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D) ? 1 : 0;
  return js_space_beyond_ascii(s, i);
}

// Whether s[i] starts a character that the regex `.` does not match (\n, \r, U+2028, U+2029).
bool js_terminator(std::string_view s, size_t i) {
  if (s[i] == '\n' || s[i] == '\r') return true;
  return i + 2 < s.size() && s[i] == '\xE2' && s[i + 1] == '\x80' &&
         (s[i + 2] == '\xA8' || s[i + 2] == '\xA9');
}

size_t char_length(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const size_t n = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  return std::min(n, s.size() - i);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_alpha(char c) {
  return is_upper(c) || (c >= 'a' && c <= 'z');
}

// The prefix of `line` that is at most 1024 UTF-16 code units, cut on a character boundary
// (JavaScript could keep half of a surrogate pair; UTF-8 cannot).
std::string_view truncate_units(std::string_view line) {
  if (line.size() <= kMaxLineUnits) return line;
  size_t units = 0;
  size_t i = 0;
  while (i < line.size()) {
    const size_t n = char_length(line, i);
    const size_t u = n == 4 ? 2 : 1;
    if (units + u > kMaxLineUnits) break;
    units += u;
    i += n;
  }
  return line.substr(0, i);
}

// ---- URI decoding (decodeURI / decodeURIComponent) --------------------------------------------

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// ECMAScript Decode(): nullopt where JavaScript throws URIError. With `keep_reserved`
// (decodeURI), escapes of ";/?:@&=+$,#" stay as written.
std::optional<std::string> uri_decode(std::string_view s, bool keep_reserved) {
  if (s.find('%') == kNpos) return std::string(s);
  const auto escaped_byte = [&](size_t k) -> int {
    if (k + 2 >= s.size() || s[k] != '%') return -1;
    const int hi = hex_value(s[k + 1]);
    const int lo = hex_value(s[k + 2]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
  };
  std::string out;
  out.reserve(s.size());
  for (size_t k = 0; k < s.size();) {
    if (s[k] != '%') {
      out += s[k++];
      continue;
    }
    const int b0 = escaped_byte(k);
    if (b0 < 0) return std::nullopt;
    if (b0 < 0x80) {
      if (keep_reserved && std::string_view(";/?:@&=+$,#").find(static_cast<char>(b0)) != kNpos) {
        out.append(s.substr(k, 3));
      } else {
        out += static_cast<char>(b0);
      }
      k += 3;
      continue;
    }
    const size_t n = (b0 & 0xE0) == 0xC0   ? 2
                     : (b0 & 0xF0) == 0xE0 ? 3
                     : (b0 & 0xF8) == 0xF0 ? 4
                                           : 0;
    if (n == 0) return std::nullopt;
    uint32_t cp = static_cast<uint32_t>(b0) & (0x7Fu >> n);
    for (size_t j = 1; j < n; ++j) {
      const int bj = escaped_byte(k + 3 * j);
      if (bj < 0 || (bj & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | static_cast<uint32_t>(bj & 0x3F);
    }
    const uint32_t min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    for (size_t j = 0; j < n; ++j) out += static_cast<char>(escaped_byte(k + 3 * j));
    k += 3 * n;
  }
  return out;
}

// ---- Paths ------------------------------------------------------------------------------------

bool looks_windows(std::string_view path) {
  return (path.size() >= 3 && is_alpha(path[0]) && path[1] == ':' &&
          (path[2] == '\\' || path[2] == '/')) ||
         path.starts_with("\\\\");
}

// The SDK's normalizeWindowsPath: drop an upper-case drive letter, '\' → '/'.
std::string normalize_windows(std::string_view path) {
  if (path.size() >= 2 && is_upper(path[0]) && path[1] == ':') path.remove_prefix(2);
  std::string out(path);
  std::replace(out.begin(), out.end(), '\\', '/');
  return out;
}

std::string dots_for_slashes(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), '/', '.');
  return out;
}

// Node's path.posix.parse(), reduced to the `dir` and `base` it returns.
void posix_parse(std::string_view path, std::string_view& dir, std::string_view& base) {
  dir = base = {};
  if (path.empty()) return;
  const bool absolute = path[0] == '/';
  size_t end = kNpos;
  size_t start_part = 0;
  for (size_t i = path.size(); i-- > (absolute ? 1u : 0u);) {
    if (path[i] != '/') {
      if (end == kNpos) end = i + 1;
    } else if (end != kNpos) {
      start_part = i + 1;
      break;
    }
  }
  if (end != kNpos) {
    const size_t start = start_part == 0 && absolute ? 1 : start_part;
    base = path.substr(start, end - start);
  }
  if (start_part > 0) {
    dir = path.substr(0, start_part - 1);
  } else if (absolute) {
    dir = path.substr(0, 1);
  }
}

// @sentry/core's filenameIsInApp(filename, isNative).
bool filename_is_in_app(std::string_view filename, bool native) {
  const auto has_scheme = [&] {  // /^[a-zA-Z]([a-zA-Z0-9.\-+])*:\/\//
    if (filename.empty() || !is_alpha(filename[0])) return false;
    size_t i = 1;
    while (i < filename.size() &&
           (is_alpha(filename[i]) || is_digit(filename[i]) || filename[i] == '.' ||
            filename[i] == '-' || filename[i] == '+')) {
      ++i;
    }
    return filename.substr(i).starts_with("://");
  };
  const bool drive = filename.size() >= 2 && is_upper(filename[0]) && filename[1] == ':';
  const bool internal = native || (!filename.empty() && !filename.starts_with('/') && !drive &&
                                   !filename.starts_with('.') && !has_scheme());
  return !internal && filename.find("node_modules/") == kNpos;
}

// @sentry/core's normalizeStackTracePath().
std::string_view normalize_stack_path(std::string_view path) {
  if (path.starts_with("file://")) path.remove_prefix(7);
  for (size_t i = 0; i + 2 < path.size(); ++i) {  // /\/[A-Z]:/, unanchored
    if (path[i] == '/' && is_upper(path[i + 1]) && path[i + 2] == ':') {
      path.remove_prefix(char_length(path, 0));
      break;
    }
  }
  return path;
}

std::string trim_root(std::string_view root) {
  while (!root.empty() && (root.back() == '/' || root.back() == '\\')) root.remove_suffix(1);
  return std::string(root);
}

int parse_line_number(std::string_view digits) {  // parseInt(…) || undefined
  while (!digits.empty() && digits.front() == '0') digits.remove_prefix(1);
  if (digits.empty() || digits.size() > 10) return 0;
  int64_t v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v > INT_MAX ? 0 : static_cast<int>(v);
}

// ---- One line ---------------------------------------------------------------------------------

// The ASCII characters that LineMatcher::reset() records or that start what it records:
// whitespace (terminators included), ')', "at ", ":digits:".
constexpr std::array<bool, 128> kTabled = [] {
  std::array<bool, 128> t{};
  for (const char c : std::string_view("\t\n\v\f\r )a:")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

// What the SDK's line regexes capture on one line (views into the cleaned line).
struct LineMatch {
  bool data_uri = false;
  std::optional<std::string_view> function;  // group 1
  std::optional<std::string_view> file;      // group 2, followed by line and column
  std::string_view line_digits, col_digits;  // groups 3 and 4
  std::optional<std::string_view> location;  // group 5 ("native", "index 0", …), or the mime type
};

// Emulates the SDK's unanchored line regexes (@sentry/core 11.12.0 node-stack-trace.ts)
//   DATA_URI_MATCH = /at (?:async )?(.+?) \(data:(.*?),/
//   FULL_MATCH     = /at (?:async )?(?:(?=.*\)\s*$)(.+?)\s+\()?(?:(.+):(\d+):(\d+)?|([^)]+))\)?/
// taking the alternative a backtracking engine would. A backtracking engine may try every
// (start, function end) pair on a line, which a hostile line makes quadratic; here the positions
// that matter are tabled once per line and each alternative's outcome is memoized, so a line
// costs O(n log n). One matcher per thread is reused across lines to keep its tables' memory.
class LineMatcher {
 public:
  void reset(std::string_view s) {
    s_ = s;
    terminators_.clear(), at_.clear(), closes_.clear(), colons_.clear();
    data_.clear(), space_paren_.clear(), spaces_.clear();
    closing_paren_ = kNpos;
    size_t last_nonspace = kNpos;
    for (size_t i = 0; i < s.size();) {
      // Most of a frame line is ASCII that none of the tables below records: step over it.
      if (const auto c = static_cast<unsigned char>(s[i]); c < 0x80 && !kTabled[c]) {
        last_nonspace = i++;
        continue;
      }
      if (js_terminator(s, i)) terminators_.push_back(i);
      if (js_space(s, i) == 0) {
        last_nonspace = i;
      } else {
        spaces_.push_back(i);
      }
      if (s[i] == ')') closes_.push_back(i);
      if (s.substr(i).starts_with("at ")) at_.push_back(i);
      if (s.substr(i).starts_with(" (data:")) data_.push_back({i, kNpos});
      if (s[i] == ':' && i + 1 < s.size() && is_digit(s[i + 1])) {
        size_t j = i + 1;
        while (j < s.size() && is_digit(s[j])) ++j;
        if (j < s.size() && s[j] == ':') {
          size_t k = j + 1;
          while (k < s.size() && is_digit(s[k])) ++k;
          colons_.push_back({i, j, k});
        }
      }
      i += char_length(s, i);
    }
    if (last_nonspace != kNpos && s[last_nonspace] == ')') closing_paren_ = last_nonspace;
    // `\s+\(`: every character of a whitespace run that ends at '(' can start it.
    for (size_t first = 0; first < spaces_.size();) {
      size_t last = first;  // the run is spaces_[first..last]
      size_t end = spaces_[first] + js_space(s, spaces_[first]);
      while (last + 1 < spaces_.size() && spaces_[last + 1] == end) {
        end += js_space(s, end);
        ++last;
      }
      if (end < s.size() && s[end] == '(') {
        for (size_t r = first; r <= last; ++r) space_paren_.push_back({spaces_[r], end + 1, 0});
      }
      first = last + 1;
    }
    // Whether the location group matches after a '(' does not depend on where the function
    // started, so each is decided once: next_ok = the first candidate from here on that works.
    for (size_t k = space_paren_.size(); k-- > 0;) {
      space_paren_[k].next_ok = match_location(space_paren_[k].after) ? k
                                : k + 1 < space_paren_.size()         ? space_paren_[k + 1].next_ok
                                                                      : kNpos;
    }
    // (.*?), : the first comma after "data:", unless a terminator comes first.
    size_t comma = kNpos;
    for (size_t k = data_.size(), i = s.size(); k-- > 0;) {
      for (; i > data_[k].start + 7; --i) {
        if (s[i - 1] == ',') comma = i - 1;
      }
      if (comma != kNpos && terminator_at_or_after(data_[k].start + 7) > comma) {
        data_[k].comma = comma;
      }
    }
  }

  std::optional<LineMatch> match_data_uri() const {
    for (size_t at : at_) {
      for (size_t p : starts_after(at)) {
        if (p == kNpos || p >= s_.size()) continue;
        // (.+?) then " (data:": the first one at least a character on, before any terminator;
        // a later one could not find a closer comma, so the first one decides.
        const auto it = std::lower_bound(data_.begin(), data_.end(), p + char_length(s_, p),
                                         [](const DataStart& d, size_t v) { return d.start < v; });
        if (it == data_.end() || it->start >= terminator_at_or_after(p) || it->comma == kNpos) {
          continue;
        }
        LineMatch m;
        m.data_uri = true;
        m.function = s_.substr(p, it->start - p);
        m.location = s_.substr(it->start + 7, it->comma - it->start - 7);
        return m;
      }
    }
    return std::nullopt;
  }

  std::optional<LineMatch> match_full() const {
    for (size_t at : at_) {
      for (size_t p : starts_after(at)) {
        if (p == kNpos) continue;
        if (auto m = match_full_at(p)) return m;
      }
    }
    return std::nullopt;
  }

 private:
  struct SpaceParen {
    size_t space;    // a whitespace character of `\s+`
    size_t after;    // just past the '(' that ends the run
    size_t next_ok;  // index of the first candidate from this one whose location matches
  };
  struct Colon {
    size_t colon, second, end;  // ":" digits ":" digits, ending before `end`
  };
  struct DataStart {
    size_t start;  // of " (data:"
    size_t comma;  // that ends the mime type, or kNpos
  };

  // Where matching goes on after "at ": with "async " consumed first (greedy), then without.
  std::array<size_t, 2> starts_after(size_t at) const {
    const size_t p = at + 3;
    if (s_.substr(p).starts_with("async ")) return {p + 6, p};
    return {p, kNpos};
  }

  size_t terminator_at_or_after(size_t i) const {
    const auto it = std::lower_bound(terminators_.begin(), terminators_.end(), i);
    return it == terminators_.end() ? s_.size() : *it;
  }

  std::optional<LineMatch> match_full_at(size_t p) const {
    const size_t end = terminator_at_or_after(p);
    // (?=.*\)\s*$): the last non-space character is ')' and no terminator comes before it.
    if (p < s_.size() && closing_paren_ != kNpos && closing_paren_ >= p && end >= closing_paren_) {
      // (.+?)\s+\( : the shortest function text whose location then matches.
      const auto it =
          std::lower_bound(space_paren_.begin(), space_paren_.end(), p + char_length(s_, p),
                           [](const SpaceParen& sp, size_t v) { return sp.space < v; });
      if (it != space_paren_.end() && it->next_ok != kNpos &&
          space_paren_[it->next_ok].space <= end) {
        const SpaceParen& sp = space_paren_[it->next_ok];
        auto m = match_location(sp.after);
        m->function = s_.substr(p, sp.space - p);
        return m;
      }
    }
    return match_location(p);
  }

  // (?:(.+):(\d+):(\d+)?|([^)]+)) at q; the greedy (.+) takes the last ":digits:".
  std::optional<LineMatch> match_location(size_t q) const {
    const auto it = std::lower_bound(colons_.begin(), colons_.end(), terminator_at_or_after(q),
                                     [](const Colon& c, size_t v) { return c.colon < v; });
    if (it != colons_.begin() && std::prev(it)->colon > q) {
      const Colon& c = *std::prev(it);
      LineMatch m;
      m.file = s_.substr(q, c.colon - q);
      m.line_digits = s_.substr(c.colon + 1, c.second - c.colon - 1);
      m.col_digits = s_.substr(c.second + 1, c.end - c.second - 1);
      return m;
    }
    if (q < s_.size() && s_[q] != ')') {
      const auto close = std::lower_bound(closes_.begin(), closes_.end(), q);
      LineMatch m;
      m.location = s_.substr(q, (close == closes_.end() ? s_.size() : *close) - q);
      return m;
    }
    return std::nullopt;
  }

  std::string_view s_;
  std::vector<size_t> terminators_, at_, closes_;
  std::vector<Colon> colons_;
  std::vector<DataStart> data_;
  std::vector<SpaceParen> space_paren_;
  std::vector<size_t> spaces_;  // where each whitespace character starts
  size_t closing_paren_ = kNpos;
};

// webpack's "(error: X)" wrapper → "X" (/\(error: (.*)\)/, first match, greedy to the last ')').
std::string_view unwrap_webpack(std::string_view line, std::string& scratch) {
  size_t cached_end = kNpos, cached_close = kNpos;
  for (size_t a = line.find("(error: "); a != kNpos; a = line.find("(error: ", a + 1)) {
    size_t end = a + 8;
    while (end < line.size() && !js_terminator(line, end)) ++end;
    if (end != cached_end) {
      cached_end = end;
      cached_close = end == 0 ? kNpos : line.rfind(')', end - 1);
    }
    if (cached_close == kNpos || cached_close < a + 8) continue;
    scratch.assign(line.substr(0, a));
    scratch.append(line.substr(a + 8, cached_close - a - 8));
    scratch.append(line.substr(cached_close + 1));
    return scratch;
  }
  return line;
}

// The SDK's function name from group 1 ("Object.<anonymous>" → "Object.?", none → "?").
std::string function_name(std::optional<std::string_view> text) {
  if (!text) return "?";
  std::string_view function = *text, object, method;
  size_t method_start = function.rfind('.');
  if (method_start != kNpos && method_start > 0 && function[method_start - 1] == '.') {
    --method_start;  // "Module._extensions..js": the ".." is one separator
  }
  if (method_start != kNpos && method_start > 0) {
    object = function.substr(0, method_start);
    method = function.substr(method_start + 1);
    const size_t object_end = object.find(".Module");
    if (object_end != kNpos && object_end > 0) {
      function = function.substr(object_end + 1);
      object = object.substr(0, object_end);
    }
  }
  // The SDK's typeName is the object whenever there is a method.
  if (method == "<anonymous>") return std::string(object) + ".?";
  return std::string(function);
}

bool contains(std::string_view s, std::string_view what) {
  return s.find(what) != kNpos;
}

bool has_space(std::string_view s) {
  for (size_t i = 0; i < s.size(); i += char_length(s, i)) {
    if (js_space(s, i) > 0) return true;
  }
  return false;
}

// A frame before module naming.
struct RawFrame {
  StackFrame frame;
  bool named = false;  // the SDK names a module after the filename (it was decoded)
};

std::optional<RawFrame> parse_line(std::string_view line, LineMatcher& matcher) {
  matcher.reset(line);
  RawFrame raw;
  StackFrame& f = raw.frame;
  if (auto m = matcher.match_data_uri()) {
    f.filename = "<data:" + std::string(*m->location) + ">";
    f.function = std::string(*m->function);
    return raw;
  }
  auto m = matcher.match_full();
  if (!m) return std::nullopt;
  f.function = function_name(m->function);
  std::string_view filename = m->file ? normalize_stack_path(*m->file) : std::string_view();
  const bool native = m->location == "native";
  if (filename.empty() && m->location && !native) filename = *m->location;
  if (!filename.empty()) {
    if (auto decoded = uri_decode(filename, /*keep_reserved=*/true)) {
      f.filename = std::move(*decoded);
      raw.named = true;
    } else {
      f.filename = std::string(filename);
    }
  }
  f.lineno = parse_line_number(m->line_digits);
  f.colno = parse_line_number(m->col_digits);
  f.in_app = filename_is_in_app(filename, native);
  return raw;
}

// createStackParser(): lines → frames, then stripSentryFramesAndReverse().
std::vector<RawFrame> parse_raw_frames(std::string_view stack, size_t max_frames) {
  // The thread's matcher: its tables keep their memory from line to line and stack to stack.
  thread_local LineMatcher matcher;
  std::vector<RawFrame> frames;
  if (max_frames == 0) return frames;
  frames.reserve(std::min<size_t>(max_frames, std::count(stack.begin(), stack.end(), '\n')));
  std::string scratch;
  bool first = true;
  for (size_t pos = 0; pos <= stack.size();) {
    const size_t nl = stack.find('\n', pos);
    std::string_view line = stack.substr(pos, nl == kNpos ? kNpos : nl - pos);
    pos = nl == kNpos ? stack.size() + 1 : nl + 1;
    if (std::exchange(first, false) && !is_frame_line(line)) continue;  // the header
    line = unwrap_webpack(truncate_units(line), scratch);
    if (contains(line, "Error: ") || !is_frame_line(line)) continue;
    if (auto raw = parse_line(line, matcher)) {
      frames.push_back(std::move(*raw));
      if (frames.size() >= max_frames) break;
    }
  }
  if (frames.empty()) return frames;
  // Sentry's own wrapper frames: the SDK drops them, so an app function named so goes too.
  if (contains(frames.back().frame.function, "sentryWrapped")) frames.pop_back();
  std::reverse(frames.begin(), frames.end());
  for (int i = 0; i < 2 && !frames.empty(); ++i) {
    const std::string& fn = frames.back().frame.function;
    if (!contains(fn, "captureMessage") && !contains(fn, "captureException")) break;
    frames.pop_back();
  }
  if (frames.empty()) return frames;
  const std::string thrower = frames.back().frame.filename;
  for (RawFrame& raw : frames) {
    if (raw.frame.filename.empty()) raw.frame.filename = thrower;
    raw.frame.abs_path = raw.frame.filename;
  }
  return frames;
}

// The directory of every absolute in-app path, as components of the first one's dirname.
class CommonDirectory {
 public:
  CommonDirectory() {
    base_.reserve(16);  // directories deep enough for most apps, without growing
    dirs_.reserve(16);
  }
  CommonDirectory(const CommonDirectory&) = delete;  // base_ views *first_
  CommonDirectory& operator=(const CommonDirectory&) = delete;

  void add(const std::vector<RawFrame>& frames) {
    for (const RawFrame& raw : frames) {
      const std::string& path = raw.frame.filename;
      if (raw.frame.in_app != true || !(path.starts_with('/') || looks_windows(path))) continue;
      components(path, dirs_);
      if (dirs_.empty()) continue;
      dirs_.pop_back();  // the file name
      if (std::find(dirs_.begin(), dirs_.end(), "node_modules") != dirs_.end()) continue;
      if (!first_) {
        first_ = path;
        common_ = dirs_.size();
        components(*first_, base_);
      }
      size_t n = 0;
      while (n < common_ && n < dirs_.size() && base_[n] == dirs_[n]) ++n;
      common_ = n;
    }
  }

  std::string root() const {
    // One component is the filesystem root ("" of "/x", or "C:"), which is no useful base.
    if (!first_ || common_ < 2) return "";
    size_t end = 0;
    for (size_t k = 0, from = 0; k < common_; ++k, from = end + 1) {
      end = first_->find_first_of("/\\", from);
    }
    return first_->substr(0, end);
  }

 private:
  static void components(std::string_view path, std::vector<std::string_view>& out) {
    out.clear();
    for (size_t start = 0;;) {
      const size_t sep = path.find_first_of("/\\", start);
      out.push_back(path.substr(start, sep == kNpos ? kNpos : sep - start));
      if (sep == kNpos) return;
      start = sep + 1;
    }
  }

  std::optional<std::string> first_;
  std::vector<std::string_view> base_;  // components of *first_
  std::vector<std::string_view> dirs_;  // of the path being added (kept for its capacity)
  size_t common_ = 0;
};

// The frames with their module names, under `root` (trailing separators trimmed; empty: none).
std::vector<StackFrame> named_frames(std::vector<RawFrame> raw, std::string_view root) {
  std::vector<StackFrame> frames;
  frames.reserve(raw.size());
  for (RawFrame& r : raw) {
    if (r.named) r.frame.module = module_from_filename(r.frame.filename, root);
    frames.push_back(std::move(r.frame));
  }
  return frames;
}

}  // namespace

bool is_frame_line(std::string_view line) {
  size_t i = 0;
  while (i < line.size()) {
    const size_t n = js_space(line, i);
    if (n == 0) break;
    i += n;
  }
  return i > 0 && line.substr(i).starts_with("at ");
}

std::string module_from_filename(std::string_view filename, std::string_view app_root) {
  if (filename.empty()) return "";
  const bool windows = app_root.empty() ? looks_windows(filename) : looks_windows(app_root);
  std::string normalized_root, normalized_path;  // only on Windows
  if (windows) {
    normalized_root = normalize_windows(app_root);
    normalized_path = normalize_windows(filename);
  }
  const std::string_view base_path = windows ? normalized_root : app_root;
  const std::string_view path = windows ? normalized_path : filename;
  std::string_view dir, file;
  posix_parse(path, dir, file);
  for (std::string_view ext : {".js", ".mjs", ".cjs"}) {
    if (file.size() > ext.size() && file.ends_with(ext)) {
      file.remove_suffix(ext.size());
      break;
    }
  }
  std::optional<std::string> decoded = uri_decode(file, /*keep_reserved=*/false);
  const std::string name = decoded ? std::move(*decoded) : std::string(file);
  if (dir.empty()) dir = ".";
  const auto after = [&](size_t n) { return n < dir.size() ? dir.substr(n) : std::string_view(); };
  if (const size_t n = dir.rfind("/node_modules"); n != kNpos) {
    return dots_for_slashes(after(n + 14)) + ":" + name;
  }
  if (!app_root.empty() && dir.starts_with(base_path)) {
    const std::string module = dots_for_slashes(after(base_path.size() + 1));
    return module.empty() ? name : module + ":" + name;
  }
  return name;
}

std::string infer_app_root(std::span<const std::string_view> stacks) {
  CommonDirectory common;
  for (std::string_view stack : stacks)
    common.add(parse_raw_frames(stack, StackOptions{}.max_frames));
  return common.root();
}

std::vector<StackFrame> parse_v8_frames(std::string_view stack, const StackOptions& options) {
  std::vector<RawFrame> raw = parse_raw_frames(stack, options.max_frames);
  std::string root;
  if (options.app_root.empty()) {
    CommonDirectory common;
    common.add(raw);
    root = common.root();
  } else {
    root = trim_root(options.app_root);
  }
  return named_frames(std::move(raw), root);
}

std::vector<std::vector<StackFrame>> parse_v8_stacks(std::span<const std::string_view> stacks,
                                                     const StackOptions& options,
                                                     std::string* root) {
  std::vector<std::vector<RawFrame>> raw;
  raw.reserve(stacks.size());
  for (std::string_view stack : stacks) raw.push_back(parse_raw_frames(stack, options.max_frames));
  std::string used = options.app_root;
  if (used.empty()) {
    CommonDirectory common;
    for (const std::vector<RawFrame>& frames : raw) common.add(frames);
    used = common.root();
  }
  const std::string base = trim_root(used);
  std::vector<std::vector<StackFrame>> out;
  out.reserve(raw.size());
  for (std::vector<RawFrame>& frames : raw) out.push_back(named_frames(std::move(frames), base));
  if (root != nullptr) *root = std::move(used);
  return out;
}

StackHeader parse_stack_header(std::string_view stack) {
  std::string_view header = stack;
  for (size_t pos = 0; pos <= stack.size();) {
    const size_t nl = stack.find('\n', pos);
    if (is_frame_line(stack.substr(pos, nl == kNpos ? kNpos : nl - pos))) {
      header = stack.substr(0, pos == 0 ? 0 : pos - 1);
      break;
    }
    if (nl == kNpos) break;
    pos = nl + 1;
  }
  while (header.ends_with('\r')) header.remove_suffix(1);
  StackHeader out;
  const std::string_view first_line = header.substr(0, header.find('\n'));
  if (const size_t colon = first_line.find(": "); colon != kNpos) {
    out.type = std::string(header.substr(0, colon));
    out.message = std::string(header.substr(colon + 2));
  } else if (!header.empty() && !has_space(header)) {
    out.type = std::string(header);
  } else {
    out.message = std::string(header);
  }
  // Node's internal errors print "TypeError [ERR_INVALID_ARG_TYPE]"; their name is "TypeError".
  if (const size_t open = out.type.find(" [");
      open != std::string::npos && open > 0 && out.type.ends_with(']')) {
    const std::string_view code =
        std::string_view(out.type).substr(open + 2).substr(0, out.type.size() - open - 3);
    if (!code.empty() && std::all_of(code.begin(), code.end(), [](char c) {
          return is_upper(c) || is_digit(c) || c == '_';
        })) {
      out.code = std::string(code);
      out.type.resize(open);
    }
  }
  return out;
}

}  // namespace faultline
