#include "rootbatch/loader/loader.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "rootbatch/loader/auto_scaling.hpp"
#include "rootbatch/loader/option_schema.hpp"
#include "rootbatch/loader/pipeline.hpp"
#include "rootbatch/loader/reweight_pass.hpp"
#include "rootbatch/loader/rng.hpp"
#include "rootbatch/loader/shuffle.hpp"

namespace rootbatch::loader {
namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Mean items per entry of the jagged columns over the start of the first
// block, for the memory estimates (1 if there are none); a doubly jagged
// column counts its values.
Result<double> MeanJaggedItems(const BlockReader& reader, const Plan& plan) {
  const RowLayout& layout = reader.Layout();
  double items = 0;
  int64_t entries = 0;
  const Block& block = plan.blocks.front();
  const Segment segment{block.input, block.file,
                        {block.entries.begin, std::min(block.entries.end, block.entries.begin + 4096)},
                        block.global_begin};
  for (size_t r = 0; r < layout.routes.size(); ++r) {
    const ColumnKind kind = layout.routes[r].spec.kind;
    if (kind != ColumnKind::kJagged && kind != ColumnKind::kDoublyJagged) continue;
    RB_ASSIGN_OR_RETURN(Column column, reader.ReadColumn(segment, r, nullptr));
    items += static_cast<double>(kind == ColumnKind::kJagged ? column.offsets.back() : column.inner_offsets.back());
    entries += segment.entries.Size();
  }
  return entries > 0 ? std::max(1.0, items / static_cast<double>(entries)) : 1.0;
}

// Reads the first entries of each input's first block for the columns whose
// integer values a float output type may round, so that the common case (an
// event number as a float32 feature) fails at Create, not mid-epoch; every
// later block is checked as it is read.
Status CheckExactOnFirstEntries(const BlockReader& reader, const Plan& plan) {
  std::vector<size_t> routes;
  for (size_t r = 0; r < reader.Layout().routes.size(); ++r) {
    if (reader.Layout().routes[r].check_exact) routes.push_back(r);
  }
  if (routes.empty()) return Status::Ok();
  int32_t last_input = -1;
  for (const Block& block : plan.blocks) {
    if (block.input == last_input) continue;
    last_input = block.input;
    const Segment segment{block.input, block.file,
                          {block.entries.begin, std::min(block.entries.end, block.entries.begin + 4096)},
                          block.global_begin};
    for (size_t r : routes) {
      RB_ASSIGN_OR_RETURN(Column column, reader.ReadColumn(segment, r, nullptr));
      RB_RETURN_IF_ERROR(reader.CheckExact(segment, r, column));
    }
  }
  return Status::Ok();
}

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.6g", value);
  return text;
}

// A ratio whose share of an input rounds to no entry would silently drop
// the input from every epoch.
Status CheckSampling(const std::vector<LoaderInput>& inputs, const Plan& plan) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    const double ratio = inputs[i].sampling_ratio;
    const double wanted = ratio * static_cast<double>(plan.input_rows[i]);
    if (plan.input_rows[i] > 0 && std::llround(wanted) == 0) {
      return InvalidArgument("input " + std::to_string(i) + " (" + inputs[i].dataset->Description() +
                             "): sampling ratio " + Number(ratio) + " of its " +
                             std::to_string(plan.input_rows[i]) + " entries in the selected split is " +
                             Number(wanted) + " entries, which rounds to none; use a ratio of at least " +
                             Number(0.5 / static_cast<double>(plan.input_rows[i])) + " or drop the input");
    }
  }
  return Status::Ok();
}

// Bytes the inputs' sources keep, each dataset counted once.
int64_t ResidentBytes(const std::vector<LoaderInput>& inputs) {
  std::vector<const Dataset*> seen;
  int64_t bytes = 0;
  for (const LoaderInput& input : inputs) {
    if (std::find(seen.begin(), seen.end(), input.dataset.get()) != seen.end()) continue;
    seen.push_back(input.dataset.get());
    for (size_t f = 0; f < input.dataset->NumFiles(); ++f) bytes += input.dataset->File(f).ResidentBytes();
  }
  return bytes;
}

}  // namespace

