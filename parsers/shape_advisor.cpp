#include "parsers/shape_advisor.h"

#include <string.h>  // memmem (a GNU and BSD extension)

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

namespace faultline {

namespace {

namespace od = simdjson::ondemand;

constexpr std::string_view kStatusKeys = "pino.status_keys";
constexpr std::string_view kResponseTimeKeys = "pino.response_time_keys";
constexpr std::string_view kRequestKeys = "pino.request_keys";
constexpr std::string_view kRequestIdKeys = "pino.request_id_keys";
constexpr std::string_view kErrorKeys = "pino.error_key";

// A dotted path of at most two keys, held without allocating.
class Path {
 public:
  void set(std::string_view parent, std::string_view key) {
    const size_t need = parent.size() + (parent.empty() ? 0 : 1) + key.size();
    if (need > buffer_.size()) return;  // an absurd key is never advice
    size_t n = 0;
    if (!parent.empty()) {
      std::copy(parent.begin(), parent.end(), buffer_.begin());
      n = parent.size();
      buffer_[n++] = '.';
    }
    std::copy(key.begin(), key.end(), buffer_.begin() + static_cast<std::ptrdiff_t>(n));
    size_ = need;
  }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {buffer_.data(), size_}; }

 private:
  std::array<char, 128> buffer_{};
  size_t size_ = 0;
};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Names HTTP loggers give a request's duration (pino-http's responseTime and its usual renames).
bool is_duration_name(std::string_view key) {
  static constexpr std::array<std::string_view, 17> kNames = {"responseTime",
                                                              "response_time",
                                                              "responseTimeMs",
                                                              "response_time_ms",
                                                              "duration",
                                                              "durationMs",
                                                              "duration_ms",
                                                              "elapsed",
                                                              "elapsedMs",
                                                              "elapsed_ms",
                                                              "latency",
                                                              "latencyMs",
                                                              "latency_ms",
                                                              "timeTaken",
                                                              "time_taken",
                                                              "took",
                                                              "ms"};
  return std::any_of(kNames.begin(), kNames.end(),
                     [key](std::string_view n) { return iequals(n, key); });
}

bool is_status_name(std::string_view key) {
  return key == "statusCode" || key == "status";
}

bool http_status(od::value value) {
  int64_t code = 0;
  if (value.get_int64().get(code) != simdjson::SUCCESS) return false;
  return code >= 100 && code <= 599;
}

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// Whether `text` holds `part`. glibc's memmem() skips through a line several times faster than
// a parse of it (and than std::boyer_moore_horspool_searcher, whose branches mispredict).
bool contains(std::string_view text, std::string_view part) {
  return ::memmem(text.data(), text.size(), part.data(), part.size()) != nullptr;
}

// A \u escape, found with memchr(): backslashes are rare in log lines.
bool has_unicode_escape(std::string_view text) {
  const char* const end = text.data() + text.size();
  // Past a backslash, the escaped character (which may be a backslash itself) is skipped.
  for (const char* p = text.data();; p += 2) {
    p = static_cast<const char*>(std::memchr(p, '\\', static_cast<size_t>(end - p)));
    if (p == nullptr || p + 1 >= end) return false;
    if (p[1] == 'u') return true;
  }
}

}  // namespace

struct ShapeAdvisor::Found {
  Path status, duration, request, request_id, error;
};

ShapeAdvisor::ShapeAdvisor(const PinoFormat& format, uint64_t window)
    : format_(format), window_(window) {}

bool ShapeAdvisor::configured(const std::vector<std::string>& keys, std::string_view path) const {
  // Keys under pino's nestedKey are scanned relative to it, as configured keys are written.
  return std::find(keys.begin(), keys.end(), path) != keys.end();
}

// The fields of one object at the top (or under the nestedKey), and one level into each object.
void ShapeAdvisor::scan_object(od::object object, std::string_view parent, Found& found) {
  bool method = false, url = false, id = false, stack = false, message = false, error_type = false;
  Path status;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return;
    od::value value;
    if (field.value().get(value) != simdjson::SUCCESS) return;
    od::json_type type;
    if (value.type().get(type) != simdjson::SUCCESS) return;
    if (parent.empty()) {
      if (type == od::json_type::object) {
        od::object child;
        if (value.get_object().get(child) != simdjson::SUCCESS) return;
        if (!format_.nested_key.empty() && key == format_.nested_key) {
          scan_object(child, {}, found);
        } else {
          scan_object(child, key, found);
        }
      } else if (type == od::json_type::number) {
        if (is_duration_name(key)) {
          found.duration.set({}, key);
        } else if (is_status_name(key) && http_status(value)) {
          found.status.set({}, key);  // a flat line: {"statusCode": 500, "durationMs": 3, ...}
        }
      }
      continue;
    }
    if (type == od::json_type::string) {
      std::string_view text;
      if (value.get_string().get(text) != simdjson::SUCCESS) return;
      if (key == "method") method = true;
      if (key == "url") url = true;
      if (key == "id") id = true;
      if (key == "message") message = true;
      if (key == "stack" && text.find("\n    at ") != std::string_view::npos) stack = true;
      if ((key == "type" || key == "name") &&
          (ends_with(text, "Error") || ends_with(text, "Exception"))) {
        error_type = true;
      }
    } else if (type == od::json_type::number) {
      if (key == "id") id = true;
      if (is_status_name(key) && status.empty() && http_status(value)) status.set(parent, key);
    }
  }
  if (method && url) {
    found.request.set({}, parent);
    if (id) found.request_id.set(parent, "id");
  }
  if (!status.empty() && found.status.empty()) found.status = status;
  if (stack || (message && error_type)) found.error.set({}, parent);
}

