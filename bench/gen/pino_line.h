// The shape of one pino line, written straight into the output:
//
//   {"level":L,"time":MS,"pid":P,"hostname":"H"[,"req":{...}] <fields> [,"err":{...}],"msg":"M"}
//
// LineWriter writes the frame (the prefix, the err opener, the msg) and counts each line it
// ends in Stats by the level it began with and whether it carried an err, so a line cannot be
// counted at another level than it was written with. The fields in between are appended by the
// callers with the appenders of out.h (LineWriter has append()).
//
// All strings passed here are JSON string bodies, already escaped. Not thread-safe; owned by
// the Generator.

#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "model.h"
#include "out.h"

namespace gen {

using Frames = std::span<const std::string_view>;

// One stack frame: "\n    at F" (the newline escaped, as in JSON).
template <class S>
void frame(S& s, std::string_view f) {
  put(s, "\\n    at ");
  put(s, f);
}
// The first n frames of `list` (all of them when it is shorter).
template <class S>
void frames(S& s, Frames list, size_t n) {
  for (size_t i = 0; i < n && i < list.size(); ++i) frame(s, list[i]);
}
template <class S>
void frames(S& s, Frames list) {
  frames(s, list, list.size());
}
// The first n frames of `head` followed by `tail`: app frames above a shared chain.
template <class S>
void frames(S& s, Frames head, Frames tail, size_t n) {
  const size_t h = n < head.size() ? n : head.size();
  frames(s, head, h);
  frames(s, tail, n - h);
}
// "\ncaused by: T: M", a cause's header inside a stack (as Node prints err.cause).
template <class S>
void caused_by(S& s, std::string_view type, std::string_view message) {
  put(s, "\\ncaused by: ");
  put(s, type);
  put(s, ": ");
  put(s, message);
}

// pino's err serializer up to the stack frames:
//   {"type":"T","message":"M","stack":"N: F
// where the stack's first line "N: F" is "T: M" unless given (a class whose name differs from
// its constructor's, a message extended with its causes'). The stack string is left open: the
// caller appends frames, then `"` and any own properties, then `}`.
template <class S>
void open_error(S& s, std::string_view type, std::string_view message,
                std::string_view stack_name = {}, std::string_view stack_first = {}) {
  put(s, "{\"type\":\"");
  put(s, type);
  put(s, "\",\"message\":\"");
  put(s, message);
  put(s, "\",\"stack\":\"");
  put(s, stack_name.empty() ? type : stack_name);
  put(s, ": ");
  put(s, stack_first.empty() ? message : stack_first);
}

class LineWriter {
 public:
  LineWriter(Out& out, Stats& stats) : out_(out), st_(stats) {}
  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;

  // The process the lines come from; the pid changes at each restart.
  void set_process(uint64_t pid, std::string_view hostname) {
    pid_ = pid;
    hostname_.assign(hostname);
  }
  void set_pid(uint64_t pid) { pid_ = pid; }

  void append(const char* p, size_t n) { out_.append(p, n); }

  // {"level":L,"time":MS,"pid":P,"hostname":"H"   (t_us in microseconds)
  void begin(int level, uint64_t t_us) {
    level_ = level;
    has_err_ = false;
    put(*this, "{\"level\":");
    putu(*this, static_cast<uint64_t>(level));
    put(*this, ",\"time\":");
    putu(*this, t_us / 1000);
    put(*this, ",\"pid\":");
    putu(*this, pid_);
    put(*this, ",\"hostname\":\"");
    put(*this, hostname_);
    putch(*this, '"');
  }
  // begin() then ,"req":{...}: a line of pino-http's child logger. `req` is the serialized
  // "req":{...} (Actor::req).
  void begin_req(int level, uint64_t t_us, std::string_view req) {
    begin(level, t_us);
    putch(*this, ',');
    put(*this, req);
  }
  // ,"err":{"type":... with the stack string left open (see open_error); marks the line as
  // carrying an err.
  void open_err(std::string_view type, std::string_view message, std::string_view stack_name = {},
                std::string_view stack_first = {}) {
    put(*this, ",\"err\":");
    open_error(*this, type, message, stack_name, stack_first);
    has_err_ = true;
  }
  // ,"msg":"M"}\n and the line is counted.
  void end(std::string_view msg) {
    open_msg();
    put(*this, msg);
    close_msg();
  }
  // The same in two halves, for a msg written piece by piece in between.
  void open_msg() { put(*this, ",\"msg\":\""); }
  void close_msg() {
    put(*this, "\"}\n");
    ++st_.lines;
    if (level_ >= 50) ++st_.error_lines;
    if (level_ >= 60) ++st_.fatal_lines;
    if (level_ == 40) ++st_.warn_lines;
    if (has_err_) ++st_.err_lines;
  }
  // Ends and counts a line that is not JSON (console.log output in the same stream).
  void end_plain() {
    putch(*this, '\n');
    ++st_.lines;
    ++st_.non_json;
  }

  Stats& stats() { return st_; }

 private:
  Out& out_;
  Stats& st_;
  uint64_t pid_ = 0;
  std::string hostname_;
  int level_ = 30;
  bool has_err_ = false;
};

}  // namespace gen
