#include "rootbatch/base/status.hpp"

namespace rootbatch {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kIOError: return "I/O error";
    case StatusCode::kCorrupt: return "corrupt data";
    case StatusCode::kUnsupported: return "unsupported";
    case StatusCode::kCancelled: return "cancelled";
    case StatusCode::kInternal: return "internal error";
  }
  return "unknown";
}

Status::Status(StatusCode code, std::string message) {
  if (code == StatusCode::kOk) return;
  state_ = std::make_shared<const State>(State{code, std::move(message), {}, {}, {}, {}, {}});
}

const std::string& Status::Message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

const std::vector<std::string>& Status::Context() const {
  static const std::vector<std::string> kEmpty;
  return state_ ? state_->context : kEmpty;
}

template <typename Edit>
Status Status::Edited(Edit edit) && {
  if (!state_) return std::move(*this);
  State copy = *state_;
  edit(copy);
  state_ = std::make_shared<const State>(std::move(copy));
  return std::move(*this);
}

Status Status::WithContext(std::string context) && {
  if (!state_ || context.empty()) return std::move(*this);
  return std::move(*this).Edited([&](State& s) { s.context.push_back(std::move(context)); });
}

Status Status::WithContext(std::string context) const& {
  Status copy = *this;
  return std::move(copy).WithContext(std::move(context));
}

Status Status::WithContext(ErrorContext context) && {
  return std::move(*this).Edited([&](State& s) {
    if (!context.text.empty()) s.context.push_back(std::move(context.text));
    if (s.path.empty()) s.path = std::move(context.path);
    if (s.object.empty()) s.object = std::move(context.object);
    if (!s.offset) s.offset = context.offset;
  });
}

Status Status::WithContext(ErrorContext context) const& {
  Status copy = *this;
  return std::move(copy).WithContext(std::move(context));
}

const std::string& Status::Path() const {
  static const std::string kEmpty;
  return state_ ? state_->path : kEmpty;
}

const std::string& Status::Object() const {
  static const std::string kEmpty;
  return state_ ? state_->object : kEmpty;
}

std::optional<int64_t> Status::Offset() const { return state_ ? state_->offset : std::nullopt; }

std::optional<int> Status::Errno() const { return state_ ? state_->error_number : std::nullopt; }

Status Status::WithPath(std::string path) && {
  return std::move(*this).Edited([&](State& s) {
    if (s.path.empty()) s.path = std::move(path);
  });
}

Status Status::WithObject(std::string object) && {
  return std::move(*this).Edited([&](State& s) {
    if (s.object.empty()) s.object = std::move(object);
  });
}

Status Status::WithOffset(int64_t offset) && {
  return std::move(*this).Edited([&](State& s) {
    if (!s.offset) s.offset = offset;
  });
}

Status Status::WithErrno(int error) && {
  return std::move(*this).Edited([&](State& s) {
    if (!s.error_number) s.error_number = error;
  });
}

ErrorContext FileContext(std::string path) {
  ErrorContext context;
  context.text = "file '" + path + "'";
  context.path = std::move(path);
  return context;
}

ErrorContext ObjectContext(std::string_view kind, std::string name) {
  ErrorContext context;
  context.text = std::string(kind) + " '" + name + "'";
  context.object = std::move(name);
  return context;
}

ErrorContext OffsetContext(std::string_view what, int64_t offset) {
  ErrorContext context;
  context.text = std::string(what) + " at byte " + std::to_string(offset);
  context.offset = offset;
  return context;
}

std::string Status::ToString() const {
  if (!state_) return "ok";
  std::string out(StatusCodeName(state_->code));
  out += ": ";
  out += state_->message;
  if (!state_->context.empty()) {
    out += " (in ";
    for (size_t i = 0; i < state_->context.size(); ++i) {
      if (i) out += ", ";
      out += state_->context[i];
    }
    out += ")";
  }
  return out;
}

Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
Status Corrupt(std::string m) { return {StatusCode::kCorrupt, std::move(m)}; }
Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

}  // namespace rootbatch
