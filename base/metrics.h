// Named metrics of one process run, in one registry: the pipeline's counters, delivery's
// counters, gauges and histograms, and whatever later reports on faultline (the run summary, the
// periodic log line, the /metrics endpoint) reads them here, by name, in Prometheus terms.
//
// Counter and Histogram are relaxed atomics: updated by one or more threads, read from any. A
// Registry is filled at startup (add…() is not thread-safe) and read from any thread afterwards;
// what it reads must outlive it. Metrics whose label sets change while running (one series per
// tailed file, per rule) are families: a callback lists the current series when read, and must
// be safe to call from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
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

// A Prometheus histogram of durations or sizes: fixed upper bounds, a count and a sum.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);  // ascending; +Inf is implied
  void observe(double value);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // per bound, then +Inf (== count)
    uint64_t count = 0;
    double sum = 0;
  };
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1, not cumulative
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_nanos_{0};  // the sum ×1e9, so that an integer atomic can hold it
};

class Registry {
 public:
  enum class Type { kCounter, kGauge };

  // One series of a family: its labels (the text between the braces, built with label()) and
  // its value.
  struct Sample {
    std::string labels;
    double value = 0;
  };

  // Prometheus naming: `faultline_…_total` for counters, base units (`_bytes`, `_seconds`).
  // Several adds of one name with different `labels` make one family, printed together.
  void add(std::string name, std::string help, Type type, std::function<double()> read,
           std::string labels = {});
  void add_counter(std::string name, std::string help, const Counter& counter,
                   std::string labels = {});
  void add_counter(std::string name, std::string help, const std::atomic<uint64_t>& value);
  // A counter kept in microseconds, published in seconds (Prometheus's base unit).
  void add_micros_as_seconds(std::string name, std::string help,
                             const std::atomic<uint64_t>& micros);
  void add_micros_as_seconds(std::string name, std::string help, const Counter& micros);
  void add_gauge(std::string name, std::string help, const std::atomic<uint64_t>& value);
  // A gauge that is always 1 and says what it says in its labels (`faultline_build_info` with
  // version and revision).
  void add_info(std::string name, std::string help, std::string labels);
  // A family whose series are listed when read (`list` appends them).
  void add_family(std::string name, std::string help, Type type,
                  std::function<void(std::vector<Sample>&)> list);
  void add_histogram(std::string name, std::string help, const Histogram& histogram);

  // `key="value"` with the value escaped as the text format requires (\\, \", \n).
  static std::string label(std::string_view key, std::string_view value);

  // The current value of a counter or gauge: the sum of its series (0 for a family with none
  // now), or nullopt for a name never added. Histograms: their count.
  std::optional<double> value(std::string_view name) const;
  // The text exposition format (version 0.0.4): HELP, TYPE and the series of every metric, in the
  // order the names were first added.
  std::string prometheus() const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string name;
    std::string help;
    Type type;
    std::string labels;                              // without braces; empty: none
    std::function<double()> read;                    // one series
    std::function<void(std::vector<Sample>&)> list;  // or a listed family
    const Histogram* histogram = nullptr;            // or a histogram
  };
  void samples(const Entry& e, std::vector<Sample>& out) const;
  std::vector<Entry> entries_;
};

}  // namespace faultline
