// The selection pass: every filter and range of a chain over every entry of
// the dataset, once per node, in chunks of at most one cluster.
#include <algorithm>
#include <latch>
#include <utility>

#include "rootbatch/base/thread_pool.hpp"
#include "rootbatch/frame/frame_node.hpp"

namespace rootbatch::frame {
namespace {

// Rows a chunk holds at most: bounds the memory of the columns a filter reads.
constexpr int64_t kChunkEntries = 1 << 16;

struct Chunk {
  size_t file = 0;
  EntryRange entries;
};

std::vector<Chunk> Chunks(const Dataset& dataset) {
  std::vector<Chunk> chunks;
  for (size_t f = 0; f < dataset.NumFiles(); ++f) {
    std::vector<int64_t> bounds = dataset.File(f).ClusterBoundaries();
    for (size_t i = 0; i + 1 < bounds.size(); ++i) {
      for (int64_t b = bounds[i]; b < bounds[i + 1]; b += kChunkEntries) {
        chunks.push_back({f, {b, std::min(bounds[i + 1], b + kChunkEntries)}});
      }
    }
  }
  return chunks;
}

struct ChunkResult {
  Status status;
  std::vector<int64_t> passing;  // local entries
  std::vector<CutCount> cuts;    // per filter of the chain
};

// Counts of each Range of the chain so far (ranges count rows in order).
struct RangeState {
  std::vector<int64_t> seen;
};

// The file columns the chain's filters read (through defines, down to the
// file): what a remote file fetches ahead for each chunk.
std::vector<size_t> FilterColumns(std::span<const Node* const> chain, std::span<const int> file_columns) {
  std::vector<const ColumnRef*> inputs;
  for (const Node* op : chain) {
    if (op->kind != OpKind::kFilter) continue;
    for (const ColumnRef& in : op->kernel->inputs) inputs.push_back(&in);
  }
  return FileColumnsRead(std::move(inputs), file_columns);
}

// Starts fetching a chunk's filter columns (remote files; -1: nothing).
struct ChunkFetch {
  const ColumnSource* source = nullptr;
  int64_t ticket = -1;
  ChunkFetch() = default;
  ChunkFetch(const Dataset& dataset, const Chunk& chunk, std::span<const size_t> columns)
      : source(&dataset.File(chunk.file)), ticket(source->PrefetchRows(chunk.entries, columns)) {}
  ChunkFetch(ChunkFetch&& other) noexcept : source(other.source), ticket(std::exchange(other.ticket, -1)) {}
  ChunkFetch& operator=(ChunkFetch&& other) noexcept {
    std::swap(source, other.source);
    std::swap(ticket, other.ticket);
    return *this;
  }
  ~ChunkFetch() {
    if (ticket >= 0) source->EndRows(ticket);
  }
};

void RunChunk(const Dataset& dataset, const Chunk& chunk, std::span<const int> file_columns,
              std::span<const Node* const> chain, RangeState* ranges, ChunkResult& out) {
  std::vector<int64_t> entries(static_cast<size_t>(chunk.entries.Size()));
  for (size_t i = 0; i < entries.size(); ++i) entries[i] = chunk.entries.begin + static_cast<int64_t>(i);
  RowChunk rows(dataset, chunk.file, file_columns, std::move(entries), nullptr);
  size_t range_index = 0;
  // After the last filter no column is read again: its Keep drops them.
  size_t last_filter = 0;
  for (size_t i = 0; i < chain.size(); ++i) {
    if (chain[i]->kind == OpKind::kFilter) last_filter = i;
  }
  for (size_t index = 0; index < chain.size(); ++index) {
    const Node* op = chain[index];
    if (op->kind == OpKind::kFilter) {
      CutCount& cut = out.cuts.emplace_back(CutCount{op->name, 0, static_cast<int64_t>(rows.Entries().size())});
      if (rows.Entries().empty()) continue;
      std::vector<const Column*> inputs;
      for (const ColumnRef& in : op->kernel->inputs) {
        auto c = rows.Get(in);
        if (!c.IsOk()) {
          out.status = std::move(c).status().WithContext("Filter '" + op->kernel->text + "'");
          return;
        }
        inputs.push_back(*c);
      }
      const auto numbers = op->kernel->reads_entry_numbers ? rows.EntryNumbers() : std::span<const int64_t>();
      auto value = op->kernel->eval(inputs, static_cast<int64_t>(rows.Entries().size()), numbers);
      if (!value.IsOk()) {
        out.status = std::move(value).status().WithContext("Filter '" + op->kernel->text + "'");
        return;
      }
      std::vector<uint8_t> mask = MaskOf(std::move(*value));
      cut.pass = std::count(mask.begin(), mask.end(), uint8_t{1});
      rows.Keep(mask, index < last_filter);
    } else if (op->kind == OpKind::kRange) {
      int64_t& seen = ranges->seen[range_index++];
      std::vector<uint8_t> mask(rows.Entries().size());
      for (uint8_t& m : mask) {
        const int64_t i = seen++;
        m = i >= op->range_begin && (op->range_end == 0 || i < op->range_end) &&
            (i - op->range_begin) % op->range_stride == 0;
      }
      rows.Keep(mask);
    }
  }
  out.passing = rows.Entries();
}

}  // namespace

int64_t Selection::NumRows() const {
  int64_t rows = 0;
  for (const auto& f : files) rows += f->NumRows();
  return rows;
}

int64_t Selection::ResidentBytes() const {
  int64_t bytes = 0;
  for (const auto& f : files) bytes += f->ResidentBytes();
  return bytes;
}

std::vector<const Node*> Node::Chain() const {
  std::vector<const Node*> chain;
  for (const Node* n = this; n->kind != OpKind::kSource; n = n->parent.get()) chain.push_back(n);
  std::reverse(chain.begin(), chain.end());
  return chain;
}

bool Node::HasFilters() const {
  for (const Node* n = this; n->kind != OpKind::kSource; n = n->parent.get()) {
    if (n->kind == OpKind::kFilter || n->kind == OpKind::kRange) return true;
  }
  return false;
}

Result<std::shared_ptr<const Selection>> SelectRows(const Node& node, int num_threads) {
  std::lock_guard lock(node.mutex);
  if (node.selection) return node.selection;
  const Dataset& dataset = *node.dataset;
  const std::vector<const Node*> chain = node.Chain();
  const std::vector<Chunk> chunks = Chunks(dataset);
  std::vector<std::vector<int>> file_columns(dataset.NumFiles());
  for (size_t f = 0; f < dataset.NumFiles(); ++f) file_columns[f] = MapColumns(dataset, f);

  RangeState ranges;
  for (const Node* op : chain) {
    if (op->kind == OpKind::kRange) ranges.seen.push_back(0);
  }
  std::vector<std::vector<size_t>> fetched(dataset.NumFiles());
  for (size_t f = 0; f < dataset.NumFiles(); ++f) fetched[f] = FilterColumns(chain, file_columns[f]);
  auto fetch = [&](size_t i) { return ChunkFetch(dataset, chunks[i], fetched[chunks[i].file]); };
  std::vector<ChunkResult> results(chunks.size());
  if (!ranges.seen.empty() || num_threads <= 1 || chunks.size() <= 1) {
    // One chunk fetched ahead of the one being run.
    ChunkFetch next = chunks.empty() ? ChunkFetch() : fetch(0);
    for (size_t i = 0; i < chunks.size(); ++i) {
      ChunkFetch current = std::move(next);
      if (i + 1 < chunks.size()) next = fetch(i + 1);
      RunChunk(dataset, chunks[i], file_columns[chunks[i].file], chain, &ranges, results[i]);
      if (!results[i].status.IsOk()) return results[i].status;
    }
  } else {
    // The pool is this call's own: it is joined before the call returns.
    ThreadPool pool(std::min<int>(num_threads, static_cast<int>(chunks.size())), "rb-select");
    std::latch done(static_cast<std::ptrdiff_t>(chunks.size()));
    for (size_t i = 0; i < chunks.size(); ++i) {
      pool.Submit([&, i] {
        const ChunkFetch bytes = fetch(i);
        RunChunk(dataset, chunks[i], file_columns[chunks[i].file], chain, nullptr, results[i]);
        done.count_down();
      });
    }
    done.wait();
    for (const ChunkResult& r : results) {
      if (!r.status.IsOk()) return r.status;
    }
  }

  auto selection = std::make_shared<Selection>();
  for (const Node* op : chain) {
    if (op->kind == OpKind::kFilter) selection->cuts.push_back({op->name, 0, 0});
  }
  std::vector<std::shared_ptr<RowSelection>> files(dataset.NumFiles());
  for (size_t f = 0; f < dataset.NumFiles(); ++f) files[f] = std::make_shared<RowSelection>(dataset.File(f).NumEntries());
  for (size_t i = 0; i < chunks.size(); ++i) {
    RowSelection& sel = *files[chunks[i].file];
    for (int64_t e : results[i].passing) sel.Set(e);
    for (size_t c = 0; c < results[i].cuts.size(); ++c) {
      selection->cuts[c].pass += results[i].cuts[c].pass;
      selection->cuts[c].all += results[i].cuts[c].all;
    }
    results[i] = {};
  }
  for (auto& f : files) {
    f->Seal();
    selection->files.push_back(std::move(f));
  }
  node.selection = selection;
  return node.selection;
}

}  // namespace rootbatch::frame
