// Status and Result<T>: how every layer of rootbatch reports failure.
//
// Parsers never throw. They return a Status (or a Result<T> holding either a
// value or a Status). A Status carries a code, a message that says what was
// wrong, and a context chain that each layer extends on the way up ("file
// 'a.root'", "tree 'events'", "branch 'Jet_pt'", "basket 3 at byte 12345"),
// so a user sees where the problem is without a debugger.
//
// Beside the text, a Status carries structured fields for programs (the
// Python exceptions' .path, .object, .offset, .errno): the file, the named
// object (tree, branch, key, column), the byte offset and the OS error
// number. Each is set where the error is made (WithPath, ...) or where
// context is added (an ErrorContext carries a context entry and fields).
// The innermost setting wins: a field already set is never overwritten, so
// a branch read inside a tree keeps the branch as its object.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace rootbatch {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the caller asked for something impossible (bad option)
  kNotFound,         // a named thing (file, key, tree, branch) does not exist
  kIOError,          // the operating system or network failed us
  kCorrupt,          // the bytes contradict the format
  kUnsupported,      // valid, but rootbatch does not read it (yet)
  kCancelled,        // the work was stopped on request
  kInternal,         // a bug in rootbatch; never triggered by user input
};

std::string_view StatusCodeName(StatusCode code);

// A context entry (the text ToString() prints) with the structured fields it
// implies. Built by FileContext, ObjectContext and OffsetContext, or by hand.
struct ErrorContext {
  std::string text;     // "file 'a.root'", "branch 'px'", "basket 3 at byte 120"
  std::string path;     // a file path, or empty
  std::string object;   // a tree, branch, key or column name, or empty
  std::optional<int64_t> offset;  // a byte offset in `path`'s file
};

// "file '<path>'", setting the path.
ErrorContext FileContext(std::string path);
// "<kind> '<name>'" (kind: tree, branch, key, column), setting the object.
ErrorContext ObjectContext(std::string_view kind, std::string name);
// "<what> at byte <offset>", setting the offset.
ErrorContext OffsetContext(std::string_view what, int64_t offset);

class [[nodiscard]] Status {
 public:
  Status() = default;  // success
  Status(StatusCode code, std::string message);

  static Status Ok() { return Status(); }

  bool IsOk() const { return state_ == nullptr; }
  StatusCode Code() const { return state_ ? state_->code : StatusCode::kOk; }
  // The innermost description of the failure, without context.
  const std::string& Message() const;
  // Context entries, innermost first.
  const std::vector<std::string>& Context() const;

  // Adds an outer context entry (e.g. "tree 'events'"). No-op on success.
  Status WithContext(std::string context) &&;
  Status WithContext(std::string context) const&;
  // Adds an entry and fills the fields it carries that are still unset.
  Status WithContext(ErrorContext context) &&;
  Status WithContext(ErrorContext context) const&;

  // Structured fields (empty / nullopt: unknown). See the file comment.
  const std::string& Path() const;
  const std::string& Object() const;
  std::optional<int64_t> Offset() const;
  std::optional<int> Errno() const;  // the OS error (errno) behind the failure
  // Set a field if it is still unset; no-op on success.
  Status WithPath(std::string path) &&;
  Status WithObject(std::string object) &&;
  Status WithOffset(int64_t offset) &&;
  Status WithErrno(int error) &&;

  // "<message> (in branch 'x', tree 'events', file 'a.root')"
  std::string ToString() const;

 private:
  struct State {
    StatusCode code;
    std::string message;
    std::vector<std::string> context;
    std::string path;
    std::string object;
    std::optional<int64_t> offset;
    std::optional<int> error_number;
  };
  // Applies `edit` to a private copy of the state (copy on write).
  template <typename Edit>
  Status Edited(Edit edit) &&;
  // Shared so that copying a Status is cheap; WithContext copies on write.
  std::shared_ptr<const State> state_;
};

// Convenience constructors, one per code.
Status InvalidArgument(std::string message);
Status NotFound(std::string message);
Status IOError(std::string message);
Status Corrupt(std::string message);
Status Unsupported(std::string message);
Status Cancelled(std::string message);
Status Internal(std::string message);

// A value of type T, or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : storage_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : storage_(std::in_place_index<1>, std::move(status)) {  // NOLINT
    if (std::get<1>(storage_).IsOk()) {
      storage_.template emplace<1>(Internal("Result constructed from an OK status"));
    }
  }

  bool IsOk() const { return storage_.index() == 0; }
  const Status& status() const& {
    static const Status kOkStatus;
    return IsOk() ? kOkStatus : std::get<1>(storage_);
  }
  Status status() && { return IsOk() ? Status() : std::move(std::get<1>(storage_)); }

  T& Value() & { return std::get<0>(storage_); }
  const T& Value() const& { return std::get<0>(storage_); }
  T&& Value() && { return std::get<0>(std::move(storage_)); }

  T& operator*() & { return Value(); }
  const T& operator*() const& { return Value(); }
  T* operator->() { return &Value(); }
  const T* operator->() const { return &Value(); }

  Result WithContext(std::string context) && {
    if (IsOk()) return std::move(*this);
    return Result(std::move(std::get<1>(storage_)).WithContext(std::move(context)));
  }
  Result WithContext(ErrorContext context) && {
    if (IsOk()) return std::move(*this);
    return Result(std::move(std::get<1>(storage_)).WithContext(std::move(context)));
  }

 private:
  std::variant<T, Status> storage_;
};

namespace internal {
inline Status AsStatus(Status s) { return s; }
template <typename T>
Status AsStatus(Result<T> r) { return std::move(r).status(); }
}  // namespace internal

}  // namespace rootbatch

#define RB_CONCAT_INNER(a, b) a##b
#define RB_CONCAT(a, b) RB_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function if it failed.
#define RB_RETURN_IF_ERROR(expr)                                         \
  do {                                                                   \
    ::rootbatch::Status rb_status_ = ::rootbatch::internal::AsStatus(expr); \
    if (!rb_status_.IsOk()) return rb_status_;                           \
  } while (false)

// Like RB_RETURN_IF_ERROR, adding a context entry on the way out.
#define RB_RETURN_IF_ERROR_CTX(expr, ctx)                                \
  do {                                                                   \
    ::rootbatch::Status rb_status_ = ::rootbatch::internal::AsStatus(expr); \
    if (!rb_status_.IsOk()) return std::move(rb_status_).WithContext(ctx); \
  } while (false)

#define RB_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.IsOk()) return std::move(tmp).status(); \
  lhs = std::move(tmp).Value()

// `RB_ASSIGN_OR_RETURN(auto x, MakeX());` declares x or returns the error.
#define RB_ASSIGN_OR_RETURN(lhs, expr) \
  RB_ASSIGN_OR_RETURN_IMPL(RB_CONCAT(rb_result_, __LINE__), lhs, expr)

#define RB_ASSIGN_OR_RETURN_CTX_IMPL(tmp, lhs, expr, ctx)                   \
  auto tmp = (expr);                                                         \
  if (!tmp.IsOk()) return std::move(tmp).status().WithContext(ctx);          \
  lhs = std::move(tmp).Value()

#define RB_ASSIGN_OR_RETURN_CTX(lhs, expr, ctx) \
  RB_ASSIGN_OR_RETURN_CTX_IMPL(RB_CONCAT(rb_result_, __LINE__), lhs, expr, ctx)
