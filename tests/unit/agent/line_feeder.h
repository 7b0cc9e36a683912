// Feeds test lines to a LineSink as an input would: numbered, with their source offsets, and
// followed by simdjson's padding, which every Line carries (parsers/line_framer.h) and the
// record reader relies on.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/inputs/line_sink.h"
#include "parsers/line_framer.h"

namespace faultline::test {

class LineFeeder {
 public:
  void feed(LineSink& sink, SourceId source, const std::string& text) {
    padded_ = text;
    padded_.resize(text.size() + LineFramer::kPadding, ' ');
    Line line;
    line.text = std::string_view(padded_.data(), text.size());
    line.offset = offset_;
    line.number = ++number_;
    offset_ += text.size() + 1;
    sink.on_line(source, line);
  }

 private:
  std::string padded_;  // the text fed last, with the padding after it
  uint64_t offset_ = 0;
  uint64_t number_ = 0;
};

}  // namespace faultline::test