void ShapeAdvisor::tally(std::string_view option, std::string_view key, std::string_view source,
                         uint64_t line_number) {
  tallied_ = true;
  for (Tally& t : tallies_) {
    if (t.option == option && t.key == key) {
      ++t.lines;
      return;
    }
  }
  if (tallies_.size() >= 16) return;  // a log with that many shapes gets the first ones
  tallies_.push_back({std::string(option), std::string(key), 1,
                      std::string(source) + ":" + std::to_string(line_number)});
}

bool ShapeAdvisor::worth_scanning(std::string_view text) const {
  // Everything the scan tallies hangs on a key it compares by name: an error object on a `stack`
  // or a `message`, a completion on a `statusCode` or a `status`. A key reaches that comparison
  // unescaped, and only a \u escape can spell a letter, so a line with one is scanned whatever
  // it holds. Most lines of a well-configured app have none of these and cost a byte search
  // instead of a parse.
  if (contains(text, "\"stack\"") || contains(text, "\"message\"")) return true;
  if (recognised_ == 0 && contains(text, "\"status")) return true;
  return has_unicode_escape(text);
}

void ShapeAdvisor::observe(std::string_view text, bool recognised_completion,
                           std::string_view source, uint64_t line_number) {
  if (done()) return;
  ++records_;
  if (recognised_completion) ++recognised_;
  if (!worth_scanning(text)) return;
  od::document doc;
  if (parser_.iterate(text.data(), text.size(), text.size() + simdjson::SIMDJSON_PADDING)
          .get(doc) != simdjson::SUCCESS) {
    return;
  }
  od::object top;
  if (doc.get_object().get(top) != simdjson::SUCCESS) return;
  Found found;
  scan_object(top, {}, found);

  if (!found.error.empty() && !configured(format_.error_keys, found.error.view())) {
    tally(kErrorKeys, found.error.view(), source, line_number);
  }
  // Once a completion was recognised under the configured keys, other completion shapes are
  // something else (upstream calls) and are never advised: they are not tallied either, so they
  // cannot crowd out an error key still to come.
  const bool shaped = !found.status.empty() && (!found.request.empty() || !found.duration.empty());
  if (!shaped || recognised_ != 0) return;
  ++shaped_;
  if (!configured(format_.status_keys, found.status.view())) {
    tally(kStatusKeys, found.status.view(), source, line_number);
  }
  if (!found.duration.empty() && !configured(format_.response_time_keys, found.duration.view())) {
    tally(kResponseTimeKeys, found.duration.view(), source, line_number);
  }
  if (!found.request.empty() && !configured(format_.request_keys, found.request.view())) {
    tally(kRequestKeys, found.request.view(), source, line_number);
  }
  if (!found.request_id.empty() && !configured(format_.request_id_keys, found.request_id.view())) {
    tally(kRequestIdKeys, found.request_id.view(), source, line_number);
  }
}

bool ShapeAdvisor::ready(const Tally& t) const {
  if (t.option == kErrorKeys) return t.lines >= 1;
  return t.lines >= 3 && recognised_ == 0;
}

std::string ShapeAdvisor::render(Pick pick) const {
  // One list per option, keys in the order first seen.
  std::vector<std::pair<std::string, std::vector<const Tally*>>> options;
  for (const Tally& t : tallies_) {
    if (pick == Pick::kNewlyReady && (t.said || !ready(t))) continue;
    // Completions under the configured keys: the other shapes are something else (upstream calls).
    if (pick == Pick::kAll && t.option != kErrorKeys && recognised_ != 0) continue;
    auto it = std::find_if(options.begin(), options.end(),
                           [&](const auto& o) { return o.first == t.option; });
    if (it == options.end()) {
      options.emplace_back(t.option, std::vector<const Tally*>{});
      it = options.end() - 1;
    }
    it->second.push_back(&t);
  }
  if (options.empty()) return {};
  std::string text =
      "these records carry pino-http fields under keys faultline was not told about; "
      "set in the config file:\n";
  for (const auto& [option, keys] : options) {
    std::string list;
    for (const Tally* t : keys) list += (list.empty() ? "" : ", ") + t->key;
    text += "  " + option + ": [" + list + "]   # ";
    for (size_t i = 0; i < keys.size(); ++i) {
      text += (i ? "; " : "") + std::to_string(keys[i]->lines) + " line" +
              (keys[i]->lines == 1 ? "" : "s") + ", first at " + keys[i]->example;
    }
    text += "\n";
  }
  text +=
      "  (a list replaces its defaults: keep any default key the app also writes; "
      "`faultline check --sample FILE` gives this advice for a log file)\n";
  return text;
}

std::string ShapeAdvisor::take_advice() {
  // Most lines tally nothing: nothing can have become ready since the last call.
  if (!tallied_) return {};
  tallied_ = false;
  std::string text = render(Pick::kNewlyReady);
  if (text.empty()) return text;
  for (Tally& t : tallies_) {
    if (ready(t)) t.said = true;
  }
  return text;
}

std::string ShapeAdvisor::advice() const {
  return render(Pick::kAll);
}

}  // namespace faultline