Result<std::unique_ptr<Loader>> Loader::Create(std::vector<LoaderInput> inputs, LoaderOptions options) {
  RB_RETURN_IF_ERROR(ValidateOptions(options));
  std::vector<std::vector<std::vector<size_t>>> indices;
  RB_ASSIGN_OR_RETURN(RowLayout layout, BuildLayout(inputs, options, &indices));
  int64_t sampled = 0;
  RB_RETURN_IF_ERROR(ComputeAutoScaling(inputs, indices, options, &layout, &sampled));
  if (options.reweight) {
    RB_ASSIGN_OR_RETURN(layout.reweight.table, FillReweightTable(inputs, indices, options, layout));
    if (options.reweight->mode == Reweighting::Mode::kSample) return CreateSampled(inputs, indices, options, layout, sampled);
  }
  std::unique_ptr<Loader> loader(new Loader());
  loader->preprocessing_sampled_ = sampled;
  loader->reweight_table_ = layout.reweight.table;
  RB_ASSIGN_OR_RETURN(loader->plan_, BuildPlan(inputs, indices, options));
  RB_RETURN_IF_ERROR(CheckSampling(inputs, loader->plan_));
  loader->reader_ = std::make_shared<BlockReader>(inputs, std::move(layout), std::move(indices));
  RB_RETURN_IF_ERROR(CheckExactOnFirstEntries(*loader->reader_, loader->plan_));
  RB_ASSIGN_OR_RETURN(double mean_items, MeanJaggedItems(*loader->reader_, loader->plan_));
  int64_t largest_block = 1;
  for (const Block& block : loader->plan_.blocks) largest_block = std::max(largest_block, block.entries.Size());
  // What the sources keep (a frame's selection) comes off the budget first.
  const int64_t resident = ResidentBytes(inputs);
  LoaderOptions planned = options;
  planned.memory_budget -= resident;
  if (planned.memory_budget <= 0) {
    return InvalidArgument("memory budget " + std::to_string(options.memory_budget) + " bytes is less than the " +
                           std::to_string(resident) + " bytes the sources keep (a selection's bitmap: 2 bits per "
                           "entry of the files); give a larger budget");
  }
  RB_ASSIGN_OR_RETURN(loader->memory_, PlanMemory(loader->reader_->Layout(), planned, mean_items, largest_block,
                                                       loader->reader_->FetchBytesPerRow()));
  loader->memory_.resident_bytes = resident;
  loader->inputs_ = std::move(inputs);
  loader->options_ = std::move(options);
  loader->buffers_ = BufferPool::Create(static_cast<size_t>(loader->options_.queue_batches) + 4);
  loader->stats_.units_per_epoch = loader->plan_.units;
  loader->StartEpoch(0, loader->BuildOrder(0));
  return loader;
}

// Sample mode of the reweighting: a loader over the kept events of this
// loader's split (SubsetSources), which plans, shards and resumes over them
// as over any data. Its transforms apply the numbers found on the whole
// data (as given numbers), so a sampled and an unsampled loader of one seed
// standardise alike.
Result<std::unique_ptr<Loader>> Loader::CreateSampled(const std::vector<LoaderInput>& inputs,
                                                      const std::vector<std::vector<std::vector<size_t>>>& indices,
                                                      const LoaderOptions& options, const RowLayout& layout,
                                                      int64_t sampled) {
  int64_t considered = 0;
  int64_t kept = 0;
  RB_ASSIGN_OR_RETURN(std::vector<LoaderInput> subset,
                      KeepByWeight(inputs, indices, options, layout, &considered, &kept));
  LoaderOptions inner = options;
  inner.reweight.reset();
  inner.split = Split::kAll;  // the kept events are of the selected split already
  inner.validation_fraction = 0.0;
  for (ColumnTransform& t : inner.preprocessing) {
    for (const ColumnTransform& found : layout.transforms) {
      if (found.column != t.column || t.scaling != ColumnTransform::Scaling::kAuto) continue;
      t.scaling = ColumnTransform::Scaling::kGiven;
      t.center = found.center;
      t.scale = found.scale;
    }
  }
  RB_ASSIGN_OR_RETURN(std::unique_ptr<Loader> loader, Create(std::move(subset), std::move(inner)));
  loader->preprocessing_sampled_ = sampled;
  loader->reweight_table_ = layout.reweight.table;
  loader->reweight_considered_ = considered;
  loader->reweight_kept_ = kept;
  return loader;
}

Loader::~Loader() {
  StopPipeline();
  if (pool_) pool_->Shutdown();
}

void Loader::StopPipeline() {
  if (!pipeline_) return;
  pipeline_->Cancel();
  ReadStats reads = pipeline_->Reads();
  double wait = pipeline_->AssemblerWaitSeconds();
  pipeline_.reset();  // joins the assembler
  stats_.bytes_read += reads.bytes_read;
  stats_.bytes_decompressed += reads.bytes_decompressed;
  stats_.units_read += reads.units_read;
  stats_.assembler_wait_s += wait;
}

