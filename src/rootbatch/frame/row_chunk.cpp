#include "rootbatch/frame/frame_node.hpp"

#include <algorithm>

#include "rootbatch/column/gather.hpp"

namespace rootbatch::frame {

std::vector<int> MapColumns(const Dataset& dataset, size_t file) {
  const std::vector<ColumnSpec>& first = dataset.Columns();
  const std::vector<ColumnSpec>& mine = dataset.File(file).Columns();
  std::vector<int> map(first.size(), -1);
  for (size_t c = 0; c < first.size(); ++c) {
    if (file == 0) {
      map[c] = static_cast<int>(c);
      continue;
    }
    auto found = dataset.File(file).FindColumn(first[c].name);
    if (!found.IsOk()) continue;
    const ColumnSpec& s = mine[*found];
    if (s.type == first[c].type && s.kind == first[c].kind && s.inner_shape == first[c].inner_shape) {
      map[c] = static_cast<int>(*found);
    }
  }
  return map;
}

std::vector<size_t> FileColumnsRead(std::vector<const ColumnRef*> pending, std::span<const int> file_columns) {
  std::vector<const Node*> seen;
  std::vector<size_t> out;
  while (!pending.empty()) {
    const ColumnRef* ref = pending.back();
    pending.pop_back();
    if (ref->define != nullptr) {
      if (std::find(seen.begin(), seen.end(), ref->define) != seen.end()) continue;
      seen.push_back(ref->define);
      for (const ColumnRef& in : ref->define->kernel->inputs) pending.push_back(&in);
    } else if (ref->base >= 0 && static_cast<size_t>(ref->base) < file_columns.size() &&
               file_columns[static_cast<size_t>(ref->base)] >= 0) {
      out.push_back(static_cast<size_t>(file_columns[static_cast<size_t>(ref->base)]));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<uint8_t> MaskOf(Column&& column) {
  // A bool column holds bytes 0 and 1 already (decoders and the evaluator
  // normalise them): it is its own mask.
  if (column.type == DataType::kBool) return std::move(column.values);
  return MaskOf(static_cast<const Column&>(column));
}

std::vector<uint8_t> MaskOf(const Column& column) {
  std::vector<uint8_t> mask(static_cast<size_t>(column.num_entries));
  VisitDataType(column.type, [&](auto tag) {
    using T = decltype(tag);
    auto values = column.As<T>();
    for (size_t i = 0; i < mask.size(); ++i) mask[i] = values[i] != T{};
  });
  return mask;
}

RowChunk::RowChunk(const Dataset& dataset, size_t file, std::span<const int> file_columns,
                   std::vector<int64_t> entries, ReadStats* stats)
    : dataset_(dataset), file_(file), file_columns_(file_columns), entries_(std::move(entries)), stats_(stats) {}

std::span<const int64_t> RowChunk::EntryNumbers() {
  if (!have_entry_numbers_) {
    entry_numbers_.resize(entries_.size());
    const int64_t start = dataset_.FileStart(file_);
    for (size_t i = 0; i < entries_.size(); ++i) entry_numbers_[i] = start + entries_[i];
    have_entry_numbers_ = true;
  }
  return entry_numbers_;
}

RowChunk::Kept* RowChunk::Find(const ColumnRef& ref) {
  const void* key = ref.define ? static_cast<const void*>(ref.define) : &dataset_.Columns()[static_cast<size_t>(ref.base)];
  for (Kept& k : kept_) {
    if (k.key == key) return &k;
  }
  return nullptr;
}

Result<const Column*> RowChunk::Get(const ColumnRef& ref) {
  if (Kept* k = Find(ref)) return &k->column;
  Kept kept;
  kept.spec = ref.spec;
  if (ref.define == nullptr) {
    kept.key = &dataset_.Columns()[static_cast<size_t>(ref.base)];
    const ColumnSource& source = dataset_.File(file_);
    const int index = file_columns_[static_cast<size_t>(ref.base)];
    if (index < 0) {
      return NotFound("column '" + ref.spec.name + "' of the first file is missing, or of another type, in " +
                      source.Description());
    }
    if (entries_.empty()) {
      kept.column = EmptyColumn(ref.spec);
    } else {
      // One read over the span of the rows, then the rows picked out of it.
      const EntryRange span{entries_.front(), entries_.back() + 1};
      RB_ASSIGN_OR_RETURN(Column read, source.ReadColumn(static_cast<size_t>(index), span, stats_));
      if (span.Size() == static_cast<int64_t>(entries_.size())) {
        kept.column = std::move(read);
      } else {
        std::vector<int64_t> picks(entries_.size());
        for (size_t i = 0; i < picks.size(); ++i) picks[i] = entries_[i] - span.begin;
        kept.column = GatherEntries(read, ref.spec, picks);
      }
    }
  } else {
    kept.key = ref.define;
    const Kernel& kernel = *ref.define->kernel;
    std::vector<const Column*> inputs;
    inputs.reserve(kernel.inputs.size());
    for (const ColumnRef& in : kernel.inputs) {
      RB_ASSIGN_OR_RETURN(const Column* c, Get(in));
      inputs.push_back(c);
    }
    const std::span<const int64_t> numbers = kernel.reads_entry_numbers ? EntryNumbers() : std::span<const int64_t>();
    RB_ASSIGN_OR_RETURN(kept.column, kernel.eval(inputs, static_cast<int64_t>(entries_.size()), numbers));
  }
  kept_.push_back(std::move(kept));
  return &kept_.back().column;
}

void RowChunk::Keep(std::span<const uint8_t> mask, bool columns_too) {
  if (!columns_too) kept_.clear();
  // Branch-free compaction: every row is written, the cursor moves on kept ones
  // (a filter keeping about half the rows makes a branch a coin toss).
  std::vector<int64_t> picks;
  if (!kept_.empty()) picks.resize(mask.size());
  size_t out = 0;
  for (size_t i = 0; i < mask.size(); ++i) {
    entries_[out] = entries_[i];
    if (!picks.empty()) picks[out] = static_cast<int64_t>(i);
    out += mask[i] != 0;
  }
  if (out == mask.size()) return;
  entries_.resize(out);
  entry_numbers_.clear();  // rebuilt from the kept entries if asked for again
  have_entry_numbers_ = false;
  picks.resize(out);
  for (Kept& k : kept_) k.column = GatherEntries(k.column, k.spec, picks);
}

Result<Column> RowChunk::Take(const ColumnRef& ref) {
  RB_RETURN_IF_ERROR(Get(ref).status());
  Kept* k = Find(ref);
  k->key = nullptr;  // gone: a later Get computes it again
  return std::move(k->column);
}

}  // namespace rootbatch::frame
