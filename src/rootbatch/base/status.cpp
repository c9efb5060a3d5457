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
  state_ = std::make_shared<const State>(State{code, std::move(message), {}});
}

const std::string& Status::Message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

const std::vector<std::string>& Status::Context() const {
  static const std::vector<std::string> kEmpty;
  return state_ ? state_->context : kEmpty;
}

Status Status::WithContext(std::string context) && {
  if (!state_ || context.empty()) return std::move(*this);
  State copy = *state_;
  copy.context.push_back(std::move(context));
  state_ = std::make_shared<const State>(std::move(copy));
  return std::move(*this);
}

Status Status::WithContext(std::string context) const& {
  Status copy = *this;
  return std::move(copy).WithContext(std::move(context));
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
