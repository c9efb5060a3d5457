#include "rootbatch/loader/epoch_order.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "rootbatch/loader/rng.hpp"
#include "rootbatch/loader/shuffle.hpp"

namespace rootbatch::loader {
namespace {

// An ordering unit: consecutive pieces [begin, end) of the piece list.
struct Unit {
  size_t begin = 0;
  size_t end = 0;
  int32_t input = 0;
};

int64_t UnitEntries(const Unit& unit, const std::vector<Segment>& pieces) {
  int64_t entries = 0;
  for (size_t p = unit.begin; p < unit.end; ++p) entries += pieces[p].entries.Size();
  return entries;
}

// Appends a unit holding entries [offset, offset + count) of `unit` (its
// pieces cut to fit) and returns its index.
size_t AppendPart(const Unit& unit, int64_t offset, int64_t count, std::vector<Segment>& pieces,
                  std::vector<Unit>& units) {
  Unit part{pieces.size(), pieces.size(), unit.input};
  int64_t at = 0;  // position of piece p's first entry within the unit
  for (size_t p = unit.begin; p < unit.end; ++p) {
    const Segment piece = pieces[p];  // a copy: push_back may move pieces
    const int64_t size = piece.entries.Size();
    const int64_t lo = std::max(offset, at);
    const int64_t hi = std::min(offset + count, at + size);
    if (lo < hi) {
      Segment cut = piece;
      cut.entries = {piece.entries.begin + (lo - at), piece.entries.begin + (hi - at)};
      cut.global_begin = piece.global_begin + (lo - at);
      pieces.push_back(cut);
    }
    at += size;
  }
  part.end = pieces.size();
  units.push_back(part);
  return units.size() - 1;
}

// The units of the epoch after sampling, in position order (copies of a
// unit adjacent). An input with ratio r contributes floor(r) copies of each
// of its units plus round(frac(r) x its entries) entries more: seeded random
// units while they fit, then a random part of one more (appended to
// `pieces` and `units`), drawn afresh each epoch.
std::vector<size_t> Sample(std::vector<Segment>& pieces, std::vector<Unit>& units,
                           const std::vector<LoaderInput>& inputs, const LoaderOptions& options, int64_t epoch) {
  std::vector<size_t> chosen;
  const size_t original_units = units.size();
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::vector<size_t> mine;
    int64_t entries = 0;
    for (size_t u = 0; u < original_units; ++u) {
      if (units[u].input != static_cast<int32_t>(i)) continue;
      mine.push_back(u);
      entries += UnitEntries(units[u], pieces);
    }
    const double ratio = inputs[i].sampling_ratio;
    const double whole = std::floor(ratio);
    for (int64_t copy = 0; copy < static_cast<int64_t>(whole); ++copy) chosen.insert(chosen.end(), mine.begin(), mine.end());
    int64_t need = std::llround((ratio - whole) * static_cast<double>(entries));
    if (need <= 0) continue;
    Rng rng(DeriveSeed(options.seed, Stream::kSample, {static_cast<uint64_t>(epoch), i}));
    // A partial Fisher-Yates draws distinct units in random order.
    for (size_t k = 0; k < mine.size() && need > 0; ++k) {
      const size_t j = k + static_cast<size_t>(rng.Below(mine.size() - k));
      std::swap(mine[k], mine[j]);
      const Unit unit = units[mine[k]];
      const int64_t size = UnitEntries(unit, pieces);
      if (size <= need) {
        chosen.push_back(mine[k]);
        need -= size;
      } else {
        const auto offset = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(size - need + 1)));
        chosen.push_back(AppendPart(unit, offset, need, pieces, units));
        need = 0;
      }
    }
  }
  // Position order; copies of a unit stay adjacent.
  std::stable_sort(chosen.begin(), chosen.end(), [&](size_t a, size_t b) {
    return pieces[units[a].begin].global_begin < pieces[units[b].begin].global_begin;
  });
  return chosen;
}

