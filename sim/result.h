// Expected failures as values: a result holds either a value or an error a person can act on.
#pragma once

#include "sim/assert.h"

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace sim {

struct Error {
  std::string message;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & {
    SIM_ASSERT_MSG(ok(), "value() of a failed result: {}", std::get<Error>(state_).message);
    return std::get<T>(state_);
  }
  T&& value() && {
    SIM_ASSERT_MSG(ok(), "value() of a failed result: {}", std::get<Error>(state_).message);
    return std::get<T>(std::move(state_));
  }
  const T& value() const& {
    SIM_ASSERT_MSG(ok(), "value() of a failed result: {}", std::get<Error>(state_).message);
    return std::get<T>(state_);
  }
  const Error& error() const {
    SIM_ASSERT(!ok());
    return std::get<Error>(state_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> state_;
};

// For operations that return nothing but may fail.
struct Ok {};
using Status = Result<Ok>;

}  // namespace sim
