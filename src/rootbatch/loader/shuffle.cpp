#include "rootbatch/loader/shuffle.hpp"

#include "rootbatch/loader/piece_shuffle.hpp"
#include "rootbatch/loader/scatter_shuffle.hpp"
#include "rootbatch/loader/slot_shuffle.hpp"

namespace rootbatch::loader {

const Shuffle& ShuffleOf(ShuffleStrategy strategy) {
  using Units = OrderRules::Units;
  using Placement = OrderRules::Placement;
  static const SlotShuffle kNoneShuffle(ShuffleStrategy::kNone, {Units::kBlocks, Placement::kInOrder, false});
  static const SlotShuffle kStreamShuffle(ShuffleStrategy::kStream, {Units::kBlocks, Placement::kPermuted, true});
  static const SlotShuffle kChunksShuffle(ShuffleStrategy::kClusterChunks,
                                          {Units::kClusters, Placement::kPermuted, false});
  static const PieceShuffle kPiecesShuffle;
  static const ScatterShuffle kScatterShuffle;
  switch (strategy) {
    case ShuffleStrategy::kNone: return kNoneShuffle;
    case ShuffleStrategy::kStream: return kStreamShuffle;
    case ShuffleStrategy::kClusterChunks: return kChunksShuffle;
    case ShuffleStrategy::kPieces: return kPiecesShuffle;
    case ShuffleStrategy::kScatter: return kScatterShuffle;
  }
  return kStreamShuffle;
}

}  // namespace rootbatch::loader
