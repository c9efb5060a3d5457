#include "rootbatch/loader/options.hpp"

#include <cmath>

#include "rootbatch/loader/convert.hpp"
#include "rootbatch/loader/option_schema.hpp"

namespace rootbatch::loader {

std::string_view ShuffleStrategyName(ShuffleStrategy strategy) {
  switch (strategy) {
    case ShuffleStrategy::kNone: return "none";
    case ShuffleStrategy::kStream: return "stream";
    case ShuffleStrategy::kClusterChunks: return "cluster-chunks";
    case ShuffleStrategy::kPieces: return "pieces";
    case ShuffleStrategy::kScatter: return "scatter";
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

Status CheckJaggedColumns(const std::vector<JaggedColumn>& columns) {
  for (const auto& jagged : columns) {
    if (!IsOutputType(jagged.type)) {
      return InvalidArgument("jagged column '" + jagged.name + "': type " + std::string(DataTypeName(jagged.type)) +
                             " is not an output type (float32, float64, int64, int32, bool)");
    }
    if (jagged.max_inner_length < 0) {
      return InvalidArgument("jagged column '" + jagged.name + "': max_inner_length must be >= 0, got " +
                             std::to_string(jagged.max_inner_length));
    }
    if (jagged.mode != JaggedMode::kRagged && jagged.max_length <= 0) {
      return InvalidArgument("jagged column '" + jagged.name + "' in mode " +
                             std::string(JaggedModeName(jagged.mode)) + " needs max_length > 0");
    }
  }
  return Status::Ok();
}

Status ValidateOptions(const LoaderOptions& o) {
  // Each option's own bounds and kinds, from the schema.
  for (const OptionSpec& spec : LoaderOptionSpecs()) {
    if (spec.check != nullptr) RB_RETURN_IF_ERROR(spec.check(spec, o));
  }
  // What one option says about another.
  if (o.split == Split::kValidation && o.validation_fraction == 0.0) {
    return InvalidArgument("the validation split is empty: set validation_split above 0");
  }
  if (o.rank >= o.world_size) {
    return InvalidArgument("rank " + std::to_string(o.rank) + " is outside [0, world_size=" +
                           std::to_string(o.world_size) + ")");
  }
  if (o.worker_id >= o.num_workers) {
    return InvalidArgument("worker_id " + std::to_string(o.worker_id) + " is outside [0, num_workers=" +
                           std::to_string(o.num_workers) + ")");
  }
  return Status::Ok();
}

}  // namespace rootbatch::loader