// Where a unit of `size` entries is cut into pieces (each piece's end, the
// last `size`): pieces of about `limit`, each ending on a preferred point
// (sorted offsets inside the unit) when one lies between half and one and a
// half `limit` from its start (the one nearest `limit`), never longer than
// `max_piece`; where none does, the rest is cut into equal pieces of at most
// `limit`, as without preferred points.
std::vector<int64_t> PieceEnds(int64_t size, int64_t limit, int64_t max_piece, const std::vector<int64_t>& preferred) {
  std::vector<int64_t> ends;
  int64_t start = 0;
  size_t k = 0;
  while (size - start > limit) {
    const int64_t lo = start + (limit + 1) / 2;
    const int64_t hi = std::min({start + limit + limit / 2, start + max_piece, size - 1});
    while (k < preferred.size() && preferred[k] < lo) ++k;
    int64_t best = -1;
    for (size_t j = k; j < preferred.size() && preferred[j] <= hi; ++j) {
      if (best < 0 || std::abs(preferred[j] - (start + limit)) < std::abs(best - (start + limit))) best = preferred[j];
    }
    if (best < 0) {
      const int64_t rest = size - start;
      const int64_t parts = (rest + limit - 1) / limit;
      for (int64_t p = 1; p < parts; ++p) ends.push_back(start + rest * p / parts);
      break;
    }
    ends.push_back(best);
    start = best;
  }
  ends.push_back(size);
  return ends;
}

// The preferred cut points inside a unit (offsets from its start): the
// plan's cut points of its pieces' files, and the boundaries between its
// pieces.
std::vector<int64_t> PreferredCuts(const Unit& unit, const std::vector<Segment>& pieces, const Plan& plan) {
  std::vector<int64_t> preferred;
  int64_t at = 0;
  for (size_t p = unit.begin; p < unit.end; ++p) {
    const Segment& piece = pieces[p];
    if (p > unit.begin) preferred.push_back(at);
    const auto input = static_cast<size_t>(piece.input);
    const auto file = static_cast<size_t>(piece.file);
    static const std::vector<int64_t> kNone;
    const auto& points =
        input < plan.cut_points.size() && file < plan.cut_points[input].size() ? plan.cut_points[input][file] : kNone;
    for (auto it = std::upper_bound(points.begin(), points.end(), piece.entries.begin);
         it != points.end() && *it < piece.entries.end; ++it) {
      preferred.push_back(at + (*it - piece.entries.begin));
    }
    at += piece.entries.Size();
  }
  return preferred;
}

// Each unit of `order` longer than `limit` entries cut into pieces
// (PieceEnds: on the plan's cut points where it can), in place.
std::vector<size_t> CutIntoPieces(const std::vector<size_t>& order, int64_t limit, int64_t max_piece,
                                  std::vector<Segment>& pieces, std::vector<Unit>& units, const Plan& plan) {
  std::vector<size_t> cut;
  cut.reserve(order.size());
  for (size_t u : order) {
    const Unit unit = units[u];  // a copy: AppendPart may move units
    const int64_t size = UnitEntries(unit, pieces);
    if (size <= limit) {
      cut.push_back(u);
      continue;
    }
    int64_t begin = 0;
    for (int64_t end : PieceEnds(size, limit, max_piece, PreferredCuts(unit, pieces, plan))) {
      cut.push_back(AppendPart(unit, begin, end - begin, pieces, units));
      begin = end;
    }
  }
  return cut;
}

