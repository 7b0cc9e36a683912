#include "parsers/plain_error.h"

#include <algorithm>
#include <utility>

#include "parsers/v8_stack.h"

namespace faultline {
namespace {

constexpr size_t kNpos = std::string_view::npos;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_ident_start(char c) {
  return is_alpha(c) || c == '_' || c == '$';
}
bool is_ident_char(char c) {
  return is_ident_start(c) || is_digit(c);
}

std::string_view rstrip(std::string_view s) {
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool blank(std::string_view s) {
  return rstrip(s).empty();
}

size_t ident_length(std::string_view s) {
  if (s.empty() || !is_ident_start(s[0])) return 0;
  size_t n = 1;
  while (n < s.size() && is_ident_char(s[n])) ++n;
  return n;
}

// Names errors are given: TypeError, KnexTimeoutError, DOMException, AbortError.
bool error_like(std::string_view name) {
  return name.ends_with("Error") || name.ends_with("Exception");
}

// After a name: ": message", " [CODE]…", or nothing.
bool ends_name(std::string_view rest) {
  return rest.empty() || rest == ":" || rest.starts_with(": ") || rest.starts_with(" [");
}

// Node's crash preamble opens with the location of the throw: "/app/server.js:42",
// "file:///app/x.mjs:3", "node:internal/process/promises:288", "C:\app\x.js:7".
bool location_line(std::string_view t) {
  // From the end: most lines fail at their last byte.
  t = rstrip(t);
  size_t colon = t.size();
  while (colon > 0 && is_digit(t[colon - 1])) --colon;
  if (colon == t.size() || colon < 2 || t[colon - 1] != ':') return false;
  const std::string_view path = t.substr(0, colon - 1);
  const bool located = path[0] == '/' || path.starts_with("file://") || path.starts_with("node:") ||
                       (path.size() > 2 && is_alpha(path[0]) && path[1] == ':' &&
                        (path[2] == '\\' || path[2] == '/'));
  return located && path.find(": ") == kNpos;
}

bool caret_line(std::string_view t) {
  t = rstrip(t);
  return t.find('^') != kNpos && t.find_first_not_of(" \t^") == kNpos;
}

bool trace_uncaught_line(std::string_view t) {
  return t.starts_with("(Use `") && t.find("--trace-uncaught") != kNpos;
}

bool node_version_line(std::string_view t) {
  return t.starts_with("Node.js v") && t.size() > 9 && is_digit(t[9]);
}

// A frame line as V8 writes one: "at", then a location that ends the line: "(file:1:2)",
// "file:1:2", "(native)", "(index 0)", "(<anonymous>)" (before util.inspect's " {" or ",").
// Console text that merely starts with "at " ("  at least once") is none.
bool frame_line(std::string_view t) {
  if (!is_frame_line(t)) return false;
  t = rstrip(t);
  if (t.ends_with(" {")) {
    t = rstrip(t.substr(0, t.size() - 1));
  } else if (t.ends_with(',')) {
    t.remove_suffix(1);
  }
  if (t.ends_with(')')) return true;
  size_t i = t.size();
  while (i > 0 && is_digit(t[i - 1])) --i;
  return i < t.size() && i > 0 && t[i - 1] == ':';
}

// Node adds "Emitted 'error' event on Server instance at:" before the emitter's frames.
bool enhancement_line(std::string_view t) {
  t = rstrip(t);
  return t.starts_with("Emitted '") && t.ends_with(" at:");
}

struct HeaderStart {
  size_t col = 0;          // where the error starts (past console.error's prefix)
  bool bracketed = false;  // "[Name: msg]": a stack without frames
  bool block = false;      // the line opens a property block
  bool strong = false;     // the name reads like an error's
  bool one_line = false;   // a bracketed header and its whole property block on one line
};

// "Failed to charge: PaymentError: declined": the error named like one (…Error, …Exception)
// that follows a space; its column, or npos.
size_t prefixed_error(std::string_view s) {
  // One memchr pass over the 'E's: most console lines have few or none.
  for (size_t e = s.find('E', 1); e != kNpos; e = s.find('E', e + 1)) {
    const std::string_view rest = s.substr(e + 1);
    const size_t end = rest.starts_with("rror")       ? e + 5
                       : rest.starts_with("xception") ? e + 9
                                                      : kNpos;
    if (end == kNpos || !ends_name(s.substr(end))) continue;
    size_t start = e;
    while (start > 0 && is_ident_char(s[start - 1])) --start;
    if (start > 0 && s[start - 1] == ' ' && is_ident_start(s[start])) return start;
  }
  return kNpos;
}

std::optional<HeaderStart> header_start(std::string_view t) {
  t = rstrip(t);
  if (t.empty() || is_space(t[0]) || t[0] == '{') return std::nullopt;
  std::string_view s = t;
  if (s.starts_with("<ref *")) {  // util.inspect marks the target of a [Circular *1]
    const size_t close = s.find("> ");
    if (close == kNpos) return std::nullopt;
    s.remove_prefix(close + 2);
  }
  if (s.starts_with('[')) {
    const size_t n = ident_length(s.substr(1));
    const std::string_view rest = s.substr(1 + n);
    if (n == 0 || !(rest.starts_with(": ") || rest.starts_with(']') || rest.starts_with(" ["))) {
      return std::nullopt;
    }
    const bool block = s.ends_with("] {");
    // "[Error: x] { code: 'E_X' }": a short block on the header's line.
    const bool one_line = !block && s.ends_with(" }") && s.find("] { ") != kNpos;
    if (!block && !one_line && !s.ends_with(']')) return std::nullopt;
    return HeaderStart{0, true, block, error_like(s.substr(1, n)), one_line};
  }
  const size_t n = ident_length(s);
  const bool named = n > 0 && ends_name(s.substr(n));
  if (named && error_like(s.substr(0, n))) return HeaderStart{0, false, false, true};
  if (const size_t col = prefixed_error(s); col != kNpos) {
    return HeaderStart{static_cast<size_t>(s.data() - t.data()) + col, false, false, true};
  }
  if (named) return HeaderStart{0, false, false, false};
  return std::nullopt;
}

}  // namespace

bool could_start_plain_error(std::string_view line) {
  return location_line(line) || header_start(line).has_value();
}

PlainErrorAssembler::PlainErrorAssembler(PlainErrorLimits limits) : limits_(limits) {}

void PlainErrorAssembler::feed(std::string_view text, uint64_t offset, uint64_t number) {
  if (held_.empty() && !could_start_plain_error(text)) {
    ++released_;
    return;
  }
  held_.push_back(Held{buf_.size(), text.size(), offset, number});
  buf_.append(text);
  run();
}

void PlainErrorAssembler::flush() {
  while (!held_.empty()) {
    switch (state_) {
      case State::kBlock:
        truncated_ = true;  // its block never closed
        [[fallthrough]];
      case State::kFrames:
      case State::kThrown:
        dump_end_ = held_.size();
        complete(held_.size());
        break;
      case State::kParked:
        complete(dump_end_);
        break;
      case State::kMessage:
        // After Node's preamble a header alone is still the error that crashed the process.
        if (crash_) {
          dump_end_ = held_.size();
          complete(held_.size());
        } else {
          release_first();
        }
        break;
      default:
        release_first();
    }
    reset();
    run();
  }
}

size_t PlainErrorAssembler::take_released() {
  return std::exchange(released_, 0);
}

bool PlainErrorAssembler::take(PlainErrorDump& out) {
  if (done_.empty()) return false;
  out = std::move(done_.front());
  done_.pop_front();
  return true;
}

std::optional<uint64_t> PlainErrorAssembler::oldest_held() const {
  if (held_.empty()) return std::nullopt;
  return held_.front().offset;
}

void PlainErrorAssembler::run() {
  while (scanned_ < held_.size()) {
    switch (step(scanned_)) {
      case Step::kNext:
        ++scanned_;
        break;
      case Step::kPark:
        break;  // the same line again, now parked
      case Step::kReject:
        release_first();
        reset();
        break;
      case Step::kComplete:
        complete(scanned_ + 1);
        reset();
        break;
    }
  }
}

bool PlainErrorAssembler::over_limits(size_t i) const {
  return i + 1 > limits_.max_lines || held_[i].begin + held_[i].size > limits_.max_bytes;
}

PlainErrorAssembler::Step PlainErrorAssembler::step(size_t i) {
  const std::string_view t = line(i);
  const auto park = [&](size_t end) {
    dump_end_ = end;
    blanks_ = 0;
    state_ = State::kParked;
  };
  if (state_ != State::kIdle && state_ != State::kParked && over_limits(i)) {
    if (state_ != State::kFrames && state_ != State::kBlock) return Step::kReject;
    truncated_ = true;
    park(i);
    return Step::kPark;
  }
  switch (state_) {
    case State::kIdle:
      if (location_line(t)) {
        crash_ = true;
        state_ = State::kPreambleSource;
        return Step::kNext;
      }
      return start_error(i, false);
    case State::kPreambleSource:
      state_ = State::kPreambleCaret;
      return Step::kNext;
    case State::kPreambleCaret:
      if (!caret_line(t)) return Step::kReject;
      state_ = State::kAfterCaret;
      return Step::kNext;
    case State::kAfterCaret:
      if (blank(t)) {
        state_ = State::kAfterBlank;
        return Step::kNext;
      }
      return start_error(i, true);
    case State::kAfterBlank:
      if (blank(t)) return Step::kReject;
      return start_error(i, true);
    case State::kThrown:
      if (trace_uncaught_line(t)) {
        park(i + 1);
        return Step::kNext;
      }
      return ++message_lines_ > limits_.max_message_lines ? Step::kReject : Step::kNext;
    case State::kMessage:
      if (frame_line(t)) {
        state_ = rstrip(t).ends_with(" {") ? State::kBlock : State::kFrames;
        return Step::kNext;
      }
      if (crash_ && trace_uncaught_line(t)) {  // `throw "Error: boom"`: a string, not an Error
        thrown_ = true;
        park(i + 1);
        return Step::kNext;
      }
      // Another error starts: the one before had no frames, so it was not a dump.
      if (auto h = header_start(t); h && h->strong && h->col == 0) return Step::kReject;
      return ++message_lines_ > message_budget_ ? Step::kReject : Step::kNext;
    case State::kFrames:
      if (frame_line(t) || is_elision_line(t) || enhancement_line(t)) {
        if (rstrip(t).ends_with(" {")) state_ = State::kBlock;
        return Step::kNext;
      }
      park(i);
      return Step::kPark;
    case State::kBlock:
      if (rstrip(t) == "}") {
        park(i + 1);
        return Step::kNext;
      }
      if (!blank(t) && t[0] == ' ') return Step::kNext;
      truncated_ = true;  // the block ended without its "}"
      park(i);
      return Step::kPark;
    case State::kParked:
      if (blank(t) && blanks_ < 2) {
        ++blanks_;
        return Step::kNext;
      }
      if (node_version_line(t)) {
        crash_ = true;
        node_version_ = rstrip(t.substr(8));
        return Step::kComplete;
      }
      complete(dump_end_);
      reset();
      return Step::kPark;  // the lines after the dump are read again from the start
  }
  return Step::kReject;
}

PlainErrorAssembler::Step PlainErrorAssembler::start_error(size_t i, bool after_preamble) {
  const std::optional<HeaderStart> h = header_start(line(i));
  error_line_ = i;
  message_lines_ = 0;
  if (!h || (h->bracketed && !h->strong && !after_preamble)) {
    if (!after_preamble) return Step::kReject;
    thrown_ = true;  // `throw "boom"` prints the value as it is
    state_ = State::kThrown;
    return Step::kNext;
  }
  header_col_ = h->col;
  // A message may span lines, but only a header that reads like an error's, at the start of its
  // line, waits that long for its frames: "GET /x 500 - Internal Server Error" holds no more.
  message_budget_ = h->strong && h->col == 0 ? limits_.max_message_lines : kLooseMessageLines;
  if (h->bracketed) {
    if (h->block) {
      state_ = State::kBlock;
      return Step::kNext;
    }
    if (!after_preamble && !(h->one_line && h->strong)) return Step::kReject;
    dump_end_ = i + 1;
    blanks_ = 0;
    state_ = State::kParked;
    return Step::kNext;
  }
  state_ = State::kMessage;
  return Step::kNext;
}

void PlainErrorAssembler::complete(size_t end) {
  PlainErrorDump d;
  d.crash = crash_;
  d.thrown_value = thrown_;
  d.node_version = node_version_;
  d.truncated = truncated_;
  d.offset = held_[0].offset;
  d.first_line = held_[0].number;
  d.last_line = held_[end - 1].number;
  d.lines = end;
  for (size_t k = 0; k < end; ++k) {
    if (k > 0) d.text += '\n';
    d.text += line(k);
  }
  if (location_line(line(0))) d.crash_site = rstrip(line(0));
  const size_t error_end = std::min(std::max(dump_end_, error_line_ + 1), end);
  scratch_.clear();
  for (size_t k = error_line_; k < error_end; ++k) {
    if (thrown_ && trace_uncaught_line(line(k))) break;
    if (k > error_line_) scratch_ += '\n';
    scratch_ += k == error_line_ ? line(k).substr(std::min(header_col_, line(k).size())) : line(k);
  }
  if (thrown_) {
    // What Node printed of a thrown value that is not an Error: its string form.
    d.err = json::Value(std::string(rstrip(scratch_)));
  } else {
    d.prefix = rstrip(line(error_line_).substr(0, std::min(header_col_, line(error_line_).size())));
    InspectOptions options;
    options.max_message_lines = limits_.max_message_lines;
    if (auto parsed = parse_inspected_error(scratch_, options)) {
      d.err = std::move(parsed->err);
      d.truncated = d.truncated || !parsed->closed;
      d.elisions = parsed->elisions;
    } else {
      // A header with no frames after Node's preamble: the error as far as it was printed.
      std::string_view header = rstrip(scratch_);
      if (header.starts_with('[') && header.ends_with(']')) {
        header = header.substr(1, header.size() - 2);
      }
      const StackHeader h = parse_stack_header(header);
      json::Object err;
      err.set("type", h.type.empty() ? "Error" : h.type);
      err.set("message", h.message);
      err.set("stack", std::string(header));
      if (!h.code.empty()) err.set("code", h.code);
      d.err = json::Value(std::move(err));
    }
  }
  done_.push_back(std::move(d));
  drop_front(end);
}

void PlainErrorAssembler::release_first() {
  ++released_;
  drop_front(1);
}

void PlainErrorAssembler::drop_front(size_t n) {
  n = std::min(n, held_.size());
  if (n == held_.size()) {
    held_.clear();
    buf_.clear();
    return;
  }
  const size_t shift = held_[n].begin;
  buf_.erase(0, shift);
  held_.erase(held_.begin(), held_.begin() + static_cast<std::ptrdiff_t>(n));
  for (Held& h : held_) h.begin -= shift;
}

void PlainErrorAssembler::reset() {
  state_ = State::kIdle;
  scanned_ = 0;
  crash_ = false;
  thrown_ = false;
  truncated_ = false;
  node_version_.clear();
  error_line_ = 0;
  header_col_ = 0;
  message_lines_ = 0;
  dump_end_ = 0;
  blanks_ = 0;
}

}  // namespace faultline
