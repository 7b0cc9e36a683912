#include "base/metrics.h"

namespace faultline {

void Registry::add(std::string name, std::string help, Type type, std::function<uint64_t()> read) {
  entries_.push_back(Entry{std::move(name), std::move(help), type, std::move(read), {}});
}

void Registry::add_counter(std::string name, std::string help, const Counter& counter) {
  add(std::move(name), std::move(help), Type::kCounter, [&counter] { return counter.get(); });
}

void Registry::add_counter(std::string name, std::string help, const std::atomic<uint64_t>& value) {
  add(std::move(name), std::move(help), Type::kCounter,
      [&value] { return value.load(std::memory_order_relaxed); });
}

void Registry::add_gauge(std::string name, std::string help, const std::atomic<uint64_t>& value) {
  add(std::move(name), std::move(help), Type::kGauge,
      [&value] { return value.load(std::memory_order_relaxed); });
}

std::optional<uint64_t> Registry::value(std::string_view name) const {
  for (const Entry& e : entries_) {
    if (e.name == name) return e.read();
  }
  return std::nullopt;
}

void Registry::add_info(std::string name, std::string help, std::string labels) {
  entries_.push_back({std::move(name), std::move(help), Type::kGauge, [] { return uint64_t{1}; },
                      std::move(labels)});
}

std::string Registry::prometheus() const {
  std::string out;
  for (const Entry& e : entries_) {
    out += "# HELP " + e.name + " " + e.help + "\n";
    out += "# TYPE " + e.name + (e.type == Type::kCounter ? " counter\n" : " gauge\n");
    out += e.name + (e.labels.empty() ? "" : "{" + e.labels + "}") + " " +
           std::to_string(e.read()) + "\n";
  }
  return out;
}

}  // namespace faultline
