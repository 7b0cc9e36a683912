// A small mutable JSON document: the shape of a parsed error record and of the Sentry event built
// from it, which the rules then scrub in place and the writer serializes.
//
// Objects keep insertion order and unique keys; setting an existing key replaces its value in
// place, which is exactly what JavaScript's JSON.parse does with duplicate keys (last value wins,
// first position kept). Only error records and their breadcrumbs are ever turned into a Value:
// the per-line hot path reads with simdjson On-Demand instead (pino_record.h).
//
// Numbers: integers that fit int64 are kInt, other numbers kDouble, except an integer beyond int64
// (a 20-digit id, anything below -2^63), which is kBigInt and keeps its digits as written:
// JSON.parse would round it to a double, and then two distinct ids print alike.
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

// What parse() puts in place of a value it cannot represent, so that one odd field does not cost
// the whole record (the error it reports is usually elsewhere in it).
inline constexpr std::string_view kTooDeep = "[unreadable: nested too deep]";
inline constexpr std::string_view kNumberOutOfRange = "[unreadable: number out of range]";
// Containers nested deeper than this (the record itself is level 1) become kTooDeep. Sentry's
// ingestion reads JSON to 128 levels (serde_json's limit) and an event puts a record's values two
// or three levels down (extra, request.data), so a record kept deeper would make an event Sentry
// refuses whole.
inline constexpr size_t kMaxDepth = 100;

// An integer beyond int64, as written ("18446744073709551615", "-9223372036854775809").
struct BigInt {
  std::string digits;  // a valid JSON integer token
  double value = 0;    // the nearest double (finite), for comparisons and arithmetic
  bool operator==(const BigInt& other) const { return digits == other.digits; }
};

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
  Value& append(std::string_view key, Value value);  // `key` is not there yet

  std::vector<Member> members_;
};

class Value {
 public:
  enum class Type : uint8_t { kNull, kBool, kInt, kDouble, kString, kArray, kObject, kBigInt };

  // The constructors are defined below Member: their bodies need Object complete, and clang
  // (unlike GCC) instantiates std::vector<Member>'s destructor where they are defined.
  Value() = default;
  Value(std::nullptr_t);      // NOLINT: implicit conversions keep
  Value(bool b);              // NOLINT  event-building code readable
  Value(int i);               // NOLINT
  Value(int64_t i);           // NOLINT
  Value(uint64_t u);          // NOLINT: above INT64_MAX becomes a BigInt
  Value(double d);            // NOLINT
  Value(std::string s);       // NOLINT
  Value(std::string_view s);  // NOLINT
  Value(const char* s);       // NOLINT
  Value(Array a);             // NOLINT
  Value(Object o);            // NOLINT
  Value(BigInt b);            // NOLINT

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_int() const { return type() == Type::kInt; }
  bool is_number() const {
    return type() == Type::kInt || type() == Type::kDouble || type() == Type::kBigInt;
  }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  // Unchecked accessors: the caller has tested the type.
  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  double as_double() const;  // any number
  const BigInt& as_big_int() const { return std::get<BigInt>(v_); }
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
  std::variant<std::nullptr_t, bool, int64_t, double, std::string, Array, Object, BigInt> v_;
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
inline Value::Value(BigInt b) : v_(std::move(b)) {}

// Parses one JSON text (a whole line). Duplicate keys keep the last value. Invalid UTF-8 bytes
// and unpaired surrogate escapes are replaced by U+FFFD rather than failing the record, because
// pino writes both in real output. A value that is valid JSON but cannot be held is replaced by a
// marker string, and counted in `*unreadable` when given: a container nested deeper than
// kMaxDepth (kTooDeep), a number beyond a double's range such as 1e309 (kNumberOutOfRange).
// Only text that is not JSON fails; the message says what was wrong.
Result<Value> parse(std::string_view text, size_t* unreadable = nullptr);

// Whether `token` is one number as JSON's grammar writes it (-?(0|[1-9][0-9]*)(.[0-9]+)?
// ([eE][+-]?[0-9]+)?), whatever its size.
bool is_number_token(std::string_view token);
// For a number token beyond a double's range either way: what JSON.parse reads, ±Infinity when
// too large (1e309), ±0 when too small (1e-400).
double beyond_double(std::string_view token);

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
