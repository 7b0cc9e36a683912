// Named metrics of one process run, in one registry: the pipeline's counters, delivery's
// counters and gauges, and whatever later reports on faultline (the run summary, the periodic log
// line, a /metrics endpoint) reads them here, by name, in Prometheus terms.
//
// Counter is a relaxed atomic: updated by one thread, read from any. A Registry is filled at
// startup (add() is not thread-safe) and read from any thread afterwards; what it reads must
// outlive it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultline {

class Counter {
 public:
  void add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t get() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Registry {
 public:
  enum class Type { kCounter, kGauge };

  // Prometheus naming: `faultline_…_total` for counters, `_bytes`, `_seconds` for units.
  void add(std::string name, std::string help, Type type, std::function<uint64_t()> read);
  void add_counter(std::string name, std::string help, const Counter& counter);
  void add_counter(std::string name, std::string help, const std::atomic<uint64_t>& value);
  void add_gauge(std::string name, std::string help, const std::atomic<uint64_t>& value);
  // A gauge that is always 1 and says what it says in its labels (`faultline_build_info` with
  // version and revision). `labels` is the text between the braces: key="value",...; values must
  // not hold '"', '\\' or a newline.
  void add_info(std::string name, std::string help, std::string labels);

  // The current value of a metric, or nullopt for a name never added.
  std::optional<uint64_t> value(std::string_view name) const;
  // The text exposition format (version 0.0.4): HELP, TYPE and value of every metric, in the
  // order they were added.
  std::string prometheus() const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string name;
    std::string help;
    Type type;
    std::function<uint64_t()> read;
    std::string labels;  // without braces; empty: none
  };
  std::vector<Entry> entries_;
};

}  // namespace faultline
