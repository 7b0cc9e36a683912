#include "agent/outputs/event_sink.h"

namespace faultline {

bool PrintSink::emit(const std::string& /*event_id*/, const json::Value& event) {
  buffer_.clear();
  json::write(event, buffer_);
  buffer_.push_back('\n');
  std::fwrite(buffer_.data(), 1, buffer_.size(), out_);
  if (flush_each_) std::fflush(out_);
  return true;
}

}  // namespace faultline
