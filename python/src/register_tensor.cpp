// Batch tensors: the buffer protocol (np.asarray), numpy() with the tensor as
// the array's base, and DLPack (__dlpack__/__dlpack_device__) for torch, JAX
// and TensorFlow. None of them copies: every view holds a reference to the
// batch buffer (Tensor::owner), which returns to the loader's pool when the
// last view is gone, also after the loader itself is gone.
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "dlpack.hpp"
#include "glue.hpp"
#include "rootbatch/loader/batch.hpp"

namespace rootbatch::python {
namespace {

using loader::Batch;
using loader::RaggedTensor;
using loader::Tensor;

std::string BufferFormat(DataType type) {
  switch (type) {
    case DataType::kBool: return "?";
    case DataType::kInt8: return "b";
    case DataType::kUInt8: return "B";
    case DataType::kInt16: return "h";
    case DataType::kUInt16: return "H";
    case DataType::kInt32: return "i";
    case DataType::kUInt32: return "I";
    case DataType::kInt64: return "q";
    case DataType::kUInt64: return "Q";
    case DataType::kFloat32: return "f";
    case DataType::kFloat64: return "d";
    case DataType::kChar: return "B";
  }
  return "B";
}

dlpack::DLDataType DLType(DataType type) {
  const auto bits = static_cast<uint8_t>(8 * ByteWidth(type));
  switch (type) {
    case DataType::kBool: return {dlpack::kDLBool, 8, 1};
    case DataType::kInt8:
    case DataType::kInt16:
    case DataType::kInt32:
    case DataType::kInt64: return {dlpack::kDLInt, bits, 1};
    case DataType::kFloat32:
    case DataType::kFloat64: return {dlpack::kDLFloat, bits, 1};
    default: return {dlpack::kDLUInt, bits, 1};
  }
}

std::vector<py::ssize_t> ByteStrides(const Tensor& t) {
  std::vector<py::ssize_t> out;
  for (int64_t s : t.strides) out.push_back(static_cast<py::ssize_t>(s * ByteWidth(t.dtype)));
  return out;
}

// What a DLPack consumer holds: the buffer reference and the shape/strides
// arrays DLTensor points to. Touches no Python object, so the deleter may run
// on any thread without the GIL.
struct DLPackContext {
  std::shared_ptr<void> owner;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;
};

template <typename Managed>
void FillTensor(const Tensor& t, Managed* managed) {
  auto* ctx = new DLPackContext{t.owner, t.shape, t.strides};
  managed->manager_ctx = ctx;
  dlpack::DLTensor& dl = managed->dl_tensor;
  dl.data = t.data;
  dl.device = {dlpack::kDLCPU, 0};
  dl.ndim = static_cast<int32_t>(t.shape.size());
  dl.dtype = DLType(t.dtype);
  dl.shape = ctx->shape.data();
  dl.strides = ctx->strides.data();
  dl.byte_offset = 0;
  managed->deleter = [](Managed* self) {
    delete static_cast<DLPackContext*>(self->manager_ctx);
    delete self;
  };
}

// Capsule destructor: a capsule a consumer never renamed still owns its tensor.
template <typename Managed>
void DestroyUnconsumed(PyObject* capsule, const char* name) {
  if (!PyCapsule_IsValid(capsule, name)) return;  // consumed ("used_...")
  PyObject *type, *value, *traceback;
  PyErr_Fetch(&type, &value, &traceback);
  auto* managed = static_cast<Managed*>(PyCapsule_GetPointer(capsule, name));
  if (managed != nullptr && managed->deleter != nullptr) managed->deleter(managed);
  PyErr_Restore(type, value, traceback);
}

py::object ToDLPack(const Tensor& t, py::object stream, py::object max_version, py::object dl_device,
                    py::object copy) {
  if (!stream.is_none() && !(py::isinstance<py::int_>(stream) && stream.cast<int64_t>() == -1)) {
    // CPU tensors take no stream; -1 ("no synchronisation") is allowed.
    throw py::value_error("rootbatch tensors live in CPU memory: __dlpack__ takes no stream");
  }
  if (!dl_device.is_none()) {
    auto device = dl_device.cast<std::pair<int, int>>();
    if (device.first != dlpack::kDLCPU) {
      throw py::buffer_error("rootbatch tensors live in CPU memory; copy them to the device after import");
    }
  }
  if (!copy.is_none() && copy.cast<bool>()) {
    throw py::buffer_error("rootbatch exports without copying (copy=True is not supported)");
  }
  bool versioned = false;
  if (!max_version.is_none()) {
    auto version = max_version.cast<std::pair<int, int>>();
    versioned = version.first >= static_cast<int>(dlpack::kMajorVersion);
  }
  if (versioned) {
    auto* managed = new dlpack::DLManagedTensorVersioned{};
    managed->version = {dlpack::kMajorVersion, dlpack::kMinorVersion};
    managed->flags = 0;
    FillTensor(t, managed);
    PyObject* capsule = PyCapsule_New(managed, dlpack::kVersionedCapsuleName, [](PyObject* c) {
      DestroyUnconsumed<dlpack::DLManagedTensorVersioned>(c, dlpack::kVersionedCapsuleName);
    });
    if (capsule == nullptr) {
      managed->deleter(managed);
      throw py::error_already_set();
    }
    return py::reinterpret_steal<py::object>(capsule);
  }
  auto* managed = new dlpack::DLManagedTensor{};
  FillTensor(t, managed);
  PyObject* capsule = PyCapsule_New(managed, dlpack::kCapsuleName, [](PyObject* c) {
    DestroyUnconsumed<dlpack::DLManagedTensor>(c, dlpack::kCapsuleName);
  });
  if (capsule == nullptr) {
    managed->deleter(managed);
    throw py::error_already_set();
  }
  return py::reinterpret_steal<py::object>(capsule);
}

py::array AsNumpy(py::object self) {
  const Tensor& t = self.cast<const Tensor&>();
  std::vector<py::ssize_t> shape(t.shape.begin(), t.shape.end());
  return py::array(NumpyDtype(t.dtype), shape, ByteStrides(t), t.data, self);
}

}  // namespace

void RegisterTensor(py::module_& m) {
  py::class_<Tensor>(m, "Tensor", py::buffer_protocol())
      .def_readonly("name", &Tensor::name)
      .def_property_readonly("dtype", [](const Tensor& t) { return std::string(DataTypeName(t.dtype)); })
      .def_property_readonly("shape", [](const Tensor& t) { return py::tuple(py::cast(t.shape)); })
      .def_property_readonly("strides", [](const Tensor& t) { return py::tuple(py::cast(t.strides)); })
      .def_property_readonly("nbytes", &Tensor::NumBytes)
      .def_property_readonly("data_ptr", [](const Tensor& t) { return reinterpret_cast<uintptr_t>(t.data); })
      .def_buffer([](const Tensor& t) {
        std::vector<py::ssize_t> shape(t.shape.begin(), t.shape.end());
        return py::buffer_info(t.data, ByteWidth(t.dtype), BufferFormat(t.dtype),
                               static_cast<py::ssize_t>(shape.size()), shape, ByteStrides(t));
      })
      .def("numpy", &AsNumpy, "A NumPy array viewing the tensor (no copy; it keeps the buffer alive).")
      .def("__dlpack__", &ToDLPack, py::kw_only(), py::arg("stream") = py::none(),
           py::arg("max_version") = py::none(), py::arg("dl_device") = py::none(), py::arg("copy") = py::none())
      .def("__dlpack_device__", [](const Tensor&) { return py::make_tuple(static_cast<int>(dlpack::kDLCPU), 0); })
      .def("__repr__", [](const Tensor& t) {
        std::string shape;
        for (size_t i = 0; i < t.shape.size(); ++i) shape += (i ? ", " : "") + std::to_string(t.shape[i]);
        return "<rootbatch Tensor '" + t.name + "' " + std::string(DataTypeName(t.dtype)) + " [" + shape + "]>";
      });

  py::class_<RaggedTensor>(m, "RaggedTensor")
      .def_readonly("name", &RaggedTensor::name)
      .def_readonly("values", &RaggedTensor::values)
      .def_readonly("offsets", &RaggedTensor::offsets);

  py::class_<Batch>(m, "Batch")
      .def_readonly("epoch", &Batch::epoch)
      .def_readonly("index", &Batch::index)
      .def_readonly("num_rows", &Batch::num_rows)
      .def_readonly("features", &Batch::features)
      .def_readonly("targets", &Batch::targets)
      .def_readonly("weights", &Batch::weights)
      .def_readonly("entries", &Batch::entries)
      .def_readonly("padded", &Batch::padded)
      .def_readonly("masks", &Batch::masks)
      .def_readonly("ragged", &Batch::ragged);
}

}  // namespace rootbatch::python
