#include "parsers/json.h"

#include <simdjson.h>

#include <cmath>
#include <limits>
#include <unordered_map>

#include "parsers/field_plan.h"
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
  if (dotted.find('[') != std::string_view::npos) {
    // A key with a dot of its own (ECS's `["log.level"]`): the configuration's path syntax.
    auto keys = FieldPlan::split_path(dotted);
    if (!keys.ok()) return nullptr;
    const Value* cur = this;
    for (const std::string& key : *keys) {
      if (cur == nullptr) break;
      cur = cur->find(key);
    }
    return cur;
  }
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
      // A duplicate key replaces the earlier value in place (JSON.parse). Small objects find it
      // by scanning; large ones through an index, so that a record with many keys stays linear.
      constexpr size_t kScanLimit = 16;
      const size_t count = source.size();
      std::vector<Member>& members = obj.members();
      members.reserve(count);
      if (count <= kScanLimit) {
        for (simdjson::dom::key_value_pair field : source) obj.set(field.key, convert(field.value));
        return obj;
      }
      std::unordered_map<std::string_view, size_t> index;
      index.reserve(count);
      for (simdjson::dom::key_value_pair field : source) {
        auto [it, inserted] = index.emplace(field.key, members.size());
        if (inserted) {
          members.push_back(Member{std::string(field.key), convert(field.value)});
        } else {
          members[it->second].value = convert(field.value);
        }
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
  unsigned v = 0;
  for (size_t k = i; k < i + 4; ++k) {
    const char c = s[k];
    const unsigned digit = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    v = v * 16 + digit;
  }
  return v;
}

// What the escape starting at s[i] (a backslash) is, and how many bytes it spans.
struct Escape {
  size_t length;
  bool lone_surrogate;  // `\uD800` without its low half, or a low half alone
};

Escape escape_at(std::string_view s, size_t i) {
  if (s[i + 1] != 'u' || !is_hex4(s, i + 2)) return {2, false};  // `\n`, `\\`, …
  const unsigned cu = hex4(s, i + 2);
  if (cu >= 0xDC00 && cu <= 0xDFFF) return {6, true};
  if (cu < 0xD800 || cu > 0xDBFF) return {6, false};
  const bool paired = i + 12 <= s.size() && s.substr(i + 6, 2) == "\\u" && is_hex4(s, i + 8) &&
                      hex4(s, i + 8) >= 0xDC00 && hex4(s, i + 8) <= 0xDFFF;
  return paired ? Escape{12, false} : Escape{6, true};
}

}  // namespace

bool has_lone_surrogate(std::string_view s) {
  for (size_t i = s.find('\\'); i != std::string_view::npos && i + 1 < s.size();
       i = s.find('\\', i)) {
    const Escape e = escape_at(s, i);
    if (e.lone_surrogate) return true;
    i += e.length;
  }
  return false;
}

std::string replace_lone_surrogates(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      const Escape e = escape_at(s, i);
      out.append(e.lone_surrogate ? std::string_view("\\uFFFD") : s.substr(i, e.length));
      i += e.length;
      continue;
    }
    out.push_back(s[i]);
    ++i;
  }
  return out;
}

namespace {

// simdjson rejects integers beyond 64 bits, which JSON.parse reads as doubles and JavaScript
// prints in full below 1e21 (JSON.stringify(2 ** 64) is "18446744073709552000"). Gives every
// integer of 20 digits or more a ".0" so that it parses as the double JSON.parse makes of it.
std::string widen_big_integers(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  bool in_string = false;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (in_string) {
      const size_t n = c == '\\' && i + 1 < s.size() ? 2 : 1;
      out.append(s.substr(i, n));
      if (c == '"') in_string = false;
      i += n;
      continue;
    }
    if (c < '0' || c > '9') {
      in_string = c == '"';
      out.push_back(c);
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
    out.append(s.substr(i, j - i));
    // The integer part of a number: not digits after its '.', 'e', 'e+' or 'e-'.
    const char before = i > 0 ? s[i - 1] : ' ';
    const bool exponent_sign =
        (before == '+' || before == '-') && i > 1 && (s[i - 2] == 'e' || s[i - 2] == 'E');
    const bool integer_part = before != '.' && before != 'e' && before != 'E' && !exponent_sign;
    const bool has_fraction = j < s.size() && (s[j] == '.' || s[j] == 'e' || s[j] == 'E');
    if (integer_part && !has_fraction && j - i >= 20) out.append(".0");
    i = j;
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
  // Each repair at most once, in the order the errors show up.
  bool surrogates_repaired = false, integers_widened = false;
  while (true) {
    if (error == simdjson::STRING_ERROR && !surrogates_repaired) {
      padded = simdjson::padded_string(replace_lone_surrogates(std::string_view(padded)));
      surrogates_repaired = true;
    } else if (error == simdjson::NUMBER_ERROR && !integers_widened) {
      padded = simdjson::padded_string(widen_big_integers(std::string_view(padded)));
      integers_widened = true;
    } else {
      break;
    }
    error = parser.parse(padded).get(root);
  }
  if (error) return Status::Error(std::string("invalid JSON: ") + simdjson::error_message(error));
  return convert(root);
}

}  // namespace faultline::json
