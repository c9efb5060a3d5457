// Shared helpers of the pybind11 glue: how a failed Status crosses into
// Python, and how DataTypes map to NumPy dtypes. Everything here is glue: no
// logic that a C++ user would also need belongs in python/src.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <exception>
#include <string>
#include <utility>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/column/data_type.hpp"

namespace rootbatch::python {

namespace py = pybind11;

// A failed Status on its way to Python. The translator registered by
// RegisterErrors turns it into the rootbatch.errors class for its code,
// carrying the message and the context chain.
class StatusError : public std::exception {
 public:
  explicit StatusError(Status status) : status_(std::move(status)), text_(status_.ToString()) {}
  const char* what() const noexcept override { return text_.c_str(); }
  const Status& status() const { return status_; }

 private:
  Status status_;
  std::string text_;
};

inline void Check(Status status) {
  if (!status.IsOk()) throw StatusError(std::move(status));
}

template <typename T>
T Unwrap(Result<T> result) {
  if (!result.IsOk()) throw StatusError(std::move(result).status());
  return std::move(result).Value();
}

// NumPy dtype of a column or tensor type (kChar is uint8: string bytes).
py::dtype NumpyDtype(DataType type);

// A column as NumPy arrays, (values, offsets or None, inner offsets or None):
// values [n, inner...] for scalar/fixed columns, [items, inner...] for
// jagged ones, uint8 bytes for strings; offsets int64 [n + 1]; inner offsets
// (doubly jagged only) int64 [lists + 1]. The arrays own the column.
py::tuple ColumnArrays(Column column, const ColumnSpec& spec);
// "scalar", "fixed", "jagged", "string", "doubly_jagged".
std::string ColumnKindName(ColumnKind kind);

// One registration function per area (register_<area>.cpp).
void RegisterErrors(py::module_& m);
void RegisterFile(py::module_& m);
void RegisterTensor(py::module_& m);
void RegisterLoader(py::module_& m);
void RegisterExpr(py::module_& m);
void RegisterFrame(py::module_& m);

}  // namespace rootbatch::python