std::shared_ptr<const EpochOrder> Loader::BuildOrder(int64_t epoch) const {
  return std::make_shared<const EpochOrder>(
      BuildEpochOrder(plan_, inputs_, options_, epoch, memory_.turn_entries, memory_.max_read_entries,
                      PieceEntries(options_, memory_.num_slots, memory_.turn_entries)));
}

uint64_t Loader::SlotSeed(int64_t epoch) const {
  const int64_t shard = static_cast<int64_t>(options_.rank) * options_.num_workers + options_.worker_id;
  return DeriveSeed(options_.seed, Stream::kSlots, {static_cast<uint64_t>(epoch), static_cast<uint64_t>(shard)});
}

int64_t Loader::BatchesOf(const EpochOrder& order) const {
  const int64_t rows = order.Rows();
  const int64_t batch = options_.batch_size;
  return options_.drop_remainder ? rows / batch : (rows + batch - 1) / batch;
}

void Loader::StartEpoch(int64_t epoch, std::shared_ptr<const EpochOrder> order) {
  StopPipeline();
  order_ = std::move(order);
  info_ = EpochInfo();
  info_.epoch = epoch;
  info_.rows = order_->Rows();
  const int64_t batch = options_.batch_size;
  info_.num_batches = BatchesOf(*order_);
  info_.yielded_rows = options_.drop_remainder ? info_.num_batches * batch : info_.rows;
  info_.epoch_rows = order_->epoch_rows;
  info_.left_out = order_->left_out;
  position_ = 0;
  failure_ = Status::Ok();
  epoch_started_ = false;
}

Status Loader::SetEpoch(int64_t epoch) {
  if (epoch < 0) return InvalidArgument("epoch must be >= 0, got " + std::to_string(epoch));
  if (options_.rest_of_epoch >= 0 && epoch != options_.rest_of_epoch) {
    return InvalidArgument("this loader yields the rest of epoch " + std::to_string(options_.rest_of_epoch) +
                           " resumed into another world shape; for epoch " + std::to_string(epoch) +
                           " use a loader built for the new shape");
  }
  StartEpoch(epoch, BuildOrder(epoch));
  return Status::Ok();
}

Result<std::optional<Batch>> Loader::Next() { return NextBatch(nullptr, nullptr); }

Result<NextResult> Loader::Next(std::chrono::nanoseconds timeout) {
  bool timed_out = false;
  RB_ASSIGN_OR_RETURN(std::optional<Batch> batch, NextBatch(&timeout, &timed_out));
  NextResult result;
  if (batch) {
    result.kind = NextResult::Kind::kBatch;
    result.batch = std::move(batch);
  } else {
    result.kind = timed_out ? NextResult::Kind::kNotYet : NextResult::Kind::kEndOfEpoch;
  }
  return result;
}

Result<std::optional<Batch>> Loader::NextBatch(const std::chrono::nanoseconds* timeout, bool* timed_out) {
  if (!failure_.IsOk()) return failure_;
  if (position_ >= info_.num_batches) {
    StopPipeline();
    return std::optional<Batch>();
  }
  if (!pipeline_) {
    if (!pool_) pool_ = std::make_unique<ThreadPool>(options_.num_threads, "rb-read");
    if (!slot_memory_ && ShuffleOf(options_.shuffle).UsesSlotMemory()) {
      slot_memory_ = std::make_shared<LargeMemory>(static_cast<size_t>(std::max<int64_t>(memory_.num_slots, 1)) *
                                                   reader_->Layout().slot_stride);
    }
    PipelineConfig config;
    config.reader = reader_;
    config.order = order_;
    config.buffers = buffers_;
    config.slot_memory = slot_memory_;
    config.pool = pool_.get();
    config.memory = memory_;
    config.strategy = options_.shuffle;
    config.batch_size = options_.batch_size;
    config.queue_batches = options_.queue_batches;
    config.epoch = info_.epoch;
    config.start_batch = position_;
    config.num_batches = info_.num_batches;
    config.slot_seed = SlotSeed(info_.epoch);
    pipeline_ = std::make_unique<Pipeline>(std::move(config));
  }
  if (!epoch_started_) {
    epoch_started_ = true;
    first_batch_pending_ = true;
    epoch_clock_start_ = Now();
  }
  double waited = 0;
  Result<std::optional<Batch>> next =
      timeout != nullptr ? pipeline_->NextFor(*timeout, timed_out, &waited) : pipeline_->Next(&waited);
  stats_.consumer_wait_s += waited;
  if (timed_out != nullptr && *timed_out) return std::optional<Batch>();
  if (!next.IsOk()) {
    failure_ = next.status().WithContext("epoch " + std::to_string(info_.epoch) + ", batch " +
                                         std::to_string(position_));
    StopPipeline();
    return failure_;
  }
  if (!next->has_value()) {
    StopPipeline();
    failure_ = Internal("the pipeline ended after " + std::to_string(position_) + " of " +
                        std::to_string(info_.num_batches) + " batches");
    return failure_;
  }
  if (first_batch_pending_) {
    first_batch_pending_ = false;
    stats_.first_batch_s = Now() - epoch_clock_start_;
  }
  ++position_;
  ++stats_.batches;
  stats_.events += (*next)->num_rows;
  return next;
}

