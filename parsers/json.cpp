#include "parsers/json.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
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
  return append(key, std::move(value));
}

Value& Object::operator[](std::string_view key) {
  if (Value* existing = find(key)) return *existing;
  return append(key, Value());
}

Value& Object::append(std::string_view key, Value value) {
  // The objects of an event mostly hold a handful of members: skip the growth steps of 1 and 2.
  if (members_.capacity() == 0) members_.reserve(4);
  return members_.emplace_back(std::string(key), std::move(value)).value;
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
    return;
  }
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, u);
  (void)ec;  // 20 digits always fit
  v_ = BigInt{std::string(buf, end), static_cast<double>(u)};
}

double Value::as_double() const {
  if (is_int()) return static_cast<double>(std::get<int64_t>(v_));
  if (type() == Type::kBigInt) return std::get<BigInt>(v_).value;
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
    const bool big = type() == Type::kBigInt, other_big = other.type() == Type::kBigInt;
    if (big && other_big) return as_big_int() == other.as_big_int();
    // A BigInt lies outside int64, so no kInt equals it; a double may.
    if ((big && other.is_int()) || (other_big && is_int())) return false;
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

// Builds an object field by field: a duplicate key replaces the earlier value in place
// (JSON.parse). Small objects find it by scanning; large ones through an index, so that a record
// with many keys stays linear.
class ObjectBuilder {
 public:
  explicit ObjectBuilder(size_t expected = 0) { object_.members().reserve(expected); }

  void add(std::string_view key, Value value) {
    if (Value* existing = find(key)) {
      *existing = std::move(value);
      return;
    }
    std::vector<Member>& members = object_.members();
    const bool moves = members.size() == members.capacity();  // and with them short keys' bytes
    members.emplace_back(std::string(key), std::move(value));
    if (members.size() <= kScanLimit) return;
    if (index_.empty() || moves) {
      index_.clear();
      for (size_t i = 0; i < members.size(); ++i) index_.emplace(members[i].key, i);
    } else {
      index_.emplace(members.back().key, members.size() - 1);
    }
  }

  Object take() { return std::move(object_); }

 private:
  static constexpr size_t kScanLimit = 16;

  Value* find(std::string_view key) {
    std::vector<Member>& members = object_.members();
    if (!index_.empty()) {
      const auto it = index_.find(key);
      return it == index_.end() ? nullptr : &members[it->second].value;
    }
    for (Member& m : members) {
      if (m.key == key) return &m.value;
    }
    return nullptr;
  }

  Object object_;
  std::unordered_map<std::string_view, size_t> index_;  // the members' keys, past kScanLimit
};

Value unreadable(std::string_view marker, size_t& count) {
  ++count;
  return Value(marker);
}

// `e` at nesting `level` (the record is level 1): a container past kMaxDepth becomes kTooDeep.
Value convert(simdjson::dom::element e, size_t level, size_t& unreadable_count) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT: {
      if (level > kMaxDepth) return unreadable(kTooDeep, unreadable_count);
      simdjson::dom::object source;
      if (e.get_object().get(source)) return Object();
      ObjectBuilder builder(source.size());
      for (simdjson::dom::key_value_pair field : source) {
        builder.add(field.key, convert(field.value, level + 1, unreadable_count));
      }
      return builder.take();
    }
    case element_type::ARRAY: {
      if (level > kMaxDepth) return unreadable(kTooDeep, unreadable_count);
      Array arr;
      simdjson::dom::array source;
      if (e.get_array().get(source)) return arr;
      arr.reserve(source.size());
      for (simdjson::dom::element item : source) {
        arr.push_back(convert(item, level + 1, unreadable_count));
      }
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

simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

simdjson::ondemand::parser& thread_ondemand_parser() {
  thread_local simdjson::ondemand::parser parser;
  return parser;
}

// `text` followed by simdjson's padding, in a buffer the thread reuses: valid until its next call.
simdjson::padded_string_view padded_copy(std::string_view text) {
  thread_local std::vector<char> buffer;  // grows to the longest text parsed, like the parsers
  if (buffer.size() < text.size() + simdjson::SIMDJSON_PADDING) {
    buffer.resize(text.size() + simdjson::SIMDJSON_PADDING);
  }
  std::copy(text.begin(), text.end(), buffer.begin());
  return simdjson::padded_string_view(buffer.data(), text.size(), buffer.size());
}

}  // namespace

bool is_number_token(std::string_view t) {
  size_t i = 0;
  const auto digits = [&] {
    const size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i > start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < t.size() && t[i] == '.' && (++i, !digits())) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}

double beyond_double(std::string_view token) {
  const bool negative = !token.empty() && token[0] == '-';
  if (negative) token.remove_prefix(1);
  // The decimal exponent of the first significant digit: 1e309 → 309, 0.001e-400 → -403.
  int64_t magnitude = 0;
  bool significant = false;
  size_t i = 0;
  for (; i < token.size() && token[i] >= '0' && token[i] <= '9'; ++i) {
    significant = significant || token[i] != '0';
    if (significant) ++magnitude;
  }
  if (i < token.size() && token[i] == '.') {
    for (++i; i < token.size() && token[i] >= '0' && token[i] <= '9'; ++i) {
      if (significant) continue;
      significant = token[i] != '0';
      if (!significant) --magnitude;
    }
  }
  if (!significant) return negative ? -0.0 : 0.0;
  if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
    ++i;
    const bool down = i < token.size() && token[i] == '-';
    if (i < token.size() && (token[i] == '+' || token[i] == '-')) ++i;
    int64_t exponent = 0;
    for (; i < token.size() && token[i] >= '0' && token[i] <= '9'; ++i) {
      exponent = std::min<int64_t>(exponent * 10 + (token[i] - '0'), int64_t{1} << 40);
    }
    magnitude += down ? -exponent : exponent;
  }
  const double limit = magnitude > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  return negative ? -limit : limit;
}

