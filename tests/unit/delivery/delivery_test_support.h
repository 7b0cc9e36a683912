// Helpers shared by the delivery unit tests: a temporary directory, a log recorder, and a
// scripted in-memory Transport.
#pragma once

#include <stdlib.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/delivery/events.h"
#include "agent/delivery/transport.h"

namespace faultline::delivery::test {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
                          "/faultline-delivery-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Names of the files in `dir` (not recursive, no directories), sorted.
inline std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file()) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Collects log lines; thread-safe.
class LogRecorder {
 public:
  LogFn fn() {
    return [this](LogLevel level, std::string_view line) {
      std::lock_guard<std::mutex> g(mu_);
      lines_.emplace_back(level, std::string(line));
    };
  }
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> g(mu_);
    std::vector<std::string> out;
    for (const auto& l : lines_) out.push_back(l.second);
    return out;
  }
  bool contains(std::string_view text) const {
    for (const std::string& l : lines()) {
      if (l.find(text) != std::string::npos) return true;
    }
    return false;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<LogLevel, std::string>> lines_;
};

inline Response http_response(int status, std::string retry_after = "",
                              std::string rate_limits = "") {
  Response r;
  r.kind = Response::Kind::kHttp;
  r.status = status;
  r.retry_after = std::move(retry_after);
  r.rate_limits = std::move(rate_limits);
  return r;
}

inline Response network_error(std::string what = "connect: Connection refused") {
  Response r;
  r.kind = Response::Kind::kNetworkError;
  r.error = std::move(what);
  return r;
}

// The script and the record behind every FakeTransport a test's factory makes. Responses are
// consumed in order; when the script is empty, `fallback` answers. With hold(), send() blocks
// until release() or the abort flag. Thread-safe.
class FakeNetwork {
 public:
  void push(Response r, int times = 1) {
    std::lock_guard<std::mutex> g(mu_);
    for (int i = 0; i < times; ++i) script_.push_back(r);
  }
  void set_fallback(Response r) {
    std::lock_guard<std::mutex> g(mu_);
    fallback_ = std::move(r);
  }
  // Answers before the script when it returns a response (e.g. "always 500 for event X").
  void set_rule(std::function<std::optional<Response>(const Request&)> rule) {
    std::lock_guard<std::mutex> g(mu_);
    rule_ = std::move(rule);
  }
  void hold() {
    std::lock_guard<std::mutex> g(mu_);
    held_ = true;
  }
  void release() {
    {
      std::lock_guard<std::mutex> g(mu_);
      held_ = false;
    }
    cv_.notify_all();
  }
  std::vector<Request> requests() const {
    std::lock_guard<std::mutex> g(mu_);
    return requests_;
  }
  size_t count() const {
    std::lock_guard<std::mutex> g(mu_);
    return requests_.size();
  }
  int max_in_flight() const {
    std::lock_guard<std::mutex> g(mu_);
    return max_in_flight_;
  }
  // Waits (real time) until `n` requests arrived.
  bool wait_for(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
  }

  Response send(const Request& request, const std::atomic<bool>& abort) {
    std::unique_lock<std::mutex> lock(mu_);
    requests_.push_back(request);
    max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
    cv_.notify_all();
    while (held_ && !abort.load()) cv_.wait_for(lock, std::chrono::milliseconds(1));
    --in_flight_;
    if (abort.load() && held_) {
      Response aborted;
      aborted.kind = Response::Kind::kAborted;
      aborted.error = "aborted";
      return aborted;
    }
    if (rule_) {
      if (std::optional<Response> r = rule_(request)) return *r;
    }
    if (script_.empty()) return fallback_;
    Response r = script_.front();
    script_.pop_front();
    return r;
  }

  TransportFactory factory() {
    struct Fake final : Transport {
      Fake(FakeNetwork& n, const std::atomic<bool>& a) : net(n), abort(a) {}
      Response send(const Request& request) override { return net.send(request, abort); }
      FakeNetwork& net;
      const std::atomic<bool>& abort;
    };
    return [this](const std::atomic<bool>& abort) -> Result<std::unique_ptr<Transport>> {
      return std::unique_ptr<Transport>(new Fake(*this, abort));
    };
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Response> script_;
  std::function<std::optional<Response>(const Request&)> rule_;
  Response fallback_ = http_response(200);
  std::vector<Request> requests_;
  bool held_ = false;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
};

// Waits (real time, bounded) until `counter` reaches `n`.
inline bool wait_count(const std::atomic<uint64_t>& counter, uint64_t n,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (counter.load() < n && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return counter.load() >= n;
}

// A valid event id made from a number: "000…0<n>".
inline std::string event_id(int n) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%032x", n);
  return buf;
}

}  // namespace faultline::delivery::test
