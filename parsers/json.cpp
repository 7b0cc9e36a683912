#include "parsers/json.h"

#include <simdjson.h>

#include <cmath>
#include <limits>

#include "parsers/utf8.h"

namespace faultline::json {

// ---- Object ----------------------------------------------------------------------------------

const Value* Object::find(std::string_view key) const {
  for (const Member& m : members_) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

Value* Object::find(std::string_view key) {
  for (Member& m : members_) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

Value& Object::set(std::string_view key, Value value) {
  if (Value* existing = find(key)) {
    *existing = std::move(value);
    return *existing;
  }
  members_.push_back(Member{std::string(key), std::move(value)});
  return members_.back().value;
}

Value& Object::operator[](std::string_view key) {
  if (Value* existing = find(key)) return *existing;
  members_.push_back(Member{std::string(key), Value()});
  return members_.back().value;
}

bool Object::erase(std::string_view key) {
  for (auto it = members_.begin(); it != members_.end(); ++it) {
    if (it->key == key) {
      members_.erase(it);
      return true;
    }
  }
  return false;
}

// ---- Value -----------------------------------------------------------------------------------

Value::Value(uint64_t u) {
  if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    v_ = static_cast<int64_t>(u);
  } else {
    v_ = static_cast<double>(u);
  }
}

double Value::as_double() const {
  if (is_int()) return static_cast<double>(std::get<int64_t>(v_));
  return std::get<double>(v_);
}

std::optional<std::string_view> Value::string() const {
  if (!is_string()) return std::nullopt;
  return std::string_view(as_string());
}

std::optional<double> Value::number() const {
  if (!is_number()) return std::nullopt;
  return as_double();
}

const Value* Value::find(std::string_view key) const {
  return is_object() ? as_object().find(key) : nullptr;
}

Value* Value::find(std::string_view key) {
  return is_object() ? as_object().find(key) : nullptr;
}

const Value* Value::find_path(std::string_view dotted) const {
  const Value* cur = this;
  while (cur != nullptr && !dotted.empty()) {
    const size_t dot = dotted.find('.');
    const std::string_view head = dotted.substr(0, dot);
    cur = cur->find(head);
    dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
  }
  return cur;
}

bool Value::operator==(const Value& other) const {
  if (is_number() && other.is_number()) {
    if (is_int() && other.is_int()) return as_int() == other.as_int();
    return as_double() == other.as_double();
  }
  if (type() != other.type()) return false;
  switch (type()) {
    case Type::kNull:
      return true;
    case Type::kBool:
      return as_bool() == other.as_bool();
    case Type::kString:
      return as_string() == other.as_string();
    case Type::kArray:
      return as_array() == other.as_array();
    case Type::kObject: {
      const Object& a = as_object();
      const Object& b = other.as_object();
      if (a.size() != b.size()) return false;
      for (const Member& m : a) {
        const Value* v = b.find(m.key);
        if (v == nullptr || !(*v == m.value)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

// ---- parse -----------------------------------------------------------------------------------

namespace {

Value convert(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT: {
      Object obj;
      simdjson::dom::object source;
      if (e.get_object().get(source)) return obj;
      for (simdjson::dom::key_value_pair field : source) {
        obj.set(field.key, convert(field.value));  // set(): a duplicate key replaces in place
      }
      return obj;
    }
    case element_type::ARRAY: {
      Array arr;
      simdjson::dom::array source;
      if (e.get_array().get(source)) return arr;
      for (simdjson::dom::element item : source) arr.push_back(convert(item));
      return arr;
    }
    case element_type::STRING: {
      std::string_view s;
      if (e.get_string().get(s)) return nullptr;
      return std::string(s);
    }
    case element_type::INT64: {
      int64_t i = 0;
      if (e.get_int64().get(i)) return nullptr;
      return i;
    }
    case element_type::UINT64: {
      uint64_t u = 0;
      if (e.get_uint64().get(u)) return nullptr;
      return u;
    }
    case element_type::DOUBLE: {
      double d = 0;
      if (e.get_double().get(d)) return nullptr;
      return d;
    }
    case element_type::BOOL: {
      bool b = false;
      if (e.get_bool().get(b)) return nullptr;
      return b;
    }
    case element_type::NULL_VALUE:
    default:
      return nullptr;
  }
}

bool is_hex4(std::string_view s, size_t i) {
  if (i + 4 > s.size()) return false;
  for (size_t k = i; k < i + 4; ++k) {
    const char c = s[k];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

unsigned hex4(std::string_view s, size_t i) {
  return static_cast<unsigned>(std::stoul(std::string(s.substr(i, 4)), nullptr, 16));
}

// Rewrites `\uD8xx` escapes that are not part of a valid surrogate pair to `\uFFFD`, which is
// what JSON.parse effectively keeps (a lone surrogate) rendered as valid UTF-8.
std::string replace_lone_surrogates(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      if (s[i + 1] == 'u' && is_hex4(s, i + 2)) {
        const unsigned cu = hex4(s, i + 2);
        if (cu >= 0xD800 && cu <= 0xDBFF) {
          const bool paired = i + 12 <= s.size() && s.substr(i + 6, 2) == "\\u" &&
                              is_hex4(s, i + 8) && hex4(s, i + 8) >= 0xDC00 &&
                              hex4(s, i + 8) <= 0xDFFF;
          if (paired) {
            out.append(s.substr(i, 12));
            i += 12;
            continue;
          }
          out.append("\\uFFFD");
          i += 6;
          continue;
        }
        if (cu >= 0xDC00 && cu <= 0xDFFF) {
          out.append("\\uFFFD");
          i += 6;
          continue;
        }
      }
      out.append(s.substr(i, 2));  // keep any escape pair intact (also `\\`)
      i += 2;
      continue;
    }
    out.push_back(s[i]);
    ++i;
  }
  return out;
}

simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

}  // namespace

Result<Value> parse(std::string_view text) {
  simdjson::dom::parser& parser = thread_parser();
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  auto error = parser.parse(padded).get(root);
  if (error == simdjson::UTF8_ERROR) {
    padded = simdjson::padded_string(utf8::sanitized(text));
    error = parser.parse(padded).get(root);
  }
  if (error == simdjson::STRING_ERROR) {
    padded = simdjson::padded_string(replace_lone_surrogates(std::string_view(padded)));
    error = parser.parse(padded).get(root);
  }
  if (error) return Status::Error(std::string("invalid JSON: ") + simdjson::error_message(error));
  return convert(root);
}

}  // namespace faultline::json
