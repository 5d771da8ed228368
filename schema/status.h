// Expected failures as values. Bugs are assertions; third-party exceptions are translated into an
// Error at the module edge that caught them (pqxx in adapters/, Cap'n Proto in the codecs).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace liaison {

/// What kind of failure this is, so a caller can decide to report, retry or refuse.
enum class ErrorKind {
  invalidInput,   ///< the input is malformed or out of range; fix the input
  notPermitted,   ///< refused by a rule, a firewall or a file permission
  notFound,       ///< the thing named does not exist (never used across a firewall)
  conflict,       ///< the state of the store disagrees (e.g. a newer schema version)
  unavailable,    ///< a dependency is down or overloaded; retrying later may help
  internal,       ///< a bug or an invariant broken outside our control
};

/// Short lower-case name of an error kind, for messages and logs.
const char* errorKindName(ErrorKind kind);

/// A failure with its kind and a message that says what was wrong and where.
struct Error {
  ErrorKind kind;
  std::string message;
};

/// Either a value or an Error. Deliberately small: C++20 has no std::expected.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}   // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<T>(state_); }
  const T& value() const& { assert(ok()); return std::get<T>(state_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { assert(!ok()); return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

/// Result of an operation that produces nothing but may fail.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { assert(failed_); return error_; }

 private:
  Error error_{ErrorKind::internal, {}};
  bool failed_ = false;
};

/// Builds an Error; reads well at call sites: `return fail(ErrorKind::invalidInput, "...")`.
inline Error fail(ErrorKind kind, std::string message) { return Error{kind, std::move(message)}; }

}  // namespace liaison