// Key of the j-th point of a golden-ratio (Kronecker) sequence started at a
// random offset: frac(offset + j / phi), in 32-bit fixed point. Any run of
// consecutive points, wherever it starts, falls evenly over [0, 1) (the
// three-distance theorem: n points cut it into gaps of at most three
// lengths), so any window of a round draws from strata spread over the whole
// dataset. A scrambled base-2 van der Corput sequence, used before, is as
// even only over runs aligned to powers of two; over the unaligned windows a
// shuffle buffer holds, the class fraction of chained files of alternating
// classes spread 1.4x a full shuffle's at 64 pieces per buffer, 1.2x with
// this sequence.
uint32_t GoldenKey(uint64_t j, uint64_t offset) {
  constexpr uint64_t kInverseGolden = 0x9E3779B97F4A7C15ull;  // 2^64 / phi
  return static_cast<uint32_t>((offset + j * kInverseGolden) >> 32);
}

// `unit_entries[u]`: entries of unit u; `unit_file[u]`: a key of its file.
// The position-sorted units are grouped into strata of about
// kUnitsPerStratum units that never straddle two files: chained files are
// where the data changes (one file signal, the next background), and a
// stratum holding units of both would make the make-up of a window of the
// stream depend on which of its units a round draws.
void StratifiedOrder(std::vector<size_t>& order, const std::vector<int64_t>& unit_entries,
                     const std::vector<int64_t>& unit_file, Rng& rng) {
  const size_t n = order.size();
  std::vector<std::vector<size_t>> groups;
  for (size_t first = 0; first < n;) {
    size_t last = first;
    while (last < n && unit_file[order[last]] == unit_file[order[first]]) ++last;
    const size_t count = last - first;
    const size_t strata = std::max<size_t>(1, (count + kUnitsPerStratum / 2) / static_cast<size_t>(kUnitsPerStratum));
    for (size_t s = 0; s < strata; ++s) {
      groups.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(first + count * s / strata),
                          order.begin() + static_cast<std::ptrdiff_t>(first + count * (s + 1) / strata));
    }
    first = last;
  }
  const size_t strata = groups.size();
  for (size_t s = 0; s < strata; ++s) {
    // Round r takes the r-th smallest unit of every stratum (ties in random
    // order). Neighbours in a round come from far apart, and now also have
    // about the same size, so a window of the stream holds as many entries
    // of each region as of the others. With blocks of unequal size (baskets
    // that do not divide clusters: 8000, 2000, 6000, ... entries) random
    // rounds paired an 8000-entry block of one region with a 2000-entry
    // block of another, and a signal file chained before a background file
    // gave batches whose signal fraction varied about 2.5 times as much.
    rng.Shuffle(groups[s]);
    std::stable_sort(groups[s].begin(), groups[s].end(),
                     [&](size_t a, size_t b) { return unit_entries[a] < unit_entries[b]; });
  }
  size_t rounds = 0;
  for (const auto& g : groups) rounds = std::max(rounds, g.size());
  std::vector<size_t> round_order(rounds);
  for (size_t r = 0; r < rounds; ++r) round_order[r] = r;
  rng.Shuffle(round_order);  // which sizes come first varies by epoch
  std::vector<size_t> out;
  out.reserve(n);
  std::vector<size_t> avail;
  std::vector<std::pair<uint32_t, size_t>> keyed;
  std::vector<size_t> rank;
  for (size_t r : round_order) {
    avail.clear();
    for (size_t s = 0; s < strata; ++s) {
      if (r < groups[s].size()) avail.push_back(s);
    }
    // The j-th unit of the round comes from the stratum whose rank among the
    // round's keys is the rank of key j: consecutive units come from far
    // apart in the dataset.
    const uint64_t seed = rng.Next();
    keyed.clear();
    for (size_t j = 0; j < avail.size(); ++j) keyed.emplace_back(GoldenKey(j, seed), j);
    std::sort(keyed.begin(), keyed.end());
    rank.assign(avail.size(), 0);
    for (size_t k = 0; k < keyed.size(); ++k) rank[keyed[k].second] = k;
    for (size_t j = 0; j < avail.size(); ++j) out.push_back(groups[avail[rank[j]]][r]);
  }
  order.swap(out);
}

}  // namespace

