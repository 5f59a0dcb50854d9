#pragma once
// Result<T> / Status: every boundary that can fail on outside input (files, requests, options) returns one
// of these instead of throwing, so callers decide how to report the message.
#include <sstream>
#include <string>
#include <utility>
#include <variant>

namespace hearth {

struct Error {
  std::string message;
};

// Builds an Error from streamable pieces: make_error("tensor '", name, "': expected ", n, " bytes").
template <typename... Parts>
Error make_error(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return Error{out.str()};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

  const std::string& error() const { return std::get<Error>(state_).message; }
  Error take_error() && { return std::get<Error>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error.message)), failed_(true) {}
  static Status success() { return Status(); }

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
  bool failed_ = false;
};

}  // namespace hearth
