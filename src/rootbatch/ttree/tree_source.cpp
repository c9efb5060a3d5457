#include "rootbatch/ttree/tree_source.hpp"

#include <algorithm>
#include <cstring>
#include <set>

#include "rootbatch/base/suggest.hpp"
#include "rootbatch/ttree/basket.hpp"
#include "rootbatch/ttree/decode.hpp"
#include "rootbatch/ttree/tree_parser.hpp"

namespace rootbatch {
namespace {

// The trees of `file`, for an error message: the closest paths to `wanted`
// when some are close, else the list ("a;1, b;2") with their count.
std::string TreeHint(const RootFile& file, std::string_view wanted) {
  std::vector<std::string> paths;  // one per tree name, for suggestions
  std::string listed;
  size_t count = 0;
  for (const auto& entry : file.AllKeys()) {
    if (!IsTreeClass(entry.key->class_name)) continue;
    ++count;
    listed += (listed.empty() ? "" : ", ") + entry.path + ";" + std::to_string(entry.key->cycle);
    if (std::find(paths.begin(), paths.end(), entry.path) == paths.end()) paths.push_back(entry.path);
  }
  std::string rntuples;
  for (const auto& entry : file.AllKeys()) {
    if (IsRNTupleClass(entry.key->class_name)) rntuples += (rntuples.empty() ? "" : ", ") + entry.path;
  }
  if (!rntuples.empty()) rntuples = "; RNTuples: " + rntuples;
  if (count == 0) return "it has no trees" + rntuples;
  const std::string counted = " (" + std::to_string(count) + " tree" + (count > 1 ? "s" : "") + ")";
  const std::string_view name = wanted.substr(0, wanted.rfind(';'));
  // A tree in a subdirectory named without its directory ("tree" for
  // "one/tree") first, then names close to what was asked.
  std::vector<std::string> close;
  for (const auto& path : paths) {
    if (path.size() > name.size() && path.ends_with(name) && path[path.size() - name.size() - 1] == '/' &&
        close.size() < 3) {
      close.push_back(path);
    }
  }
  if (close.empty()) close = ClosestNames(name, paths);
  if (!close.empty()) return DidYouMean(close) + counted + rntuples;
  return "its trees are: " + listed + counted + rntuples;
}

}  // namespace

Result<std::unique_ptr<TreeSource>> TreeSource::Open(std::shared_ptr<const RootFile> file,
                                                     const std::string& tree_path) {
  auto key = file->FindKey(tree_path);
  if (!key.IsOk()) {
    if (key.status().Code() != StatusCode::kNotFound) return key.status();
    return NotFound("no tree '" + tree_path + "' in '" + file->Name() + "'; " + TreeHint(*file, tree_path))
        .WithPath(file->Name())
        .WithObject(tree_path);
  }
  const KeyHeader& header = **key;
  if (IsRNTupleClass(header.class_name)) {
    // Callers that take both formats open through OpenColumnSource (frame).
    return InvalidArgument("'" + tree_path + "' in '" + file->Name() + "' is an RNTuple (" + header.class_name +
                           "), not a TTree; open it as an RNTuple (NTupleSource)")
        .WithPath(file->Name())
        .WithObject(tree_path);
  }
  if (!IsTreeClass(header.class_name)) {
    return InvalidArgument("'" + tree_path + "' in '" + file->Name() + "' is a " + header.class_name +
                           ", not a TTree; " + TreeHint(*file, tree_path));
  }
  std::unique_ptr<TreeSource> source(new TreeSource());
  const ErrorContext context{"tree '" + tree_path + "' in '" + file->Name() + "'", file->Name(), tree_path, {}};
  RB_ASSIGN_OR_RETURN_CTX(auto payload, file->ReadPayload(header), context);
  RB_ASSIGN_OR_RETURN_CTX(source->model_,
                          ParseTree(payload, header.keylen, header.seek_key + header.keylen, header.class_name),
                          context);
  // Streamers are needed only to type members of split objects: a tree
  // without them opens even when the StreamerInfo record is damaged.
  auto streamers = file->StreamerInfos();
  if (!streamers.IsOk()) {
    for (const auto& branch : source->model_.branches) {
      if (branch.is_element && branch.id >= 0) return streamers.status().WithContext(context);
    }
  }
  source->interpretations_ = InterpretTree(source->model_, streamers.IsOk() ? *streamers : nullptr);
  for (const auto& in : source->interpretations_.columns) source->specs_.push_back(in.spec);
  source->path_ = tree_path.substr(0, tree_path.rfind(';'));
  source->cycle_ = header.cycle;
  source->class_name_ = header.class_name;
  source->file_ = std::move(file);
  return source;
}

std::string TreeSource::Description() const {
  return "tree '" + path_ + "' in '" + file_->Name() + "'";
}

std::vector<int64_t> TreeSource::ClusterBoundaries() const {
  const int64_t entries = model_.entries;
  std::vector<int64_t> bounds{0};
  auto push = [&](int64_t entry) {
    if (entry > bounds.back() && entry < entries) bounds.push_back(entry);
  };
  // Every cluster flushes at least one basket of each branch, so a tree has
  // no more clusters than its fullest branch has baskets; larger counts come
  // from damaged cluster sizes and would only waste memory.
  int64_t max_clusters = 1;
  for (const auto& branch : model_.branches) max_clusters = std::max(max_clusters, BasketCount(branch));
  max_clusters += static_cast<int64_t>(model_.cluster_range_end.size()) + 1;
  auto too_many = [&](int64_t from, int64_t to, int64_t step) {
    return (to - from) / step > max_clusters - static_cast<int64_t>(bounds.size());
  };
  // Explicit ranges (fClusterRangeEnd: inclusive last entry of each range),
  // then fAutoFlush: ROOT's TTree::GetClusterIterator.
  int64_t start = 0;
  bool sized = true;
  for (size_t r = 0; r < model_.cluster_range_end.size() && sized; ++r) {
    const int64_t last = model_.cluster_range_end[r];
    const int64_t size = r < model_.cluster_size.size() ? model_.cluster_size[r] : 0;
    if (size <= 0 || last < start || too_many(start, std::min(last + 1, entries), size)) {
      sized = false;
      break;
    }
    for (int64_t e = start; e <= last && e < entries; e += size) push(e);
    start = last + 1;
  }
  if (sized && model_.auto_flush > 0 && !too_many(start, entries, model_.auto_flush)) {
    for (int64_t e = start; e < entries; e += model_.auto_flush) push(e);
  } else {
    // No usable cluster size: entries where every branch starts a basket.
    bounds.assign(1, 0);
    std::set<int64_t> common;
    bool first = true;
    for (const auto& in : interpretations_.columns) {
      const BranchModel& branch = model_.branches[static_cast<size_t>(in.branch)];
      std::set<int64_t> starts;
      for (int64_t b = 0; b < BasketCount(branch); ++b) starts.insert(BasketEntries(branch, b, entries).begin);
      if (first) {
        common = std::move(starts);
        first = false;
      } else {
        std::set<int64_t> both;
        std::set_intersection(common.begin(), common.end(), starts.begin(), starts.end(),
                              std::inserter(both, both.begin()));
        common = std::move(both);
      }
    }
    for (int64_t e : common) push(e);
  }
  if (entries > 0) bounds.push_back(entries);
  return bounds;
}

std::vector<int64_t> TreeSource::UnitBoundaries(size_t column) const {
  const Interpretation& in = interpretations_.columns.at(column);
  const BranchModel& branch = model_.branches[static_cast<size_t>(in.branch)];
  std::vector<int64_t> bounds{0};
  for (int64_t b = 0; b < BasketCount(branch); ++b) {
    int64_t begin = BasketEntries(branch, b, model_.entries).begin;
    if (begin > bounds.back() && begin < model_.entries) bounds.push_back(begin);
  }
  if (model_.entries > 0) bounds.push_back(model_.entries);
  return bounds;
}

int64_t TreeSource::ColumnEntries(size_t column) const {
  const Interpretation& in = interpretations_.columns.at(column);
  return std::max(model_.entries, model_.branches[static_cast<size_t>(in.branch)].entries);
}

Result<Column> TreeSource::ReadColumn(size_t column, EntryRange range, ReadStats* stats) const {
  if (column >= interpretations_.columns.size()) {
    return InvalidArgument("column index " + std::to_string(column) + " out of range in " + Description());
  }
  const Interpretation& in = interpretations_.columns[column];
  if (range.begin < 0 || range.end > ColumnEntries(column) || range.begin > range.end) {
    return InvalidArgument("entry range [" + std::to_string(range.begin) + ", " + std::to_string(range.end) +
                           ") is outside " + Description() + " (" + std::to_string(model_.entries) +
                           " entries)");
  }
  Column out;
  out.type = in.spec.type;
  Status status = ReadBranchColumn(in, range, stats, out);
  if (!status.IsOk()) {
    return std::move(status).WithContext(ObjectContext("branch", in.spec.name))
        .WithContext(ErrorContext{Description(), file_->Name(), path_, {}});
  }
  return out;
}

std::vector<ByteRange> TreeSource::BasketRanges(EntryRange range, std::span<const size_t> columns) const {
  std::vector<int32_t> branches;
  for (size_t column : columns) {
    if (column >= interpretations_.columns.size()) continue;
    const Interpretation& in = interpretations_.columns[column];
    branches.push_back(in.branch);
    if (in.counter_branch >= 0) branches.push_back(in.counter_branch);
  }
  std::sort(branches.begin(), branches.end());
  branches.erase(std::unique(branches.begin(), branches.end()), branches.end());
  std::vector<ByteRange> ranges;
  for (int32_t index : branches) {
    const BranchModel& branch = model_.branches[static_cast<size_t>(index)];
    const int64_t on_disk = std::min<int64_t>(branch.write_basket, static_cast<int64_t>(branch.basket_seek.size()));
    for (int64_t b = FirstBasketToScan(branch, range.begin); b < on_disk; ++b) {
      const EntryRange entries = BasketEntries(branch, b, model_.entries);
      if (entries.begin >= range.end) break;
      if (entries.end <= range.begin || static_cast<size_t>(b) >= branch.basket_bytes.size()) continue;
      ranges.push_back({branch.basket_seek[static_cast<size_t>(b)], branch.basket_bytes[static_cast<size_t>(b)]});
    }
  }
  return ranges;
}

int64_t TreeSource::PrefetchRows(EntryRange range, std::span<const size_t> columns) const {
  if (!file_->Source().FetchesAhead()) return -1;
  const std::vector<ByteRange> ranges = BasketRanges(range, columns);
  return file_->Source().Prefetch(ranges);
}

double TreeSource::PrefetchBytesPerEntry(std::span<const size_t> columns) const {
  if (!file_->Source().FetchesAhead() || model_.entries <= 0) return 0;
  // Over the whole tree, coalesced as a prefetch would: the merged gaps
  // (other branches' baskets between these) count.
  const std::vector<ByteRange> ranges = BasketRanges({0, model_.entries}, columns);
  return static_cast<double>(CoalescedBytes(ranges, file_->Source().Size())) / static_cast<double>(model_.entries);
}

void TreeSource::EndRows(int64_t ticket) const { file_->Source().DropPrefetched(ticket); }

Status TreeSource::ReadBranchColumn(const Interpretation& in, EntryRange range, ReadStats* stats,
                                    Column& out) const {
  const BranchModel& branch = model_.branches[static_cast<size_t>(in.branch)];
  if (in.spec.kind == ColumnKind::kJagged || in.spec.kind == ColumnKind::kString ||
      in.spec.kind == ColumnKind::kDoublyJagged) {
    out.offsets.push_back(0);
  }
  if (in.spec.kind == ColumnKind::kDoublyJagged) out.inner_offsets.push_back(0);
  if (in.layout == EntryLayout::kFixed) {
    // The size is known: one allocation instead of one per basket. Capped,
    // since a damaged entry count must fail on the baskets, not in malloc.
    constexpr int64_t kMaxReserve = int64_t{256} << 20;
    const int64_t entry_bytes = std::max<int64_t>(in.spec.InnerSize() * ByteWidth(in.spec.type), 1);
    out.values.reserve(static_cast<size_t>(std::min(range.Size(), kMaxReserve / entry_bytes) * entry_bytes));
  }
  const int64_t baskets = BasketCount(branch);
  int64_t covered = range.begin;
  for (int64_t b = FirstBasketToScan(branch, range.begin); b < baskets && covered < range.end; ++b) {
    EntryRange entries = BasketEntries(branch, b, model_.entries);
    if (entries.end <= covered || entries.begin >= range.end) continue;
    if (entries.begin > covered) {
      return Corrupt("no basket holds entries [" + std::to_string(covered) + ", " +
                     std::to_string(entries.begin) + ")");
    }
    RB_ASSIGN_OR_RETURN(BasketData basket, ReadBasket(file_->Source(), branch, b, model_.entries, stats));
    const int64_t begin = covered - entries.begin;
    const int64_t end = std::min(range.end, entries.end) - entries.begin;
    std::vector<int64_t> counts;
    if (in.layout == EntryLayout::kCountedArray && basket.offsets.empty() && in.counter_branch >= 0) {
      // No offset table (some writers): take the sizes from the counter branch.
      for (size_t c = 0; c < interpretations_.columns.size(); ++c) {
        if (interpretations_.columns[c].branch != in.counter_branch) continue;
        Column count_column;
        count_column.type = interpretations_.columns[c].spec.type;
        RB_RETURN_IF_ERROR(ReadBranchColumn(interpretations_.columns[c],
                                            {entries.begin, entries.begin + end}, stats, count_column));
        counts.resize(static_cast<size_t>(end));
        if (!IsInteger(count_column.type)) return Corrupt("counter branch is not an integer");
        for (int64_t i = 0; i < end; ++i) {
          int64_t value = VisitDataType(count_column.type, [&](auto tag) {
            using T = decltype(tag);
            T v;
            std::memcpy(&v, count_column.values.data() + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
            return static_cast<int64_t>(v);
          });
          if (value < 0) return Corrupt("counter value " + std::to_string(value) + " is negative");
          counts[static_cast<size_t>(i)] = value;
        }
        break;
      }
    }
    Status status = DecodeBasket(in, basket, begin, end, counts, out);
    if (!status.IsOk()) {
      const bool on_disk = b < branch.write_basket;
      const std::string basket = "basket " + std::to_string(b);
      return std::move(status).WithContext(on_disk ? OffsetContext(basket, branch.basket_seek[static_cast<size_t>(b)])
                                                   : ErrorContext{basket + " (embedded)", {}, {}, {}});
    }
    covered = entries.begin + end;
  }
  if (covered < range.end) {
    return Corrupt("baskets end at entry " + std::to_string(covered) + " but entry " +
                   std::to_string(range.end - 1) + " was asked for");
  }
  return Status::Ok();
}

Result<std::unique_ptr<ColumnSource>> OpenTreeSource(const std::string& path, const std::string& tree_path) {
  RB_ASSIGN_OR_RETURN(auto file, RootFile::Open(path));
  RB_ASSIGN_OR_RETURN(auto tree, TreeSource::Open(std::move(file), tree_path));
  return std::unique_ptr<ColumnSource>(std::move(tree));
}

}  // namespace rootbatch