namespace {

namespace ondemand = simdjson::ondemand;

// The slow way through a record the DOM parser refused as a whole for one value: nesting deeper
// than it allows, or a number beyond 64-bit integers or a double's range. On-Demand reads value
// by value and skips what it is not asked for, so such a value becomes a marker (or a BigInt)
// and the rest of the record is read as usual.
class TolerantReader {
 public:
  simdjson::error_code document(simdjson::padded_string_view text, Value& out) {
    ondemand::document doc;
    if (auto e = parser_.iterate(text).get(doc)) return e;
    ondemand::json_type type;
    if (auto e = doc.type().get(type)) return e;
    if (type == ondemand::json_type::object) {
      ondemand::object object;
      if (auto e = doc.get_object().get(object)) return e;
      if (auto e = read_object(object, 1, out)) return e;
    } else if (type == ondemand::json_type::array) {
      ondemand::array array;
      if (auto e = doc.get_array().get(array)) return e;
      if (auto e = read_array(array, 1, out)) return e;
    } else {
      return simdjson::NUMBER_ERROR;  // a bare scalar the DOM refused: nothing else to keep
    }
    // Anything after the root ("{} {}") makes the text malformed: a location exists only then.
    const char* trailing = nullptr;
    if (!doc.current_location().get(trailing)) return simdjson::TAPE_ERROR;
    return simdjson::SUCCESS;
  }

  size_t unreadable_count() const { return unreadable_; }

 private:
  // A container at nesting `level` (the record is level 1), entered.
  simdjson::error_code read_object(ondemand::object object, size_t level, Value& out) {
    ObjectBuilder builder;
    for (auto field_result : object) {
      ondemand::field field;
      if (auto e = std::move(field_result).get(field)) return e;
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return e;
      Value child;
      if (auto e = read_value(field.value(), level + 1, child)) return e;
      builder.add(key, std::move(child));
    }
    out = builder.take();
    return simdjson::SUCCESS;
  }

  simdjson::error_code read_array(ondemand::array array, size_t level, Value& out) {
    Array items;
    for (auto item_result : array) {
      ondemand::value item;
      if (auto e = std::move(item_result).get(item)) return e;
      if (auto e = read_value(item, level + 1, items.emplace_back())) return e;
    }
    out = std::move(items);
    return simdjson::SUCCESS;
  }

