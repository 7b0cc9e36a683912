// A small mutable JSON document: the shape of a parsed error record and of the Sentry event built
// from it, which the rules then scrub in place and the writer serializes.
//
// Objects keep insertion order and unique keys; setting an existing key replaces its value in
// place, which is exactly what JavaScript's JSON.parse does with duplicate keys (last value wins,
// first position kept). Only error records and their breadcrumbs are ever turned into a Value:
// the per-line hot path reads with simdjson On-Demand instead (pino_record.h).
//
// Values are regular types (copyable, movable). Not thread-safe; each Value has one owner.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"

namespace faultline::json {

class Value;
struct Member;
using Array = std::vector<Value>;

class Object {
 public:
  Object() = default;

  bool empty() const { return members_.empty(); }
  size_t size() const;

  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  bool contains(std::string_view key) const { return find(key) != nullptr; }

  // Replaces the value of `key` in place, or appends the pair. Returns the stored value.
  Value& set(std::string_view key, Value value);
  // Returns the value of `key`, inserting null when absent.
  Value& operator[](std::string_view key);
  bool erase(std::string_view key);

  std::vector<Member>::iterator begin() { return members_.begin(); }
  std::vector<Member>::iterator end() { return members_.end(); }
  std::vector<Member>::const_iterator begin() const { return members_.begin(); }
  std::vector<Member>::const_iterator end() const { return members_.end(); }
  std::vector<Member>& members() { return members_; }
  const std::vector<Member>& members() const { return members_; }

 private:
  std::vector<Member> members_;
};

class Value {
 public:
  enum class Type : uint8_t { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

  // The constructors are defined below Member: their bodies need Object complete, and clang
  // (unlike GCC) instantiates std::vector<Member>'s destructor where they are defined.
  Value() = default;
  Value(std::nullptr_t);      // NOLINT: implicit conversions keep
  Value(bool b);              // NOLINT  event-building code readable
  Value(int i);               // NOLINT
  Value(int64_t i);           // NOLINT
  Value(uint64_t u);          // NOLINT: above INT64_MAX becomes a double
  Value(double d);            // NOLINT
  Value(std::string s);       // NOLINT
  Value(std::string_view s);  // NOLINT
  Value(const char* s);       // NOLINT
  Value(Array a);             // NOLINT
  Value(Object o);            // NOLINT

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_int() const { return type() == Type::kInt; }
  bool is_number() const { return type() == Type::kInt || type() == Type::kDouble; }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  // Unchecked accessors: the caller has tested the type.
  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  double as_double() const;  // int or double
  const std::string& as_string() const { return std::get<std::string>(v_); }
  std::string& as_string() { return std::get<std::string>(v_); }
  const Array& as_array() const { return std::get<Array>(v_); }
  Array& as_array() { return std::get<Array>(v_); }
  const Object& as_object() const { return std::get<Object>(v_); }
  Object& as_object() { return std::get<Object>(v_); }

  // Checked accessors: nullopt / nullptr when the type does not match.
  std::optional<std::string_view> string() const;
  std::optional<double> number() const;
  const Object* object() const { return is_object() ? &as_object() : nullptr; }
  Object* object() { return is_object() ? &as_object() : nullptr; }
  const Array* array() const { return is_array() ? &as_array() : nullptr; }

  // Member lookup on an object value; nullptr for other types or a missing key.
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  // Follows a dotted path of object keys ("req.headers.host"; a key with a dot of its own in
  // brackets, `["log.level"]`); nullptr when any step is missing.
  const Value* find_path(std::string_view dotted) const;

  bool operator==(const Value& other) const;

 private:
  std::variant<std::nullptr_t, bool, int64_t, double, std::string, Array, Object> v_;
};

struct Member {
  std::string key;
  Value value;
};

inline size_t Object::size() const {
  return members_.size();
}

inline Value::Value(std::nullptr_t) {}
inline Value::Value(bool b) : v_(b) {}
inline Value::Value(int i) : v_(int64_t{i}) {}
inline Value::Value(int64_t i) : v_(i) {}
inline Value::Value(double d) : v_(d) {}
inline Value::Value(std::string s) : v_(std::move(s)) {}
inline Value::Value(std::string_view s) : v_(std::string(s)) {}
inline Value::Value(const char* s) : v_(std::string(s)) {}
inline Value::Value(Array a) : v_(std::move(a)) {}
inline Value::Value(Object o) : v_(std::move(o)) {}

// Parses one JSON text (a whole line). Duplicate keys keep the last value. Invalid UTF-8 bytes
// and unpaired surrogate escapes are replaced by U+FFFD rather than failing the record, because
// pino writes both in real output. The error message names the byte column and what was wrong.
Result<Value> parse(std::string_view text);

// Rewrites the `\uD800`-`\uDFFF` escapes of JSON text that are not part of a valid surrogate
// pair to `\uFFFD`: JSON.parse keeps such a lone surrogate, which has no UTF-8 form.
std::string replace_lone_surrogates(std::string_view json_text);
// Whether replace_lone_surrogates would change anything (answers without allocating).
bool has_lone_surrogate(std::string_view json_text);

// Compact serialization. Strings are escaped per RFC 8259; any invalid UTF-8 that reached a Value
// is written as U+FFFD, so the output is always valid JSON. Non-finite doubles become null.
void write(const Value& value, std::string& out);
std::string to_string(const Value& value);
// Appends `s` as a quoted, escaped JSON string.
void write_string(std::string_view s, std::string& out);

}  // namespace faultline::json