int64_t PieceEntries(const LoaderOptions& options, int64_t buffer_rows, int64_t turn_entries) {
  if (!ShuffleOf(options.shuffle).Order().streams) return 0;
  const int64_t turn = std::max<int64_t>(turn_entries, 1);
  if (options.pieces_per_buffer <= 0) return turn;
  return std::clamp<int64_t>(buffer_rows / options.pieces_per_buffer, 1, turn);
}

size_t EpochOrder::SegmentOf(int64_t position) const {
  auto it = std::upper_bound(starts.begin(), starts.end(), position);
  return static_cast<size_t>(it - starts.begin()) - 1;
}

int64_t EpochOrder::GlobalIndex(int64_t position) const {
  size_t s = SegmentOf(position);
  return segments[s].global_begin + (position - starts[s]);
}

namespace {

// The pieces of the plan's blocks and the ordering units over them.
struct Units {
  std::vector<Segment> pieces;
  std::vector<Unit> units;
};

// 1. Blocks (cut into block_split pieces where the strategy streams) are
// the units, or whole clusters (OrderRules::Units::kClusters).
Units MakeUnits(const Plan& plan, const LoaderOptions& options) {
  Units made;
  std::vector<Segment>& pieces = made.pieces;
  std::vector<Unit>& units = made.units;
  const OrderRules rules = ShuffleOf(options.shuffle).Order();
  const int split = rules.streams ? options.block_split : 1;
  for (size_t b = 0; b < plan.blocks.size(); ++b) {
    const Block& block = plan.blocks[b];
    const bool same_cluster = rules.units == OrderRules::Units::kClusters && !units.empty() &&
                              b > 0 && plan.blocks[b - 1].cluster == block.cluster;
    int64_t length = block.entries.Size();
    int64_t parts = std::min<int64_t>(split, length);
    for (int64_t p = 0; p < parts; ++p) {
      Segment piece{block.input, block.file,
                    {block.entries.begin + length * p / parts, block.entries.begin + length * (p + 1) / parts}, 0};
      piece.global_begin = block.global_begin + (piece.entries.begin - block.entries.begin);
      pieces.push_back(piece);
      if (same_cluster && p == 0) {
        units.back().end = pieces.size();
      } else {
        units.push_back({pieces.size() - 1, pieces.size(), block.input});
      }
    }
  }

  return made;
}

// 4. The order of the units: global (kInOrder), a random permutation
// (kPermuted; a streaming strategy without stratify) or the stratified order.
void PlaceUnits(std::vector<size_t>& order, const Units& made, const LoaderOptions& options, int64_t epoch) {
  Rng rng(DeriveSeed(options.seed, Stream::kOrder, {static_cast<uint64_t>(epoch)}));
  const OrderRules rules = ShuffleOf(options.shuffle).Order();
  if (rules.streams && options.stratify) {
    std::vector<int64_t> unit_entries(made.units.size(), 0);
    std::vector<int64_t> unit_file(made.units.size(), 0);
    for (size_t u = 0; u < made.units.size(); ++u) {
      unit_entries[u] = UnitEntries(made.units[u], made.pieces);
      const Segment& first = made.pieces[made.units[u].begin];
      unit_file[u] = (static_cast<int64_t>(first.input) << 32) | first.file;
    }
    StratifiedOrder(order, unit_entries, unit_file, rng);
  } else if (rules.placement == OrderRules::Placement::kPermuted) {
    rng.Shuffle(order);
  }
}

// 5. This shard's part [lo, hi) of the epoch's stream of rows.
struct ShardPart {
  int64_t lo = 0, hi = 0;
  int64_t epoch_rows = 0;
  int64_t left_out = 0;
};

ShardPart PartOf(const std::vector<size_t>& order, const Units& made, const LoaderOptions& options) {
  ShardPart part;
  for (size_t u : order) part.epoch_rows += UnitEntries(made.units[u], made.pieces);
  const int64_t shards = static_cast<int64_t>(options.world_size) * options.num_workers;
  const int64_t shard = static_cast<int64_t>(options.rank) * options.num_workers + options.worker_id;
  const int64_t per_shard = part.epoch_rows / shards;
  const int64_t remainder = part.epoch_rows - per_shard * shards;
  // The rest of an interrupted epoch (rest_of_epoch): the first `remainder`
  // shards take one row more, if that leaves every shard's batch count as it was.
  const auto batches = [&](int64_t rows) {
    return options.drop_remainder ? rows / options.batch_size : (rows + options.batch_size - 1) / options.batch_size;
  };
  const bool spread = options.rest_of_epoch >= 0 && remainder > 0 && batches(per_shard) == batches(per_shard + 1);
  part.lo = shard * per_shard + (spread ? std::min(shard, remainder) : 0);
  part.hi = part.lo + per_shard + (spread && shard < remainder ? 1 : 0);
  part.left_out = spread ? 0 : remainder;
  return part;
}

// 6. The shard's runs in stream order, each cut into turns of at most `turn`.
std::vector<Segment> CutTurns(const std::vector<size_t>& order, const Units& made, const ShardPart& part,
                              int64_t turn) {
  std::vector<Segment> turns;
  int64_t at = 0;  // stream position of the piece's first row, over the whole epoch
  for (size_t u : order) {
    for (size_t p = made.units[u].begin; p < made.units[u].end && at < part.hi; ++p) {
      const Segment& piece = made.pieces[p];
      const int64_t begin = std::max(at, part.lo);
      const int64_t end = std::min(at + piece.entries.Size(), part.hi);
      for (int64_t s = begin; s < end; s += turn) {
        const int64_t e = std::min(end, s + turn);
        Segment segment = piece;
        segment.entries = {piece.entries.begin + (s - at), piece.entries.begin + (e - at)};
        segment.global_begin = piece.global_begin + (s - at);
        turns.push_back(segment);
      }
      at += piece.entries.Size();
    }
    if (at >= part.hi) break;
  }
  return turns;
}

// 7. Each turn read in consecutive segments of at most `max_read` entries.
void AppendReads(const std::vector<Segment>& turns, int64_t max_read, EpochOrder& result) {
  for (const Segment& turn_segment : turns) {
    for (int64_t s = 0; s < turn_segment.entries.Size(); s += max_read) {
      Segment segment = turn_segment;
      segment.entries = {turn_segment.entries.begin + s,
                         std::min(turn_segment.entries.end, turn_segment.entries.begin + s + max_read)};
      segment.global_begin = turn_segment.global_begin + s;
      result.segments.push_back(segment);
      result.starts.push_back(result.starts.back() + segment.entries.Size());
    }
  }
}

}  // namespace

EpochOrder BuildEpochOrder(const Plan& plan, const std::vector<LoaderInput>& inputs, const LoaderOptions& options,
                           int64_t epoch, int64_t turn_entries, int64_t read_entries, int64_t piece_entries) {
  const int64_t turn = std::max<int64_t>(turn_entries, 1);
  Units made = MakeUnits(plan, options);                                          // 1.
  std::vector<size_t> order = Sample(made.pieces, made.units, inputs, options, epoch);  // 2.
  if (ShuffleOf(options.shuffle).Order().streams) {                               // 3.
    order = CutIntoPieces(order, piece_entries > 0 ? std::min(piece_entries, turn) : turn, turn, made.pieces,
                          made.units, plan);
  }
  PlaceUnits(order, made, options, epoch);  // 4.
  const ShardPart part = PartOf(order, made, options);  // 5.
  EpochOrder result;
  result.epoch_rows = part.epoch_rows;
  result.left_out = part.left_out;
  result.starts.push_back(0);
  const int64_t max_read = read_entries > 0 ? std::min(read_entries, turn) : turn;
  AppendReads(CutTurns(order, made, part, turn), max_read, result);  // 6., 7.
  return result;
}

}  // namespace rootbatch::loader