  simdjson::error_code read_value(ondemand::value value, size_t level, Value& out) {
    ondemand::json_type type;
    if (auto e = value.type().get(type)) return e;
    switch (type) {
      case ondemand::json_type::object: {
        // Past the limit it is not entered: the parent's iterator skips it whole.
        if (level > kMaxDepth) return too_deep(out);
        ondemand::object object;
        if (auto e = value.get_object().get(object)) return e;
        return read_object(object, level, out);
      }
      case ondemand::json_type::array: {
        if (level > kMaxDepth) return too_deep(out);
        ondemand::array array;
        if (auto e = value.get_array().get(array)) return e;
        return read_array(array, level, out);
      }
      case ondemand::json_type::string: {
        std::string_view s;
        if (auto e = value.get_string().get(s)) return e;
        out = std::string(s);
        return simdjson::SUCCESS;
      }
      case ondemand::json_type::number:
        return number(value, out);
      case ondemand::json_type::boolean: {
        bool b = false;
        if (auto e = value.get_bool().get(b)) return e;
        out = b;
        return simdjson::SUCCESS;
      }
      case ondemand::json_type::null:
        if (!value.is_null()) return simdjson::N_ATOM_ERROR;
        out = nullptr;
        return simdjson::SUCCESS;
    }
    return simdjson::TAPE_ERROR;
  }

  simdjson::error_code too_deep(Value& out) {
    out = unreadable(kTooDeep, unreadable_);
    return simdjson::SUCCESS;
  }

  // JSON.parse reads any number; a Value holds one exactly when it fits int64 or, as written,
  // when it is an integer (BigInt). What is beyond a double's range (1e309) becomes a marker.
  simdjson::error_code number(ondemand::value value, Value& out) {
    std::string_view token = value.raw_json_token();
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\r' ||
                              token.back() == '\n')) {
      token.remove_suffix(1);
    }
    if (!is_number_token(token)) return simdjson::NUMBER_ERROR;
    int64_t i = 0;
    if (!value.get_int64().get(i)) {
      out = i;
      return simdjson::SUCCESS;
    }
    double d = 0;
    // simdjson refuses what rounds to 0 (1e-400) as well as what overflows (1e309).
    if (value.get_double().get(d)) d = beyond_double(token);
    if (!std::isfinite(d)) {
      out = unreadable(kNumberOutOfRange, unreadable_);
    } else if (token.find_first_of(".eE") == std::string_view::npos) {
      out = BigInt{std::string(token), d};
    } else {
      out = d;
    }
    return simdjson::SUCCESS;
  }

  ondemand::parser& parser_ = thread_ondemand_parser();
  size_t unreadable_ = 0;
};

}  // namespace

Result<Value> parse(std::string_view text, size_t* unreadable) {
  simdjson::dom::parser& parser = thread_parser();
  simdjson::padded_string_view padded = padded_copy(text);
  simdjson::padded_string repaired;  // the text rewritten, when it must be
  simdjson::dom::element root;
  auto error = parser.parse(padded).get(root);
  if (error == simdjson::UTF8_ERROR) {
    repaired = simdjson::padded_string(utf8::sanitized(text));
    padded = repaired;
    error = parser.parse(padded).get(root);
  }
  bool surrogates_repaired = false;
  while (true) {
    // One value the DOM cannot hold fails the whole text there: read it value by value instead.
    if (error == simdjson::NUMBER_ERROR || error == simdjson::DEPTH_ERROR) {
      TolerantReader reader;
      Value value;
      error = reader.document(padded, value);
      if (!error) {
        if (unreadable != nullptr) *unreadable += reader.unreadable_count();
        return value;
      }
    }
    if (error != simdjson::STRING_ERROR || surrogates_repaired) break;
    repaired = simdjson::padded_string(replace_lone_surrogates(std::string_view(padded)));
    padded = repaired;
    surrogates_repaired = true;
    error = parser.parse(padded).get(root);
  }
  if (error) return Status::Error(std::string("invalid JSON: ") + simdjson::error_message(error));
  size_t count = 0;
  Value value = convert(root, 1, count);
  if (unreadable != nullptr) *unreadable += count;
  return value;
}

}  // namespace faultline::json
