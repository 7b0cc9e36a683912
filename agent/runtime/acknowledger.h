// The runtime's half of the acknowledgement path: a LineSink placed between an input and the
// pipeline that, every few thousand lines and whenever the input is idle, tells the input how far
// each of its sources is safe — the end of the last line handed over, held back to the oldest
// line whose events are not yet durable (pipeline.oldest_unsafe()). Offsets only grow.
//
// It also decides when the idle input wakes (line_sink.h): at once after lines were handed over
// (to acknowledge them), at the pipeline's next deadline, at half the systemd watchdog's interval
// when it is on, and when its wake-up (the signals' wakeup) rings; never otherwise.
//
// Not thread-safe: lives on the pipeline thread with the input it serves. Allocates nothing per
// line.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent/inputs/input.h"
#include "agent/inputs/line_sink.h"
#include "agent/inputs/wakeup.h"

namespace faultline::runtime {

class Acknowledger final : public LineSink {
 public:
  Acknowledger(LineSink& pipeline, Input& input) : pipeline_(pipeline), input_(input) {}

  SourceId open_source(std::string name, std::string_view first_line = {}) override;
  void on_line(SourceId source, const Line& line) override;
  // Clears the wake-up, then lets the pipeline release what is due and acknowledges.
  void on_idle() override;
  std::optional<uint64_t> oldest_unsafe(SourceId source) const override {
    return pipeline_.oldest_unsafe(source);
  }
  std::optional<std::chrono::milliseconds> idle_timeout() const override;
  int wake_fd() const override { return wakeup_ != nullptr ? wakeup_->fd() : -1; }

  // Tells the input every source's safe offset that moved since the last time, and beats the
  // heartbeat: the pipeline thread is moving (systemd's watchdog).
  void acknowledge();
  // `every`: how often the idle input must wake to beat it (nullopt: only when something else
  // wakes it).
  void set_heartbeat(std::function<void()> heartbeat,
                     std::optional<std::chrono::milliseconds> every = std::nullopt) {
    heartbeat_ = std::move(heartbeat);
    heartbeat_every_ = every;
  }
  // What wakes the idle input at once (a stop or reload signal); null: nothing. Outlives this.
  void set_wakeup(const Wakeup* wakeup) { wakeup_ = wakeup; }
  // The input is done with `source` (a rotated file released): it is no longer acknowledged.
  void close_source(SourceId source) override;
  void set_traits(SourceId source, const SourceTraits& traits) override {
    pipeline_.set_traits(source, traits);
  }

 private:
  // How many lines may pass between two acknowledgements while input flows.
  static constexpr uint32_t kLinesPerAck = 4096;

  struct Progress {
    bool mine = false;   // opened by this input (ids are shared by every input of the pipeline)
    bool open = true;    // false once closed: nothing more to acknowledge
    uint64_t end = 0;    // just past the last line handed over
    uint64_t acked = 0;  // the last offset acknowledged
  };

  LineSink& pipeline_;
  Input& input_;
  std::vector<Progress> sources_;  // by SourceId
  uint32_t since_ack_ = 0;         // lines handed over since the last acknowledgement
  std::function<void()> heartbeat_;
  std::optional<std::chrono::milliseconds> heartbeat_every_;
  const Wakeup* wakeup_ = nullptr;
};

}  // namespace faultline::runtime
