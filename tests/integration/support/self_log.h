// faultline logs JSON lines on a stderr that is not a terminal ({"time","level","msg"}, the
// default `log.format: auto`), so every integration test runs that format. Tests read stderr as
// the text format would have shown it ("faultline: <level>: <msg>"): SelfLogReader turns each
// complete JSON log line back into its text form and leaves every other line (an app's stderr
// under exec, usage messages) as it came. A line that looks like faultline's log but does not
// parse as one stays raw, so a broken log line fails the test that reads it.
#pragma once

#include <string>
#include <string_view>

namespace faultline::test {

class SelfLogReader {
 public:
  // Appends the text form of every complete line in `bytes` (with what came before) to `out`.
  void feed(std::string_view bytes, std::string& out);
  // The last line, without its newline.
  void finish(std::string& out);

 private:
  std::string partial_;
};

// The text form of one JSON log line, or nothing when `line` is not one.
bool self_log_as_text(std::string_view line, std::string& text);

}  // namespace faultline::test
