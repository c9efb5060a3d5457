#include "rootbatch/frame/shuffle_snapshot.hpp"

#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <cmath>
#include <numeric>
#include <optional>

#include "rootbatch/base/xoshiro.hpp"
#include "rootbatch/column/gather.hpp"
#include "rootbatch/frame/snapshot_sink.hpp"

namespace rootbatch::frame {
namespace {

namespace fs = std::filesystem;

// A uniform integer in [0, n) from one draw, by multiply-shift (Lemire): no
// modulo bias. __extension__ keeps -Wpedantic quiet about the 128-bit type.
__extension__ typedef unsigned __int128 Uint128;
size_t UniformBelow(Xoshiro256StarStar& rng, size_t n) {
  return static_cast<size_t>((static_cast<Uint128>(rng.Next()) * n) >> 64);
}

int64_t ColumnBytes(const Column& c) {
  return static_cast<int64_t>(c.values.size() + 8 * (c.offsets.size() + c.inner_offsets.size()));
}

// A fresh directory for the bucket files, removed with everything in it
// when this goes out of scope, whatever the outcome.
class TempDir {
 public:
  static Result<TempDir> Make(const fs::path& base) {
    std::string pattern = (base / ".rootbatch-shuffle-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      return IOError("cannot create a temporary directory in '" + base.string() +
                     "' for the shuffle's buckets (set temp_dir / --temp-dir to a writable place)");
    }
    return TempDir(pattern);
  }
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempDir(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  const std::string& Path() const { return path_; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// Closes and removes the output unless Keep() is called (the shuffle finished).
class OutputGuard {
 public:
  OutputGuard(std::string path, std::unique_ptr<SnapshotSink>& sink) : path_(std::move(path)), sink_(sink) {}
  ~OutputGuard() {
    if (kept_) return;
    sink_.reset();  // the writer lets go of the file first
    std::error_code ignored;
    fs::remove(path_, ignored);
  }
  void Keep() { kept_ = true; }

 private:
  std::string path_;
  std::unique_ptr<SnapshotSink>& sink_;
  bool kept_ = false;
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// One bucket: rows gathered in memory, spilled to its file in pieces, each
// piece as (rows, then per column: values, offsets, inner offsets).
struct Bucket {
  std::string path;
  std::unique_ptr<std::FILE, FileCloser> file;
  std::vector<Column> pending;
  int64_t pending_rows = 0;
  int64_t pending_bytes = 0;
  int64_t rows = 0;
};

Status WriteAll(std::FILE* f, const void* data, size_t bytes, const std::string& path) {
  if (bytes && std::fwrite(data, 1, bytes, f) != bytes) {
    return IOError("cannot write the shuffle's bucket file '" + path + "' (disk full?)").WithPath(path);
  }
  return Status::Ok();
}

template <typename T>
Status WriteVector(std::FILE* f, const std::vector<T>& v, const std::string& path) {
  const uint64_t n = v.size();
  RB_RETURN_IF_ERROR(WriteAll(f, &n, sizeof n, path));
  return WriteAll(f, v.data(), n * sizeof(T), path);
}

template <typename T>
Status ReadVector(std::FILE* f, std::vector<T>& v, const std::string& path) {
  uint64_t n = 0;
  if (std::fread(&n, sizeof n, 1, f) != 1) return IOError("bucket file '" + path + "' ends early").WithPath(path);
  v.resize(n);
  if (n && std::fread(v.data(), sizeof(T), n, f) != n) {
    return IOError("bucket file '" + path + "' ends early").WithPath(path);
  }
  return Status::Ok();
}

Status Spill(Bucket& b, std::span<const ColumnSpec> specs, int64_t& temp_bytes) {
  if (b.pending_rows == 0) return Status::Ok();
  if (!b.file) {
    b.file.reset(std::fopen(b.path.c_str(), "wb+"));
    if (!b.file) return IOError("cannot create the shuffle's bucket file '" + b.path + "'").WithPath(b.path);
  }
  std::FILE* f = b.file.get();
  RB_RETURN_IF_ERROR(WriteAll(f, &b.pending_rows, sizeof b.pending_rows, b.path));
  for (Column& c : b.pending) {
    RB_RETURN_IF_ERROR(WriteVector(f, c.values, b.path));
    RB_RETURN_IF_ERROR(WriteVector(f, c.offsets, b.path));
    RB_RETURN_IF_ERROR(WriteVector(f, c.inner_offsets, b.path));
  }
  temp_bytes += b.pending_bytes + 8;
  for (size_t i = 0; i < b.pending.size(); ++i) b.pending[i] = EmptyColumn(specs[i]);
  b.pending_rows = 0;
  b.pending_bytes = 0;
  return Status::Ok();
}

// Every row of the bucket, in the order it was scattered.
Result<std::vector<Column>> LoadBucket(Bucket& b, std::span<const ColumnSpec> specs) {
  if (!b.file) return std::move(b.pending);
  std::vector<Column> all;
  for (const ColumnSpec& spec : specs) all.push_back(EmptyColumn(spec));
  std::FILE* f = b.file.get();
  std::rewind(f);
  for (;;) {
    int64_t rows = 0;
    if (std::fread(&rows, sizeof rows, 1, f) != 1) break;
    for (size_t i = 0; i < specs.size(); ++i) {
      Column piece;
      piece.type = specs[i].type;
      piece.num_entries = rows;
      RB_RETURN_IF_ERROR(ReadVector(f, piece.values, b.path));
      RB_RETURN_IF_ERROR(ReadVector(f, piece.offsets, b.path));
      RB_RETURN_IF_ERROR(ReadVector(f, piece.inner_offsets, b.path));
      AppendEntries(all[i], piece, specs[i]);
    }
  }
  for (size_t i = 0; i < specs.size(); ++i) AppendEntries(all[i], b.pending[i], specs[i]);
  b.file.reset();
  return all;
}

}  // namespace

Status WriteShuffled(const std::vector<std::unique_ptr<FrameSource>>& sources, std::span<const size_t> indices,
                     std::span<const ColumnSpec> specs, const std::string& tree, const std::string& path,
                     const SnapshotOptions& options) {
  if (options.memory_budget < (int64_t{4} << 20)) {
    return InvalidArgument("a shuffled Snapshot needs a memory budget of at least 4 MiB, given " +
                           std::to_string(options.memory_budget) + " bytes");
  }
  auto cancelled = [&] { return options.cancel && options.cancel->load(std::memory_order_relaxed); };
  int64_t rows = 0;
  for (const auto& s : sources) rows += s->NumEntries();

  // The bytes of a row, from the first rows: a third of the budget per bucket
  // in the gather pass, a third for all buckets' buffers in the scatter pass.
  double row_bytes = 1;
  for (const auto& s : sources) {
    if (s->NumEntries() == 0) continue;
    const EntryRange probe{0, std::min<int64_t>(s->NumEntries(), 4096)};
    int64_t bytes = 0;
    for (size_t c : indices) {
      RB_ASSIGN_OR_RETURN(Column col, s->ReadColumn(c, probe));
      bytes += ColumnBytes(col);
    }
    row_bytes = std::max(1.0, static_cast<double>(bytes) / static_cast<double>(probe.Size()));
    break;
  }
  const double share = static_cast<double>(options.memory_budget) / 3;
  const int64_t num_buckets =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(row_bytes * static_cast<double>(rows) / share)));
  const int64_t spill_bytes = static_cast<int64_t>(share / static_cast<double>(num_buckets));

  // The schema is checked (and the output created) before any work.
  RB_ASSIGN_OR_RETURN(auto sink, SnapshotSink::Create(path, tree, specs, options));
  OutputGuard output(path, sink);
  fs::path base = options.temp_dir.empty() ? fs::path(path).parent_path() : fs::path(options.temp_dir);
  if (base.empty()) base = ".";
  std::optional<TempDir> temp;
  if (num_buckets > 1) {
    RB_ASSIGN_OR_RETURN(TempDir made, TempDir::Make(base));
    temp.emplace(std::move(made));
  }

  uint64_t seed_state = options.seed ^ 0x5368756666736e70ull;  // spreads the seed over the state ("Shuffsnp")
  Xoshiro256StarStar rng({SplitMix64(seed_state), SplitMix64(seed_state), SplitMix64(seed_state),
                          SplitMix64(seed_state)});
  std::vector<Bucket> buckets(static_cast<size_t>(num_buckets));
  for (size_t k = 0; k < buckets.size(); ++k) {
    if (temp) buckets[k].path = temp->Path() + "/bucket-" + std::to_string(k);
    for (const ColumnSpec& spec : specs) buckets[k].pending.push_back(EmptyColumn(spec));
  }
  SnapshotReport report;
  report.rows = rows;
  report.buckets = num_buckets;

  // Scatter: every row to a bucket drawn at random.
  std::vector<std::vector<int64_t>> picks(buckets.size());
  for (const auto& source : sources) {
    RB_RETURN_IF_ERROR(ForEachPiece(*source, indices, kPieceRows, [&](std::vector<Column>& piece, EntryRange range) {
      if (cancelled()) return Cancelled("shuffled Snapshot to '" + path + "' interrupted");
      for (auto& p : picks) p.clear();
      for (int64_t r = 0; r < range.Size(); ++r) {
        const size_t k = UniformBelow(rng, buckets.size());
        picks[k].push_back(r);
      }
      for (size_t k = 0; k < buckets.size(); ++k) {
        if (picks[k].empty()) continue;
        Bucket& bucket = buckets[k];
        for (size_t i = 0; i < piece.size(); ++i) {
          Column part = GatherEntries(piece[i], specs[i], picks[k]);
          bucket.pending_bytes += ColumnBytes(part);
          AppendEntries(bucket.pending[i], part, specs[i]);
        }
        bucket.pending_rows += static_cast<int64_t>(picks[k].size());
        bucket.rows += static_cast<int64_t>(picks[k].size());
        if (temp && bucket.pending_bytes >= spill_bytes) RB_RETURN_IF_ERROR(Spill(bucket, specs, report.temp_bytes));
      }
      return Status::Ok();
    }));
  }
  if (temp) {
    for (Bucket& bucket : buckets) RB_RETURN_IF_ERROR(Spill(bucket, specs, report.temp_bytes));
  }

  // Gather: each bucket in turn, its rows in a random order.
  for (Bucket& bucket : buckets) {
    if (cancelled()) return Cancelled("shuffled Snapshot to '" + path + "' interrupted");
    report.largest_bucket = std::max(report.largest_bucket, bucket.rows);
    RB_ASSIGN_OR_RETURN(std::vector<Column> all, LoadBucket(bucket, specs));
    std::vector<int64_t> order(static_cast<size_t>(bucket.rows));
    std::iota(order.begin(), order.end(), int64_t{0});
    for (size_t i = order.size(); i > 1; --i) {  // Fisher-Yates
      const size_t j = UniformBelow(rng, i);
      std::swap(order[i - 1], order[j]);
    }
    for (int64_t b = 0; b < bucket.rows; b += kPieceRows) {
      const int64_t e = std::min(bucket.rows, b + kPieceRows);
      const std::span<const int64_t> slice(order.data() + b, static_cast<size_t>(e - b));
      std::vector<Column> out;
      for (size_t i = 0; i < all.size(); ++i) out.push_back(GatherEntries(all[i], specs[i], slice));
      RB_RETURN_IF_ERROR(sink->Append(out, e - b));
    }
  }
  RB_RETURN_IF_ERROR(sink->Close());
  output.Keep();
  if (options.report) *options.report = report;
  return Status::Ok();
}

}  // namespace rootbatch::frame