LoaderState Loader::State() const {
  LoaderState state;
  state.seed = options_.seed;
  state.epoch = info_.epoch;
  state.position = position_;
  state.fingerprint = Fingerprint();
  return state;
}

Status Loader::Restore(const LoaderState& state) {
  if (state.seed != options_.seed) {
    return InvalidArgument("the state was saved with seed " + std::to_string(state.seed) + ", this loader has seed " +
                           std::to_string(options_.seed));
  }
  if (state.fingerprint != Fingerprint()) {
    return InvalidArgument("the state was saved by a loader with other data or options (batch size, buffer, split, "
                           "shard or shuffle); restore it into a loader built the same way");
  }
  if (state.epoch < 0 || state.position < 0) {
    return InvalidArgument("the state has a negative epoch or position (epoch " + std::to_string(state.epoch) +
                           ", position " + std::to_string(state.position) + ")");
  }
  // Everything is checked before the loader moves: a rejected state leaves
  // the epoch in flight as it was.
  std::shared_ptr<const EpochOrder> order = BuildOrder(state.epoch);
  const int64_t batches = BatchesOf(*order);
  if (state.position > batches) {
    return InvalidArgument("position " + std::to_string(state.position) + " is past the " + std::to_string(batches) +
                           " batches of epoch " + std::to_string(state.epoch));
  }
  StartEpoch(state.epoch, std::move(order));
  position_ = state.position;
  return Status::Ok();
}

LoaderStats Loader::Stats() const {
  LoaderStats stats = stats_;
  if (pipeline_) {
    ReadStats reads = pipeline_->Reads();
    stats.bytes_read += reads.bytes_read;
    stats.bytes_decompressed += reads.bytes_decompressed;
    stats.units_read += reads.units_read;
    stats.assembler_wait_s += pipeline_->AssemblerWaitSeconds();
  }
  if (pool_) stats.worker_idle_s = pool_->IdleSeconds();
  return stats;
}

uint64_t Loader::ShapeFreeFingerprint() const {
  LoaderOptions options = options_;
  options.world_size = 1;
  options.rank = 0;
  options.num_workers = 1;
  options.worker_id = 0;
  return FingerprintOf(options);
}

uint64_t Loader::FingerprintOf(const LoaderOptions& options) const {
  uint64_t h = Mix64(0x726f6f7462617463ull);
  auto add = [&h](uint64_t value) { h = Mix64(h ^ Mix64(value)); };
  auto add_double = [&add](double value) {
    uint64_t bits;
    std::memcpy(&bits, &value, sizeof(bits));
    add(bits);
  };
  // Every option that changes the batches, as the schema marks them.
  add(OptionsFingerprint(options));
  // The inputs and what the loader derived from the data and the options.
  add(static_cast<uint64_t>(plan_.total_rows));
  add(plan_.blocks.size());
  for (const auto& block : plan_.blocks) add(static_cast<uint64_t>(block.global_begin) * 31 + static_cast<uint64_t>(block.entries.Size()));
  for (const auto& input : inputs_) {
    add_double(input.sampling_ratio);
    add(input.class_label.has_value() ? static_cast<uint64_t>(*input.class_label) : ~uint64_t{0});
  }
  add(static_cast<uint64_t>(memory_.num_slots));
  add(static_cast<uint64_t>(memory_.turn_entries));  // cuts blocks into turns: moves rows in the stream
  add(reader_->Layout().row_bytes);
  add(reader_->Layout().slot_stride);
  // The numbers "auto" standardisation found (a resumed loader must apply
  // the ones the interrupted run applied).
  for (const ColumnTransform& t : reader_->Layout().transforms) {
    add_double(t.center);
    add_double(t.scale);
  }
  return h;
}

}  // namespace rootbatch::loader
