// rootbatch._core: the pybind11 module. Each area registers itself from its
// own register_<area>.cpp; the pure-Python package (python/rootbatch) builds
// the user-facing API on top.
#include "glue.hpp"

namespace rootbatch::python {

py::dtype NumpyDtype(DataType type) {
  switch (type) {
    case DataType::kBool: return py::dtype("bool");
    case DataType::kInt8: return py::dtype("int8");
    case DataType::kUInt8: return py::dtype("uint8");
    case DataType::kInt16: return py::dtype("int16");
    case DataType::kUInt16: return py::dtype("uint16");
    case DataType::kInt32: return py::dtype("int32");
    case DataType::kUInt32: return py::dtype("uint32");
    case DataType::kInt64: return py::dtype("int64");
    case DataType::kUInt64: return py::dtype("uint64");
    case DataType::kFloat32: return py::dtype("float32");
    case DataType::kFloat64: return py::dtype("float64");
    case DataType::kChar: return py::dtype("uint8");
  }
  return py::dtype("uint8");
}

}  // namespace rootbatch::python

PYBIND11_MODULE(_core, m) {
  namespace rp = rootbatch::python;
  m.doc() = "rootbatch C++ core (pybind11 glue); use the rootbatch package instead";
  rp::RegisterErrors(m);
  rp::RegisterFile(m);
  rp::RegisterTensor(m);
  rp::RegisterLoader(m);
  rp::RegisterExpr(m);
  rp::RegisterFrame(m);
}
