#include "rootbatch/loader/elastic.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "rootbatch/frame/subset_source.hpp"
#include "rootbatch/loader/shuffle_plan.hpp"

namespace rootbatch::loader {
namespace {

constexpr std::string_view kMagic = "rootbatch-world-state/1";

LoaderOptions ShardOptions(LoaderOptions options, int world_size, int num_workers, int64_t shard) {
  options.world_size = world_size;
  options.num_workers = num_workers;
  options.rank = static_cast<int>(shard / num_workers);
  options.worker_id = static_cast<int>(shard % num_workers);
  return options;
}

template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}

// `token` is "key=value": the value, or nullopt.
std::optional<std::string_view> ValueOf(std::string_view token, std::string_view key) {
  if (token.size() <= key.size() || token.substr(0, key.size()) != key || token[key.size()] != '=') return {};
  return token.substr(key.size() + 1);
}

// Row marks over the global entry index of the inputs: kInEpoch for a row of
// the epoch, kYielded once a shard handed it out.
enum Mark : uint8_t { kNotInEpoch = 0, kInEpoch = 1, kYielded = 2 };

}  // namespace

std::string WorldState::Serialize() const {
  std::ostringstream out;
  out << kMagic << " seed=" << seed << " epoch=" << epoch << " world_size=" << world_size
      << " num_workers=" << num_workers << " positions=";
  for (size_t i = 0; i < positions.size(); ++i) out << (i > 0 ? "," : "") << positions[i];
  out << " fingerprint=" << fingerprint;
  return out.str();
}

