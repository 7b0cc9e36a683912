#include "agent/outputs/event_sink.h"

namespace faultline {

bool PrintSink::emit(const std::string& /*event_id*/, const json::Value& event, uint64_t ticket) {
  buffer_.clear();
  json::write(event, buffer_);
  buffer_.push_back('\n');
  std::fwrite(buffer_.data(), 1, buffer_.size(), out_);
  if (flush_each_) {
    std::fflush(out_);
    settle(ticket);
  } else if (ticket != 0) {
    unflushed_.push_back(ticket);
  }
  return true;
}

void PrintSink::flush() {
  std::fflush(out_);
  for (uint64_t ticket : unflushed_) settle(ticket);
  unflushed_.clear();
}

FanOut::FanOut(std::vector<EventSink*> sinks) : sinks_(std::move(sinks)) {
  for (EventSink* sink : sinks_) sink->set_listener(this);
}

bool FanOut::emit(const std::string& event_id, const json::Value& event, uint64_t ticket) {
  if (ticket != 0) {
    std::lock_guard<std::mutex> lock(mu_);
    waiting_[ticket] = sinks_.size();
  }
  bool all = true;
  for (EventSink* sink : sinks_) all = sink->emit(event_id, event, ticket) && all;
  return all;
}

void FanOut::flush() {
  for (EventSink* sink : sinks_) sink->flush();
}

void FanOut::settled(uint64_t ticket) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = waiting_.find(ticket);
    if (it == waiting_.end() || --it->second > 0) return;
    waiting_.erase(it);
  }
  settle(ticket);
}

}  // namespace faultline
