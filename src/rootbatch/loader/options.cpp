#include "rootbatch/loader/options.hpp"

#include <cmath>

#include "rootbatch/loader/convert.hpp"

namespace rootbatch::loader {

std::string_view ShuffleStrategyName(ShuffleStrategy strategy) {
  switch (strategy) {
    case ShuffleStrategy::kNone: return "none";
    case ShuffleStrategy::kStream: return "stream";
    case ShuffleStrategy::kClusterChunks: return "cluster-chunks";
  }
  return "?";
}

std::string_view JaggedModeName(JaggedMode mode) {
  switch (mode) {
    case JaggedMode::kPad: return "pad";
    case JaggedMode::kRagged: return "ragged";
    case JaggedMode::kFlatten: return "flatten";
  }
  return "?";
}

Status ValidateOptions(const LoaderOptions& o) {
  if (o.batch_size <= 0) {
    return InvalidArgument("batch size must be positive, got " + std::to_string(o.batch_size));
  }
  if (o.memory_budget <= 0) return InvalidArgument("memory budget must be positive");
  if (o.num_threads < 1) return InvalidArgument("need at least 1 thread, got " + std::to_string(o.num_threads));
  if (o.queue_batches < 1) return InvalidArgument("queue_batches must be at least 1");
  if (!(o.validation_fraction >= 0.0 && o.validation_fraction < 1.0)) {
    return InvalidArgument("validation fraction must be in [0, 1), got " + std::to_string(o.validation_fraction));
  }
  if (o.split == Split::kValidation && o.validation_fraction == 0.0) {
    return InvalidArgument("the validation split is empty: set validation_fraction above 0");
  }
  if (o.world_size < 1) return InvalidArgument("world_size must be at least 1");
  if (o.rank < 0 || o.rank >= o.world_size) {
    return InvalidArgument("rank " + std::to_string(o.rank) + " is outside [0, world_size=" +
                           std::to_string(o.world_size) + ")");
  }
  if (o.num_workers < 1) return InvalidArgument("num_workers must be at least 1");
  if (o.worker_id < 0 || o.worker_id >= o.num_workers) {
    return InvalidArgument("worker_id " + std::to_string(o.worker_id) + " is outside [0, num_workers=" +
                           std::to_string(o.num_workers) + ")");
  }
  if (o.block_split < 1) return InvalidArgument("block_split must be at least 1");
  if (o.max_block_entries < 1) return InvalidArgument("max_block_entries must be at least 1");
  auto check_type = [](DataType type, const std::string& what) -> Status {
    if (!IsOutputType(type)) {
      return InvalidArgument(what + " type " + std::string(DataTypeName(type)) +
                             " is not an output type (float32, float64, int64, int32, bool)");
    }
    return Status::Ok();
  };
  RB_RETURN_IF_ERROR(check_type(o.feature_type, "feature"));
  if (o.target_type) RB_RETURN_IF_ERROR(check_type(*o.target_type, "target"));
  RB_RETURN_IF_ERROR(check_type(o.weight_type, "weight"));
  for (const auto& jagged : o.jagged) {
    RB_RETURN_IF_ERROR(check_type(jagged.type, "jagged column '" + jagged.name + "'"));
    if (jagged.mode != JaggedMode::kRagged && jagged.max_length <= 0) {
      return InvalidArgument("jagged column '" + jagged.name + "' in mode " +
                             std::string(JaggedModeName(jagged.mode)) + " needs max_length > 0");
    }
  }
  return Status::Ok();
}

}  // namespace rootbatch::loader
