#include "parsers/record_access.h"

#include "parsers/field_plan.h"
#include "parsers/utf8.h"

namespace faultline {

const json::Value* first_of(const json::Value& record, const std::vector<std::string>& paths) {
  for (const std::string& p : paths) {
    const json::Value* v = record.find_path(p);
    if (v != nullptr && !v->is_null()) return v;
  }
  return nullptr;
}

const json::Value* find_error(const json::Value& record, const PinoFormat& format) {
  const auto holds_something = [](const json::Value* v) {
    return v != nullptr && !v->is_null() && !(v->is_object() && v->as_object().empty());
  };
  // The keys, then under nestedKey (with_nested(), without making the list on every error).
  for (const std::string& p : format.error_keys) {
    if (const json::Value* v = record.find_path(p); holds_something(v)) return v;
  }
  if (format.nested_key.empty()) return nullptr;
  for (const std::string& k : format.error_keys) {
    if (const json::Value* v = record.find_path(format.nested_key + "." + k); holds_something(v)) {
      return v;
    }
  }
  return nullptr;
}

std::vector<std::string> with_nested(const std::vector<std::string>& keys,
                                     const std::string& nested_key) {
  std::vector<std::string> out = keys;
  if (!nested_key.empty()) {
    for (const std::string& k : keys) out.push_back(nested_key + "." + k);
  }
  return out;
}

std::string text_or_json(const json::Value* v) {
  if (v == nullptr) return "";
  return v->is_string() ? v->as_string() : json::to_string(*v);
}

std::optional<std::string> as_text(const json::Value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) return v->as_string();
  if (v->is_number() || v->is_bool()) return json::to_string(*v);
  return std::nullopt;
}

void erase_path(json::Value& record, std::string_view dotted) {
  if (dotted.find('[') == std::string_view::npos) {  // the common case, without a copy
    json::Value* cur = &record;
    while (true) {
      const size_t dot = dotted.find('.');
      if (dot == std::string_view::npos) {
        if (json::Object* o = cur->object()) o->erase(dotted);
        return;
      }
      cur = cur->find(dotted.substr(0, dot));
      if (cur == nullptr) return;
      dotted.remove_prefix(dot + 1);
    }
  }
  auto split = FieldPlan::split_path(dotted);
  if (!split.ok() || split->empty()) return;
  const std::vector<std::string>& keys = *split;
  json::Value* cur = &record;
  for (size_t i = 0; i + 1 < keys.size() && cur != nullptr; ++i) cur = cur->find(keys[i]);
  if (json::Object* o = cur == nullptr ? nullptr : cur->object()) o->erase(keys.back());
}

bool is_status_placeholder(const json::Value& err) {
  if (!err.is_object()) return false;
  const auto msg = as_text(err.find("message"));
  if (!msg || msg->rfind("failed with status code ", 0) != 0) return false;
  const auto stack = as_text(err.find("stack")).value_or("");
  return stack.empty() || stack.find("pino-http") != std::string::npos;
}

std::string tag_value(std::string_view s) {
  std::string out(utf8::truncate(s, 200));
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace faultline
