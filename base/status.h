// Errors as values at module boundaries.
//
// A Status is either ok or carries a human-readable message that already says where and what
// (for example "faultline.yaml:12:5: correlation.hold: expected a duration like \"5s\", got
// \"five\""). Result<T> is a T or such a message. Both are cheap to move and never throw; code
// that talks to throwing libraries (yaml-cpp, CLI11) catches at its edge and returns one of these.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace faultline {

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message), true); }

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const std::string& message() const { return message_; }

 private:
  Status(std::string message, bool failed) : message_(std::move(message)), failed_(failed) {}
  std::string message_;
  bool failed_ = false;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value)
      : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Status error) : state_(std::in_place_index<1>, std::move(error)) {  // NOLINT
    assert(!std::get<1>(state_).ok());
  }

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  Status status() const { return ok() ? Status::Ok() : std::get<1>(state_); }
  const std::string& message() const {
    static const std::string kEmpty;
    return ok() ? kEmpty : std::get<1>(state_).message();
  }

 private:
  std::variant<T, Status> state_;
};

}  // namespace faultline
