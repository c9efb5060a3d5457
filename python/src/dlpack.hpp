// The DLPack ABI (https://dmlc.github.io/dlpack/latest/): the C structs
// through which frameworks hand each other tensors without copying. Written
// here from the published layout (DLPack 1.0), so the project needs no
// DLPack headers. Field order, types and enum values are the ABI: do not
// reorder or resize anything.
//
// Two forms travel in PyCapsules:
//   "dltensor"            a DLManagedTensor (pre-1.0 consumers)
//   "dltensor_versioned"  a DLManagedTensorVersioned (consumers that pass
//                         max_version >= (1, 0) to __dlpack__)
// A consumer renames the capsule to "used_dltensor"/"used_dltensor_versioned"
// when it takes ownership; a capsule still carrying the original name when
// it dies was never consumed, so its destructor calls the deleter.
#pragma once

#include <cstdint>

namespace rootbatch::python::dlpack {

inline constexpr uint32_t kMajorVersion = 1;  // DLPACK_MAJOR_VERSION
inline constexpr uint32_t kMinorVersion = 0;  // DLPACK_MINOR_VERSION

inline constexpr const char* kCapsuleName = "dltensor";
inline constexpr const char* kUsedCapsuleName = "used_dltensor";
inline constexpr const char* kVersionedCapsuleName = "dltensor_versioned";
inline constexpr const char* kUsedVersionedCapsuleName = "used_dltensor_versioned";

// DLManagedTensorVersioned::flags bits.
inline constexpr uint64_t kFlagReadOnly = uint64_t{1} << 0;  // DLPACK_FLAG_BITMASK_READ_ONLY
inline constexpr uint64_t kFlagIsCopied = uint64_t{1} << 1;  // DLPACK_FLAG_BITMASK_IS_COPIED

struct DLPackVersion {
  uint32_t major;
  uint32_t minor;
};

// DLDeviceType: a C enum, so 32 bits wide. Only the values we use or check.
enum DLDeviceType : int32_t {
  kDLCPU = 1,
  kDLCUDA = 2,
  kDLCUDAHost = 3,  // pinned host memory
};

struct DLDevice {
  DLDeviceType device_type;
  int32_t device_id;
};

enum DLDataTypeCode : uint8_t {
  kDLInt = 0,
  kDLUInt = 1,
  kDLFloat = 2,
  kDLOpaqueHandle = 3,
  kDLBfloat = 4,
  kDLComplex = 5,
  kDLBool = 6,
};

struct DLDataType {
  uint8_t code;    // a DLDataTypeCode
  uint8_t bits;    // 8, 16, 32, 64
  uint16_t lanes;  // 1 for scalars
};

struct DLTensor {
  void* data;
  DLDevice device;
  int32_t ndim;
  DLDataType dtype;
  int64_t* shape;    // ndim elements
  int64_t* strides;  // ndim elements, in elements (not bytes); may be null for compact row-major
  uint64_t byte_offset;
};

struct DLManagedTensor {
  DLTensor dl_tensor;
  void* manager_ctx;
  void (*deleter)(DLManagedTensor* self);
};

struct DLManagedTensorVersioned {
  DLPackVersion version;
  void* manager_ctx;
  void (*deleter)(DLManagedTensorVersioned* self);
  uint64_t flags;
  DLTensor dl_tensor;
};

static_assert(sizeof(DLDevice) == 8);
static_assert(sizeof(DLDataType) == 4);
static_assert(sizeof(DLTensor) == 48);
static_assert(sizeof(DLManagedTensor) == 64);
static_assert(sizeof(DLManagedTensorVersioned) == 80);

}  // namespace rootbatch::python::dlpack