Result<WorldState> WorldState::Parse(std::string_view text) {
  std::vector<std::string_view> tokens;
  for (size_t at = 0; at < text.size();) {
    size_t end = std::min(text.find(' ', at), text.size());
    if (end > at) tokens.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  const auto fail = [&] { return InvalidArgument("not a world state: '" + std::string(text.substr(0, 120)) + "'"); };
  if (tokens.size() != 7 || tokens[0] != kMagic) return fail();
  WorldState state;
  auto seed = ValueOf(tokens[1], "seed");
  auto epoch = ValueOf(tokens[2], "epoch");
  auto world = ValueOf(tokens[3], "world_size");
  auto workers = ValueOf(tokens[4], "num_workers");
  auto positions = ValueOf(tokens[5], "positions");
  auto fingerprint = ValueOf(tokens[6], "fingerprint");
  if (!seed || !epoch || !world || !workers || !positions || !fingerprint || !ParseNumber(*seed, &state.seed) ||
      !ParseNumber(*epoch, &state.epoch) || !ParseNumber(*world, &state.world_size) ||
      !ParseNumber(*workers, &state.num_workers) || !ParseNumber(*fingerprint, &state.fingerprint)) {
    return fail();
  }
  for (size_t at = 0; at <= positions->size();) {
    size_t end = std::min(positions->find(',', at), positions->size());
    int64_t value = 0;
    if (!ParseNumber(positions->substr(at, end - at), &value) || value < 0) return fail();
    state.positions.push_back(value);
    at = end + 1;
  }
  if (state.epoch < 0 || state.world_size < 1 || state.num_workers < 1 ||
      static_cast<int64_t>(state.positions.size()) != int64_t{state.world_size} * state.num_workers) {
    return fail();
  }
  return state;
}

Result<WorldState> GatherWorld(const std::vector<LoaderInput>& inputs, LoaderOptions options, int world_size,
                               int num_workers, const std::vector<std::optional<LoaderState>>& states) {
  const int64_t shards = int64_t{world_size} * num_workers;
  if (world_size < 1 || num_workers < 1 || static_cast<int64_t>(states.size()) != shards) {
    return InvalidArgument("a world of " + std::to_string(world_size) + " x " + std::to_string(num_workers) +
                           " shards needs " + std::to_string(shards) + " states, got " +
                           std::to_string(states.size()));
  }
  std::optional<int64_t> epoch;
  for (const auto& state : states) {
    if (!state) continue;
    if (epoch && state->epoch != *epoch) {
      return InvalidArgument("the shards' states are in epochs " + std::to_string(*epoch) + " and " +
                             std::to_string(state->epoch) + ": gather the states of one moment");
    }
    epoch = state->epoch;
  }
  if (!epoch) return InvalidArgument("no shard's state is within an epoch: there is nothing to resume");
  WorldState world;
  world.seed = options.seed;
  world.epoch = *epoch;
  world.world_size = world_size;
  world.num_workers = num_workers;
  for (int64_t s = 0; s < shards; ++s) {
    RB_ASSIGN_OR_RETURN(auto shard, Loader::Create(inputs, ShardOptions(options, world_size, num_workers, s)));
    const auto& state = states[static_cast<size_t>(s)];
    if (state) {
      if (Status checked = shard->Restore(*state); !checked.IsOk()) {
        return InvalidArgument("shard " + std::to_string(s) + " (rank " + std::to_string(s / num_workers) +
                               ", worker " + std::to_string(s % num_workers) + "): " + checked.Message());
      }
    }
    if (s == 0) world.fingerprint = shard->ShapeFreeFingerprint();
    world.positions.push_back(state ? state->position : 0);
  }
  return world;
}

Result<std::unique_ptr<Loader>> ResumeElastic(const std::vector<LoaderInput>& inputs, LoaderOptions options,
                                              const WorldState& world) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].sampling_ratio > 1.0) {
      return InvalidArgument("input " + std::to_string(i) + " is sampled with ratio " +
                             std::to_string(inputs[i].sampling_ratio) +
                             ": an epoch may hold its rows twice, and an elastic resume cannot tell which copy "
                             "was yielded; resume into the same world shape (Restore)");
    }
  }
  if (world.seed != options.seed) {
    return InvalidArgument("the world state was saved with seed " + std::to_string(world.seed) +
                           ", this loader has seed " + std::to_string(options.seed));
  }
  if (world.world_size < 1 || world.num_workers < 1 || world.epoch < 0 ||
      std::any_of(world.positions.begin(), world.positions.end(), [](int64_t p) { return p < 0; })) {
    return InvalidArgument("the world state is malformed: " + world.Serialize());
  }
  const int64_t shards = int64_t{world.world_size} * world.num_workers;
  if (static_cast<int64_t>(world.positions.size()) != shards) {
    return InvalidArgument("the world state lists " + std::to_string(world.positions.size()) + " positions for " +
                           std::to_string(shards) + " shards");
  }

  // The rows of the epoch, and those the saved world's shards yielded.
  int64_t entries = 0;
  for (const LoaderInput& input : inputs) entries += input.dataset->NumEntries();
  std::vector<uint8_t> marks(static_cast<size_t>(entries), kNotInEpoch);
  for (int64_t s = 0; s < shards; ++s) {
    RB_ASSIGN_OR_RETURN(auto shard, Loader::Create(inputs, ShardOptions(options, world.world_size,
                                                                        world.num_workers, s)));
    if (shard->ShapeFreeFingerprint() != world.fingerprint) {
      return InvalidArgument("the world state was saved by loaders with other data or options (batch size, "
                             "buffer, split or shuffle); resume it into loaders built the same way but for the "
                             "world shape");
    }
    RB_RETURN_IF_ERROR(shard->SetEpoch(world.epoch));
    const int64_t position = world.positions[static_cast<size_t>(s)];
    if (position > shard->Epoch().num_batches) {
      return InvalidArgument("shard " + std::to_string(s) + "'s position " + std::to_string(position) +
                             " is past the " + std::to_string(shard->Epoch().num_batches) + " batches of epoch " +
                             std::to_string(world.epoch));
    }
    // Rows in a batch at or past the position are left (a last partial batch
    // dropped by drop_remainder is in none: it is not of the epoch).
    int64_t batch = 0;
    RB_RETURN_IF_ERROR(ReplayBatches(*shard, [&](std::span<const int64_t> rows) {
      const Mark mark = batch++ < position ? kYielded : kInEpoch;
      for (int64_t row : rows) marks[static_cast<size_t>(row)] = mark;
    }));
  }

  // Nothing left: the epoch was over; a loader of the new shape at its end.
  if (std::find(marks.begin(), marks.end(), kInEpoch) == marks.end()) {
    options.rest_of_epoch = world.epoch;
    RB_ASSIGN_OR_RETURN(auto done, Loader::Create(inputs, options));
    RB_RETURN_IF_ERROR(done->SetEpoch(world.epoch));
    LoaderState end = done->State();
    end.position = done->Epoch().num_batches;
    RB_RETURN_IF_ERROR(done->Restore(end));
    return done;
  }

  // Each input's rows left, file by file, as a dataset of its own.
  std::vector<LoaderInput> rest;
  int64_t global = 0;
  for (const LoaderInput& input : inputs) {
    std::vector<std::unique_ptr<ColumnSource>> files;
    for (size_t f = 0; f < input.dataset->NumFiles(); ++f) {
      const int64_t first = global + input.dataset->FileStart(f);
      std::vector<int64_t> kept;
      for (int64_t e = 0; e < input.dataset->File(f).NumEntries(); ++e) {
        if (marks[static_cast<size_t>(first + e)] == kInEpoch) kept.push_back(e);
      }
      files.push_back(std::make_unique<frame::SubsetSource>(input.dataset, f, std::move(kept)));
    }
    global += input.dataset->NumEntries();
    RB_ASSIGN_OR_RETURN(auto dataset, Dataset::FromSources(std::move(files)));
    LoaderInput left = input;
    left.dataset = std::move(dataset);
    left.entries.reset();  // the rows outside the range were never marked: none is left
    left.sampling_ratio = 1.0;  // the epoch's sample is drawn already
    rest.push_back(std::move(left));
  }
  options.split = Split::kAll;  // the rows left are of the saved split already
  options.validation_fraction = 0.0;
  options.rest_of_epoch = world.epoch;
  RB_ASSIGN_OR_RETURN(auto resumed, Loader::Create(std::move(rest), options));
  RB_RETURN_IF_ERROR(resumed->SetEpoch(world.epoch));
  return resumed;
}

}  // namespace rootbatch::loader
