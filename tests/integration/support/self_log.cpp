#include "support/self_log.h"

#include "parsers/json.h"

namespace faultline::test {

bool self_log_as_text(std::string_view line, std::string& text) {
  if (line.substr(0, 9) != R"({"time":")") return false;
  auto parsed = json::parse(line);
  if (!parsed.ok() || !parsed->is_object()) return false;
  const json::Value* level = parsed->find("level");
  const json::Value* msg = parsed->find("msg");
  if (level == nullptr || msg == nullptr || !level->is_string() || !msg->is_string()) return false;
  if (parsed->as_object().size() != 3) return false;
  text = "faultline: " + level->as_string() + ": " + msg->as_string();
  return true;
}

void SelfLogReader::feed(std::string_view bytes, std::string& out) {
  partial_.append(bytes);
  size_t start = 0;
  for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
    const std::string_view line(partial_.data() + start, nl - start);
    std::string text;
    if (self_log_as_text(line, text)) {
      out += text;
    } else {
      out += line;
    }
    out += '\n';
  }
  partial_.erase(0, start);
}

void SelfLogReader::finish(std::string& out) {
  std::string text;
  out += self_log_as_text(partial_, text) ? text : partial_;
  partial_.clear();
}

}  // namespace faultline::test
