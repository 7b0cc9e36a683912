#include "base/metrics.h"

#include <charconv>
#include <cmath>

namespace faultline {

namespace {

// Integers as integers (counters read exactly); other values in the shortest form that reads
// back to the same double.
std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(v));
    return std::string(buf, r.ptr);
  }
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string with_labels(const std::string& name, const std::string& labels) {
  return labels.empty() ? name : name + "{" + labels + "}";
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (value > 0) {
    sum_nanos_.fetch_add(static_cast<uint64_t>(std::llround(value * 1e9)),
                         std::memory_order_relaxed);
  }
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  // Read apart from the buckets: a scrape racing an observe() may see one more in either, and
  // Prometheus requires the +Inf bucket to equal the count, so the count is the buckets' total.
  s.count = running;
  s.sum = static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9;
  return s;
}

void Registry::add(std::string name, std::string help, Type type, std::function<double()> read,
                   std::string labels) {
  Entry e{std::move(name), std::move(help), type, std::move(labels), std::move(read), {}, nullptr};
  entries_.push_back(std::move(e));
}

void Registry::add_counter(std::string name, std::string help, const Counter& counter,
                           std::string labels) {
  add(
      std::move(name), std::move(help), Type::kCounter,
      [&counter] { return static_cast<double>(counter.get()); }, std::move(labels));
}

void Registry::add_counter(std::string name, std::string help, const std::atomic<uint64_t>& value) {
  add(std::move(name), std::move(help), Type::kCounter,
      [&value] { return static_cast<double>(value.load(std::memory_order_relaxed)); });
}

void Registry::add_micros_as_seconds(std::string name, std::string help,
                                     const std::atomic<uint64_t>& micros) {
  add(std::move(name), std::move(help), Type::kCounter,
      [&micros] { return static_cast<double>(micros.load(std::memory_order_relaxed)) / 1e6; });
}

void Registry::add_micros_as_seconds(std::string name, std::string help, const Counter& micros) {
  add(std::move(name), std::move(help), Type::kCounter,
      [&micros] { return static_cast<double>(micros.get()) / 1e6; });
}

void Registry::add_gauge(std::string name, std::string help, const std::atomic<uint64_t>& value) {
  add(std::move(name), std::move(help), Type::kGauge,
      [&value] { return static_cast<double>(value.load(std::memory_order_relaxed)); });
}

void Registry::add_info(std::string name, std::string help, std::string labels) {
  add(
      std::move(name), std::move(help), Type::kGauge, [] { return 1.0; }, std::move(labels));
}

void Registry::add_family(std::string name, std::string help, Type type,
                          std::function<void(std::vector<Sample>&)> list) {
  entries_.push_back(
      Entry{std::move(name), std::move(help), type, {}, {}, std::move(list), nullptr});
}

void Registry::add_histogram(std::string name, std::string help, const Histogram& histogram) {
  entries_.push_back(
      Entry{std::move(name), std::move(help), Type::kCounter, {}, {}, {}, &histogram});
}

std::string Registry::label(std::string_view key, std::string_view value) {
  std::string out(key);
  out += "=\"";
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

void Registry::samples(const Entry& e, std::vector<Sample>& out) const {
  if (e.list) {
    e.list(out);
  } else if (e.read) {
    out.push_back(Sample{e.labels, e.read()});
  }
}

std::optional<double> Registry::value(std::string_view name) const {
  std::optional<double> total;
  std::vector<Sample> series;
  for (const Entry& e : entries_) {
    if (e.name != name) continue;
    total = total.value_or(0);
    if (e.histogram != nullptr) {
      *total += static_cast<double>(e.histogram->snapshot().count);
      continue;
    }
    series.clear();
    samples(e, series);
    for (const Sample& s : series) *total += s.value;
  }
  return total;
}

std::string Registry::prometheus() const {
  std::string out;
  std::vector<bool> printed(entries_.size(), false);
  std::vector<Sample> series;
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (printed[i]) continue;
    const Entry& head = entries_[i];
    const char* type = head.histogram != nullptr     ? " histogram\n"
                       : head.type == Type::kCounter ? " counter\n"
                                                     : " gauge\n";
    out += "# HELP " + head.name + " " + head.help + "\n";
    out += "# TYPE " + head.name + type;
    for (size_t j = i; j < entries_.size(); ++j) {
      const Entry& e = entries_[j];
      if (printed[j] || e.name != head.name) continue;
      printed[j] = true;
      if (e.histogram != nullptr) {
        const Histogram::Snapshot s = e.histogram->snapshot();
        const std::vector<double>& bounds = e.histogram->bounds();
        for (size_t b = 0; b <= bounds.size(); ++b) {
          const std::string le = b < bounds.size() ? format_value(bounds[b]) : "+Inf";
          out += e.name + "_bucket{le=\"" + le + "\"} " + std::to_string(s.cumulative[b]) + "\n";
        }
        out += e.name + "_sum " + format_value(s.sum) + "\n";
        out += e.name + "_count " + std::to_string(s.count) + "\n";
        continue;
      }
      series.clear();
      samples(e, series);
      for (const Sample& s : series) {
        out += with_labels(e.name, s.labels) + " " + format_value(s.value) + "\n";
      }
    }
  }
  return out;
}

}  // namespace faultline
