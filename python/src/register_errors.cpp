// Errors: a StatusError thrown by the glue becomes the rootbatch.errors class
// for its code and fields (rootbatch.errors.from_status decides which), with
// the message, the context chain, the code and the structured fields (path,
// object, offset, errno) as attributes.
#include "glue.hpp"

namespace rootbatch::python {
namespace {

// Stable identifiers for Python (StatusCodeName's words are for people).
std::string CodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kIOError: return "io_error";
    case StatusCode::kCorrupt: return "corrupt";
    case StatusCode::kUnsupported: return "unsupported";
    case StatusCode::kCancelled: return "cancelled";
    case StatusCode::kInternal: return "internal";
  }
  return "internal";
}

void SetPythonError(const Status& status) {
  py::list context;
  for (const auto& entry : status.Context()) context.append(entry);
  try {
    py::object errors = py::module_::import("rootbatch.errors");
    py::object offset = status.Offset() ? py::object(py::int_(*status.Offset())) : py::object(py::none());
    py::object error_number = status.Errno() ? py::object(py::int_(*status.Errno())) : py::object(py::none());
    py::object exc = errors.attr("from_status")(
        CodeName(status.Code()), status.Message(), context, status.ToString(), py::arg("path") = status.Path(),
        py::arg("object") = status.Object(), py::arg("offset") = offset, py::arg("errno") = error_number);
    PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
  } catch (py::error_already_set&) {
    // rootbatch.errors is not importable (the module used on its own).
    PyErr_SetString(PyExc_RuntimeError, status.ToString().c_str());
  }
}

}  // namespace

void RegisterErrors(py::module_& m) {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const StatusError& e) {
      SetPythonError(e.status());
    }
  });
  // For tests of the mapping: raises the error a Status with this code makes.
  m.def("_raise_status", [](const std::string& code, const std::string& message, std::vector<std::string> context,
                            const std::string& path, const std::string& object, std::optional<int64_t> offset,
                            std::optional<int> error_number) {
    StatusCode parsed = StatusCode::kInternal;
    for (StatusCode c : {StatusCode::kInvalidArgument, StatusCode::kNotFound, StatusCode::kIOError,
                         StatusCode::kCorrupt, StatusCode::kUnsupported, StatusCode::kCancelled,
                         StatusCode::kInternal}) {
      if (CodeName(c) == code) parsed = c;
    }
    Status status(parsed, message);
    if (!path.empty()) status = std::move(status).WithPath(path);
    if (!object.empty()) status = std::move(status).WithObject(object);
    if (offset) status = std::move(status).WithOffset(*offset);
    if (error_number) status = std::move(status).WithErrno(*error_number);
    for (auto& entry : context) status = std::move(status).WithContext(std::move(entry));
    throw StatusError(std::move(status));
  }, py::arg("code"), py::arg("message"), py::arg("context") = std::vector<std::string>(), py::arg("path") = "",
        py::arg("object") = "", py::arg("offset") = py::none(), py::arg("errno") = py::none());
}

}  // namespace rootbatch::python
