#include "rootbatch/rntuple/ntuple_source.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>

#include "rootbatch/codec/codec.hpp"
#include "rootbatch/rntuple/page_decode.hpp"
#include "rootbatch/tfile/directory.hpp"

namespace rootbatch {
namespace {

using rntuple::ColumnRecord;
using rntuple::FieldRecord;
using rntuple::LeafPlan;
using rntuple::Level;
using rntuple::Slot;
using rntuple::StructuralRole;

// Uncompressed pages larger than this are refused as forged (ROOT's pages
// are 64 KiB to a few MiB).
constexpr uint64_t kMaxPageBytes = uint64_t{256} << 20;
// One ReadColumn call decodes at most this much per on-disk column.
constexpr int64_t kMaxReadBytes = int64_t{16} << 30;

std::optional<DataType> FieldDataType(const std::string& type) {
  static const std::map<std::string, DataType, std::less<>> kTypes = {
      {"bool", DataType::kBool},           {"char", DataType::kInt8},
      {"std::byte", DataType::kUInt8},     {"std::int8_t", DataType::kInt8},
      {"std::uint8_t", DataType::kUInt8},  {"std::int16_t", DataType::kInt16},
      {"std::uint16_t", DataType::kUInt16}, {"std::int32_t", DataType::kInt32},
      {"std::uint32_t", DataType::kUInt32}, {"std::int64_t", DataType::kInt64},
      {"std::uint64_t", DataType::kUInt64}, {"float", DataType::kFloat32},
      {"double", DataType::kFloat64},       {"Double32_t", DataType::kFloat64},
  };
  auto it = kTypes.find(type);
  if (it == kTypes.end()) return std::nullopt;
  return it->second;
}

// Converts `n` values of `from` at `src` into `to` at `dst`.
void Convert(DataType from, const uint8_t* src, int64_t n, DataType to, uint8_t* dst) {
  if (from == to || (ByteWidth(from) == 1 && ByteWidth(to) == 1 && to != DataType::kBool)) {
    std::memcpy(dst, src, static_cast<size_t>(n) * ByteWidth(from));
    return;
  }
  VisitDataType(from, [&](auto from_tag) {
    using F = decltype(from_tag);
    VisitDataType(to, [&](auto to_tag) {
      using T = decltype(to_tag);
      for (int64_t i = 0; i < n; ++i) {
        F v;
        std::memcpy(&v, src + i * sizeof(F), sizeof(F));
        T out;
        if constexpr (std::is_same_v<T, bool>) out = v != F{};
        else out = static_cast<T>(v);
        std::memcpy(dst + i * sizeof(T), &out, sizeof(T));
      }
    });
  });
}

// Walks the field tree into leaf plans.
class Planner {
 public:
  Planner(const rntuple::Schema& schema, std::vector<LeafPlan>& plans, std::vector<UnreadableColumn>& skipped)
      : schema_(schema), plans_(plans), skipped_(skipped) {
    children_.resize(schema.fields.size());
    for (uint32_t id = 0; id < schema.fields.size(); ++id) {
      if (!schema.fields[id].IsTopLevel(id)) children_[schema.fields[id].parent_id].push_back(id);
    }
    // Columns of each field grouped into slots by representation.
    std::vector<std::vector<uint32_t>> physical(schema.fields.size());
    for (uint32_t c = 0; c < schema.columns.size(); ++c) physical[schema.columns[c].field_id].push_back(c);
    for (const auto& alias : schema.aliases) physical[alias.field_id].push_back(alias.physical_id);
    slots_.resize(schema.fields.size());
    for (size_t f = 0; f < physical.size(); ++f) {
      std::map<uint16_t, std::vector<uint32_t>> by_rep;
      for (uint32_t c : physical[f]) by_rep[schema.columns[c].representation].push_back(c);
      if (by_rep.empty()) continue;
      const size_t per_rep = by_rep.begin()->second.size();
      bool uniform = true;
      for (const auto& [rep, cols] : by_rep) uniform = uniform && cols.size() == per_rep;
      if (!uniform) {
        bad_reps_.push_back(f);
        continue;
      }
      slots_[f].resize(per_rep);
      for (const auto& [rep, cols] : by_rep) {
        for (size_t k = 0; k < per_rep; ++k) slots_[f][k].alternatives.push_back(cols[k]);
      }
    }
  }

  void Run() {
    for (uint32_t id = 0; id < schema_.fields.size(); ++id) {
      if (schema_.fields[id].IsTopLevel(id)) Visit(id, schema_.fields[id].name, Context{});
    }
  }

 private:
  struct Context {
    std::vector<Level> levels;
    int64_t repeat = 1;
    std::vector<int64_t> inner_shape;
    std::string collection_type;  // the innermost collection's type, while no record lies between
  };

  void Skip(const std::string& name, const FieldRecord& f, std::string reason) {
    skipped_.push_back({name, f.type_name, std::move(reason)});
  }
  // The item of a collection goes by the collection's name, so it is listed
  // with the collection's type (std::vector<std::variant<...>>), as a user
  // sees the field.
  void SkipAsField(const std::string& name, const FieldRecord& f, const Context& ctx, std::string reason) {
    skipped_.push_back({name, ctx.collection_type.empty() ? f.type_name : ctx.collection_type, std::move(reason)});
  }

  // The first column under `id` counting its elements, with how many of
  // them one element of `id` holds.
  bool FindProbe(uint32_t id, Slot& slot, int64_t& divisor, int depth = 0) const {
    if (depth > 64) return false;
    const FieldRecord& f = schema_.fields[id];
    const int64_t n = (f.flags & 1) ? static_cast<int64_t>(std::max<uint64_t>(f.array_size, 1)) : 1;
    if (!slots_[id].empty()) {
      slot = slots_[id][0];
      divisor = n;
      return true;
    }
    for (uint32_t child : children_[id]) {
      if (FindProbe(child, slot, divisor, depth + 1)) {
        divisor *= n;
        return true;
      }
    }
    return false;
  }

  static bool StartsWith(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }

  void Visit(uint32_t id, const std::string& name, Context ctx, int depth = 0) {
    const FieldRecord& f = schema_.fields[id];
    if (depth > 64) return Skip(name, f, "fields nested more than 64 deep");
    if (std::find(bad_reps_.begin(), bad_reps_.end(), id) != bad_reps_.end()) {
      return Skip(name, f, "its column representations have different numbers of columns");
    }
    const auto role = static_cast<StructuralRole>(f.role);
    const auto& kids = children_[id];
    const auto& slots = slots_[id];
    if (role == StructuralRole::kVariant) {
      return SkipAsField(name, f, ctx, "std::variant fields (Switch columns) are not readable by rootbatch");
    }
    if (role == StructuralRole::kStreamer) {
      return SkipAsField(name, f, ctx, "streamer fields (ROOT-serialised objects) are not readable by rootbatch");
    }
    if (role != StructuralRole::kLeaf && role != StructuralRole::kCollection && role != StructuralRole::kRecord) {
      return Skip(name, f, "structural role " + std::to_string(f.role) + " is not defined by format 1.0");
    }
    if (StartsWith(f.type_name, "ROOT::RNTupleCardinality<")) {
      if (!ctx.levels.empty() || ctx.repeat != 1 || slots.size() != 1) {
        return Skip(name, f, "RNTupleCardinality inside a collection or array is not readable by rootbatch");
      }
      const bool wide = f.type_name.find("uint64") != std::string::npos;
      LeafPlan plan;
      plan.cardinality = true;
      plan.data = slots[0];
      plan.spec = {name, wide ? DataType::kUInt64 : DataType::kUInt32, ColumnKind::kScalar, {}, f.type_name, {}};
      for (uint32_t c : plan.data.alternatives) {
        if (!rntuple::IsIndexColumn(schema_.columns[c].type)) {
          return Skip(name, f, "an RNTupleCardinality field on a " + rntuple::ColumnTypeName(schema_.columns[c].type) +
                                   " column, not an index column");
        }
      }
      plans_.push_back(std::move(plan));
      return;
    }
    // A repetitive field (std::array<T, N>, std::bitset<N>): N values per element.
    if (f.flags & 1) {
      const int64_t n = static_cast<int64_t>(f.array_size);
      if (f.array_size == 0 || f.array_size > (uint64_t{1} << 31)) {
        return Skip(name, f, "array size " + std::to_string(f.array_size) + " out of range");
      }
      ctx.repeat *= n;
      ctx.inner_shape.push_back(n);
      if (ctx.repeat > (int64_t{1} << 31)) return Skip(name, f, "arrays of more than 2^31 values per item");
      if (ctx.collection_type.empty() && ctx.inner_shape.size() == 1 && ctx.levels.empty()) {
        ctx.collection_type = f.type_name;
      }
      if (!kids.empty()) {
        if (kids.size() != 1) return Skip(name, f, "an array field with " + std::to_string(kids.size()) + " item fields");
        return Visit(kids[0], name, std::move(ctx), depth + 1);
      }
      // std::bitset<N>: its own column holds N values per entry.
      return Leaf(id, name, std::move(ctx));
    }
    if (role == StructuralRole::kCollection) {
      if (ctx.repeat != 1) {
        return Skip(name, f, "collections inside std::array (" + f.type_name + ") are not readable by rootbatch");
      }
      if (ctx.levels.size() >= 2) {
        return Skip(name, f, "collections nested more than two deep (" + f.type_name +
                                 ") do not fit rootbatch's column kinds");
      }
      if (slots.size() != 1) {
        return Skip(name, f, "a collection field with " + std::to_string(slots.size()) + " columns");
      }
      if (kids.size() != 1) {
        return Skip(name, f, "a collection field with " + std::to_string(kids.size()) + " item fields");
      }
      for (uint32_t c : slots[0].alternatives) {
        if (!rntuple::IsIndexColumn(schema_.columns[c].type)) {
          return Skip(name, f, "a collection on a " + rntuple::ColumnTypeName(schema_.columns[c].type) +
                                   " column, not an index column");
        }
      }
      Level level;
      level.index = slots[0];
      FindProbe(kids[0], level.probe, level.probe_divisor);
      if (ctx.levels.empty()) ctx.collection_type = f.type_name;  // the outermost collection names the type
      ctx.levels.push_back(level);
      return Visit(kids[0], name, std::move(ctx), depth + 1);
    }
    if (role == StructuralRole::kRecord) {
      if (kids.empty()) return Skip(name, f, "an empty record holds no values");
      ctx.collection_type.clear();
      for (uint32_t child : kids) {
        Visit(child, name + "." + schema_.fields[child].name, ctx, depth + 1);
      }
      return;
    }
    // Leaf: std::atomic<T> keeps its value in an item field.
    if (slots.empty() && kids.size() == 1) {
      return Visit(kids[0], name, std::move(ctx), depth + 1);
    }
    return Leaf(id, name, std::move(ctx));
  }

  void Leaf(uint32_t id, const std::string& name, Context ctx) {
    const FieldRecord& f = schema_.fields[id];
    const auto& slots = slots_[id];
    if (slots.empty()) return Skip(name, f, "a leaf field without columns");
    if (f.type_name == "std::string" || (slots.size() == 2 && IsCharPair(slots))) {
      if (!IsCharPair(slots)) return Skip(name, f, "a std::string field without an index and a char column");
      if (!ctx.levels.empty() || ctx.repeat != 1) {
        FieldRecord outer = f;
        if (!ctx.collection_type.empty()) outer.type_name = ctx.collection_type;
        return Skip(name, outer, "strings inside collections or arrays do not fit rootbatch's column kinds "
                                 "(no lists of strings)");
      }
      LeafPlan plan;
      Level level;
      level.index = slots[0];
      level.probe = slots[1];
      plan.levels.push_back(level);
      plan.data = slots[1];
      plan.spec = {name, DataType::kChar, ColumnKind::kString, {}, f.type_name, {}};
      plans_.push_back(std::move(plan));
      return;
    }
    if (slots.size() != 1) {
      return Skip(name, f, "a leaf field of type " + f.type_name + " with " + std::to_string(slots.size()) + " columns");
    }
    std::optional<DataType> type = FieldDataType(f.type_name);
    std::string reason;
    for (uint32_t c : slots[0].alternatives) {
      auto memory = rntuple::ColumnMemoryType(schema_.columns[c]);
      if (!memory.IsOk()) return Skip(name, f, memory.status().Message());
      if (*memory == DataType::kChar && !type) type = DataType::kInt8;
      if (rntuple::IsIndexColumn(schema_.columns[c].type)) {
        return Skip(name, f, "a leaf field of type " + f.type_name + " on an index column");
      }
      if (!type) type = *memory;  // enums and other integer-like types: the column's own type
    }
    LeafPlan plan;
    plan.levels = ctx.levels;
    plan.data = slots[0];
    plan.repeat = ctx.repeat;
    ColumnKind kind = ColumnKind::kScalar;
    if (ctx.levels.size() == 1) kind = ColumnKind::kJagged;
    else if (ctx.levels.size() == 2) kind = ColumnKind::kDoublyJagged;
    else if (ctx.repeat != 1) kind = ColumnKind::kFixedArray;
    std::string source_type = f.type_name;
    if (!ctx.collection_type.empty()) {
      source_type = ctx.collection_type;
    } else {
      for (size_t i = 0; i < ctx.inner_shape.size(); ++i) source_type += "[" + std::to_string(ctx.inner_shape[i]) + "]";
      for (size_t i = 0; i < ctx.levels.size(); ++i) source_type = "std::vector<" + source_type + ">";
    }
    plan.spec = {name, *type, kind, ctx.inner_shape, source_type, {}};
    plans_.push_back(std::move(plan));
  }

  bool IsCharPair(const std::vector<Slot>& slots) const {
    if (slots.size() != 2) return false;
    for (uint32_t c : slots[0].alternatives) {
      if (!rntuple::IsIndexColumn(schema_.columns[c].type)) return false;
    }
    for (uint32_t c : slots[1].alternatives) {
      if (schema_.columns[c].type != static_cast<uint16_t>(rntuple::ColumnType::kChar)) return false;
    }
    return true;
  }

  const rntuple::Schema& schema_;
  std::vector<LeafPlan>& plans_;
  std::vector<UnreadableColumn>& skipped_;
  std::vector<std::vector<uint32_t>> children_;
  std::vector<std::vector<Slot>> slots_;
  std::vector<size_t> bad_reps_;
};

}  // namespace

Result<std::unique_ptr<NTupleSource>> NTupleSource::Open(std::shared_ptr<const RootFile> file,
                                                         const std::string& path) {
  RB_ASSIGN_OR_RETURN(const KeyHeader* key, file->FindKey(path));
  const std::string label = "RNTuple '" + path + "' in '" + file->Name() + "'";
  const ErrorContext context{label, file->Name(), path, {}};
  if (key->class_name == "ROOT::Experimental::RNTuple") {
    return Unsupported("'" + path + "' in '" + file->Name() +
                       "' is a pre-1.0 RNTuple (ROOT::Experimental::RNTuple); rootbatch reads format 1.x "
                       "(ROOT 6.34 and later)")
        .WithPath(file->Name())
        .WithObject(path);
  }
  if (key->class_name != "ROOT::RNTuple") {
    return InvalidArgument("'" + path + "' in '" + file->Name() + "' is a " + key->class_name + ", not an RNTuple")
        .WithPath(file->Name())
        .WithObject(path);
  }
  RB_ASSIGN_OR_RETURN_CTX(auto payload, file->ReadPayload(*key), context);
  RB_ASSIGN_OR_RETURN_CTX(auto anchor, rntuple::ParseAnchor(payload, key->seek_key + key->keylen), context);
  std::unique_ptr<NTupleSource> source(new NTupleSource());
  RB_ASSIGN_OR_RETURN_CTX(source->descriptor_, rntuple::ReadDescriptor(file->Source(), anchor), context);
  source->path_ = path.substr(0, path.rfind(';'));
  source->cycle_ = key->cycle;
  source->file_ = std::move(file);
  source->BuildPlans();
  return source;
}

void NTupleSource::BuildPlans() {
  Planner(descriptor_.schema, plans_, skipped_).Run();
  for (const auto& plan : plans_) specs_.push_back(plan.spec);
}

std::string NTupleSource::Description() const { return "RNTuple '" + path_ + "' in '" + file_->Name() + "'"; }

std::vector<int64_t> NTupleSource::ClusterBoundaries() const {
  std::vector<int64_t> bounds{0};
  for (const auto& c : descriptor_.clusters) {
    if (c.first_entry > bounds.back()) bounds.push_back(c.first_entry);
  }
  if (NumEntries() > bounds.back()) bounds.push_back(NumEntries());
  return bounds;
}

int64_t NTupleSource::Active(const Slot& slot, size_t cluster) const {
  const auto& columns = descriptor_.clusters[cluster].columns;
  for (uint32_t c : slot.alternatives) {
    if (c < columns.size() && columns[c].present && !columns[c].suppressed) return c;
  }
  return -1;
}

std::vector<ByteRange> NTupleSource::PageRanges(EntryRange range, std::span<const size_t> columns) const {
  std::vector<ByteRange> ranges;
  // `per_entry` > 0: a top-level slot, whose elements [e x per_entry, ...)
  // belong to entry e (and one before: an index column's previous end
  // offset); 0: every page of each cluster the range touches.
  auto add = [&](const Slot& slot, int64_t per_entry) {
    for (size_t k = 0; k < descriptor_.clusters.size(); ++k) {
      const rntuple::Cluster& cluster = descriptor_.clusters[k];
      if (cluster.first_entry >= range.end) break;
      if (cluster.first_entry + cluster.num_entries <= range.begin) continue;
      const int64_t c = Active(slot, k);
      if (c < 0) continue;
      const rntuple::ColumnPages& pages = cluster.columns[static_cast<size_t>(c)];
      int64_t element = pages.element_offset;
      for (const rntuple::PageInfo& page : pages.pages) {
        const bool needed = per_entry == 0 || (element < range.end * per_entry &&
                                               element + page.num_elements > range.begin * per_entry - 1);
        if (needed) {
          ranges.push_back({static_cast<int64_t>(page.locator.offset),
                            static_cast<int64_t>(page.locator.size + (page.has_checksum ? 8 : 0))});
        }
        element += page.num_elements;
      }
    }
  };
  for (size_t column : columns) {
    if (column >= plans_.size()) continue;
    const LeafPlan& plan = plans_[column];
    for (size_t level = 0; level < plan.levels.size(); ++level) add(plan.levels[level].index, level == 0 ? 1 : 0);
    add(plan.data, plan.levels.empty() ? (plan.cardinality ? 1 : plan.repeat) : 0);
  }
  return ranges;
}

int64_t NTupleSource::PrefetchRows(EntryRange range, std::span<const size_t> columns) const {
  if (!file_->Source().FetchesAhead()) return -1;
  const std::vector<ByteRange> ranges = PageRanges(range, columns);
  return file_->Source().Prefetch(ranges);
}

double NTupleSource::PrefetchBytesPerEntry(std::span<const size_t> columns) const {
  if (!file_->Source().FetchesAhead() || NumEntries() <= 0) return 0;
  const std::vector<ByteRange> ranges = PageRanges({0, NumEntries()}, columns);
  return static_cast<double>(CoalescedBytes(ranges, file_->Source().Size())) / static_cast<double>(NumEntries());
}

int64_t NTupleSource::Capacity(const Slot& slot) const {
  int64_t capacity = 0;
  for (size_t k = 0; k < descriptor_.clusters.size(); ++k) {
    const int64_t c = Active(slot, k);
    if (c < 0) continue;
    const auto& pages = descriptor_.clusters[k].columns[static_cast<size_t>(c)];
    capacity = std::max(capacity, pages.element_offset + pages.NumElements());
  }
  return capacity;
}

std::vector<int64_t> NTupleSource::UnitBoundaries(size_t column) const {
  const LeafPlan& plan = plans_[column];
  const Slot& slot = plan.levels.empty() ? plan.data : plan.levels[0].index;
  const int64_t per_entry = plan.levels.empty() && !plan.cardinality ? plan.repeat : 1;
  std::vector<int64_t> bounds{0};
  for (size_t k = 0; k < descriptor_.clusters.size(); ++k) {
    const int64_t c = Active(slot, k);
    if (c < 0) continue;
    const auto& pages = descriptor_.clusters[k].columns[static_cast<size_t>(c)];
    int64_t element = pages.element_offset;
    for (const auto& page : pages.pages) {
      const int64_t entry = element / per_entry;
      if (entry > bounds.back() && entry < NumEntries()) bounds.push_back(entry);
      element += page.num_elements;
    }
  }
  for (int64_t b : ClusterBoundaries()) {
    if (b > 0 && b < NumEntries()) bounds.push_back(b);
  }
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  if (NumEntries() > bounds.back()) bounds.push_back(NumEntries());
  return bounds;
}

rntuple::ColumnStorage NTupleSource::Storage(size_t column) const {
  rntuple::ColumnStorage out;
  const LeafPlan& plan = plans_[column];
  std::vector<const Slot*> slots;
  for (const Level& level : plan.levels) slots.push_back(&level.index);
  if (plan.levels.empty() || plan.data.alternatives != plan.levels.back().index.alternatives) {
    slots.push_back(&plan.data);
  }
  std::vector<uint32_t> settings;
  for (const Slot* slot : slots) {
    std::string names;
    for (uint32_t c : slot->alternatives) {
      names += (names.empty() ? "" : "/") + rntuple::ColumnTypeName(descriptor_.schema.columns[c].type);
      for (const auto& cluster : descriptor_.clusters) {
        if (c >= cluster.columns.size() || !cluster.columns[c].present || cluster.columns[c].suppressed) continue;
        const auto& pages = cluster.columns[c];
        if (std::find(settings.begin(), settings.end(), pages.compression) == settings.end()) {
          settings.push_back(pages.compression);
        }
        for (const auto& page : pages.pages) {
          ++out.pages;
          out.stored_bytes += static_cast<int64_t>(page.locator.size);
          out.uncompressed_bytes += static_cast<int64_t>(rntuple::PageBytes(descriptor_.schema.columns[c], page.num_elements));
        }
      }
    }
    out.encoding += (out.encoding.empty() ? "" : "+") + names;
  }
  for (uint32_t setting : settings) out.compression += (out.compression.empty() ? "" : ",") + std::to_string(setting);
  return out;
}

std::string NTupleSource::ColumnLabel(uint32_t column) const {
  const auto& record = descriptor_.schema.columns[column];
  const auto& field = descriptor_.schema.fields[record.field_id];
  return "column " + std::to_string(column) + " (" + rntuple::ColumnTypeName(record.type) + " of field '" +
         field.name + "')";
}

Status NTupleSource::ReadPage(uint32_t column, size_t cluster, size_t page_index, std::vector<uint8_t>& decoded,
                              ReadStats* stats) const {
  const auto& page = descriptor_.clusters[cluster].columns[column].pages[page_index];
  RB_ASSIGN_OR_RETURN(DataType memory, rntuple::ColumnMemoryType(descriptor_.schema.columns[column]));
  // Both what the page holds and what it decodes to (eight times more for
  // a Bit column) are bounded before anything is allocated.
  if (rntuple::PageBytes(descriptor_.schema.columns[column], page.num_elements) > kMaxPageBytes ||
      static_cast<uint64_t>(page.num_elements) > kMaxPageBytes / static_cast<uint64_t>(ByteWidth(memory))) {
    return Corrupt("page " + std::to_string(page_index) + " of " + ColumnLabel(column) + " in cluster " +
                   std::to_string(cluster) + " claims " + std::to_string(page.num_elements) +
                   " elements, more than rootbatch accepts in one page")
        .WithOffset(static_cast<int64_t>(page.locator.offset));
  }
  decoded.resize(static_cast<size_t>(page.num_elements) * ByteWidth(memory));
  return ReadPageInto(column, cluster, page_index, decoded, stats);
}

Status NTupleSource::ReadPageInto(uint32_t column, size_t cluster, size_t page_index, std::span<uint8_t> decoded,
                                  ReadStats* stats) const {
  const ColumnRecord& record = descriptor_.schema.columns[column];
  const auto& page = descriptor_.clusters[cluster].columns[column].pages[page_index];
  const std::string what = "page " + std::to_string(page_index) + " of " + ColumnLabel(column) + " in cluster " +
                           std::to_string(cluster);
  RB_ASSIGN_OR_RETURN(DataType memory, rntuple::ColumnMemoryType(record));
  const uint64_t bytes = rntuple::PageBytes(record, page.num_elements);
  if (bytes > kMaxPageBytes) {
    return Corrupt(what + " claims " + std::to_string(page.num_elements) + " elements (" + std::to_string(bytes) +
                   " bytes), more than rootbatch accepts in one page")
        .WithOffset(static_cast<int64_t>(page.locator.offset));
  }
  if (descriptor_.anchor.max_key_size > 0 && page.locator.size > descriptor_.anchor.max_key_size) {
    return Unsupported(what + " is stored in " + std::to_string(page.locator.size) +
                       " bytes, more than the file's maximum key size (" +
                       std::to_string(descriptor_.anchor.max_key_size) +
                       "): a blob split over several keys, which rootbatch does not read")
        .WithOffset(static_cast<int64_t>(page.locator.offset));
  }
  // One read of the stored page and its checksum; the checksum covers the
  // stored (compressed) bytes, so it is checked before they are decompressed.
  const uint64_t with_sum = page.locator.size + (page.has_checksum ? 8 : 0);
  RB_RETURN_IF_ERROR(rntuple::CheckInFile(file_->Source(), page.locator.offset, with_sum, what));
  RB_ASSIGN_OR_RETURN(std::vector<uint8_t> stored, file_->Source().Read(static_cast<int64_t>(page.locator.offset),
                                                                         static_cast<int64_t>(with_sum)));
  const std::span<const uint8_t> payload(stored.data(), static_cast<size_t>(page.locator.size));
  if (page.has_checksum) {
    const uint64_t expected = LoadLittleEndian<uint64_t>(stored.data() + page.locator.size);
    if (rntuple::Xxh3(payload) != expected) {
      return Corrupt("checksum mismatch in " + what + " at byte " + std::to_string(page.locator.offset))
          .WithOffset(static_cast<int64_t>(page.locator.offset));
    }
  }
  std::vector<uint8_t> decompressed;
  std::span<const uint8_t> raw = payload;
  if (payload.size() != bytes) {
    // The block headers must declare the page's size before it is allocated.
    if (Status declared = CheckDeclaredSize(payload, static_cast<int64_t>(bytes)); !declared.IsOk()) {
      return std::move(declared)
          .WithContext(what + " at byte " + std::to_string(page.locator.offset))
          .WithOffset(static_cast<int64_t>(page.locator.offset));
    }
    decompressed.resize(bytes);
    RB_RETURN_IF_ERROR(rntuple::DecompressBlob(payload, decompressed, what, page.locator.offset));
    raw = decompressed;
  }
  if (decoded.size() != static_cast<size_t>(page.num_elements) * static_cast<size_t>(ByteWidth(memory))) {
    return Internal("ReadPageInto: " + what + " decodes to " +
                    std::to_string(page.num_elements * ByteWidth(memory)) + " bytes, given " +
                    std::to_string(decoded.size()));
  }
  RB_RETURN_IF_ERROR_CTX(rntuple::DecodePage(record, raw, page.num_elements, decoded), what);
  if (stats) {
    stats->bytes_read += static_cast<int64_t>(page.locator.size);
    stats->bytes_decompressed += static_cast<int64_t>(bytes);
    stats->units_read += 1;
  }
  return Status::Ok();
}

Status NTupleSource::CheckPagesBeforeReading(const Slot& slot, int64_t first, int64_t count) const {
  // Every page the range touches, from the page list alone: what it claims
  // to hold must fit one page and what its stored bytes can expand to (no
  // codec expands more than kMaxCompressionRatio), so that a forged element
  // count fails here, naming the page, before the result is allocated.
  for (size_t k = 0; k < descriptor_.clusters.size(); ++k) {
    const int64_t c = Active(slot, k);
    if (c < 0) continue;
    const auto& pages = descriptor_.clusters[k].columns[static_cast<size_t>(c)];
    const ColumnRecord& record = descriptor_.schema.columns[static_cast<size_t>(c)];
    int64_t element = pages.element_offset;
    for (size_t p = 0; p < pages.pages.size() && element < first + count; ++p) {
      const auto& page = pages.pages[p];
      const int64_t n = page.num_elements;
      if (element + n > first) {
        const uint64_t bytes = rntuple::PageBytes(record, n);
        const uint64_t stored = std::max<uint64_t>(page.locator.size, 1);
        if (bytes > kMaxPageBytes || bytes > stored * static_cast<uint64_t>(kMaxCompressionRatio)) {
          return Corrupt("page " + std::to_string(p) + " of " + ColumnLabel(static_cast<uint32_t>(c)) +
                         " in cluster " + std::to_string(k) + " claims " + std::to_string(n) + " elements (" +
                         std::to_string(bytes) + " bytes) in " + std::to_string(page.locator.size) +
                         " stored bytes, more than one page holds or its bytes can expand to")
              .WithOffset(static_cast<int64_t>(page.locator.offset));
        }
      }
      element += n;
    }
  }
  return Status::Ok();
}

Result<std::vector<uint8_t>> NTupleSource::ReadElements(const Slot& slot, int64_t first, int64_t count,
                                                        DataType type, ReadStats* stats) const {
  const int64_t width = ByteWidth(type);
  if (first < 0 || count < 0) return Internal("ReadElements: negative range");
  const int64_t capacity = Capacity(slot);
  // Elements past the stored ones are a forged index (a column that never
  // got data, capacity 0, reads as zeros).
  if (count > 0 && capacity > 0 && first + count > capacity) {
    return Corrupt("elements [" + std::to_string(first) + ", " + std::to_string(first + count) + ") of " +
                   ColumnLabel(slot.alternatives.front()) + " lie past its " + std::to_string(capacity) +
                   " stored elements");
  }
  // A column with no stored elements is read only as the zeros of a
  // deferred top-level column: at most an array's worth per entry.
  if (capacity == 0 && count > (NumEntries() + 1) * int64_t{1 << 16}) {
    return Corrupt("an index asks for " + std::to_string(count) + " elements of " +
                   ColumnLabel(slot.alternatives.front()) + ", which stores none");
  }
  if (count > kMaxReadBytes / width) {
    return Unsupported("reading " + std::to_string(count) + " elements of " + ColumnLabel(slot.alternatives.front()) +
                       " at once (" + std::to_string(count * width) + " bytes) is more than rootbatch reads in one "
                       "call; read fewer entries");
  }
  RB_RETURN_IF_ERROR(CheckPagesBeforeReading(slot, first, count));
  std::vector<uint8_t> out(static_cast<size_t>(count * width), 0);
  std::vector<uint8_t> decoded;
  for (size_t k = 0; k < descriptor_.clusters.size(); ++k) {
    const int64_t c = Active(slot, k);
    if (c < 0) continue;
    const auto& pages = descriptor_.clusters[k].columns[static_cast<size_t>(c)];
    int64_t element = pages.element_offset;
    if (element >= first + count) continue;
    const auto memory = rntuple::ColumnMemoryType(descriptor_.schema.columns[static_cast<size_t>(c)]);
    if (!memory.IsOk()) return memory.status();
    for (size_t p = 0; p < pages.pages.size(); ++p) {
      const int64_t n = pages.pages[p].num_elements;
      const int64_t lo = std::max(element, first), hi = std::min(element + n, first + count);
      if (lo == element && hi == element + n && *memory == type) {
        // The whole page, in the type asked for: decode straight into the result.
        const std::span<uint8_t> into(out.data() + (lo - first) * width, static_cast<size_t>(n * width));
        RB_RETURN_IF_ERROR(ReadPageInto(static_cast<uint32_t>(c), k, p, into, stats));
      } else if (lo < hi) {
        RB_RETURN_IF_ERROR(ReadPage(static_cast<uint32_t>(c), k, p, decoded, stats));
        Convert(*memory, decoded.data() + (lo - element) * ByteWidth(*memory), hi - lo, type,
                out.data() + (lo - first) * width);
      }
      element += n;
      if (element >= first + count) break;
    }
  }
  return out;
}

Result<int64_t> NTupleSource::ClusterBase(const Level& level, size_t cluster, ReadStats* stats) const {
  // Items before `cluster`: from the probe column's element offset when it
  // has one there, else the previous cluster's base plus its last offset.
  int64_t base = 0;
  size_t k = cluster + 1;
  while (k-- > 0) {
    const int64_t probe = level.probe.Empty() ? -1 : Active(level.probe, k);
    if (probe >= 0) {
      base = descriptor_.clusters[k].columns[static_cast<size_t>(probe)].element_offset / level.probe_divisor;
      break;
    }
    if (k == 0) break;
  }
  for (size_t j = k + 1; j <= cluster; ++j) {
    const int64_t c = Active(level.index, j - 1);
    if (c < 0) continue;
    const auto& pages = descriptor_.clusters[j - 1].columns[static_cast<size_t>(c)];
    const int64_t n = pages.NumElements();
    if (n == 0) continue;
    RB_ASSIGN_OR_RETURN(auto last, ReadElements(level.index, pages.element_offset + n - 1, 1, DataType::kInt64, stats));
    int64_t v;
    std::memcpy(&v, last.data(), 8);
    base += v;
  }
  return base;
}

Result<std::vector<int64_t>> NTupleSource::ReadOffsets(const Level& level, int64_t first, int64_t count,
                                                       ReadStats* stats) const {
  const int64_t capacity = Capacity(level.index);
  if (count > 0 && first + count > std::max(capacity, NumEntries())) {
    return Corrupt("offsets ask for elements [" + std::to_string(first) + ", " + std::to_string(first + count) +
                   ") of " + ColumnLabel(level.index.alternatives.front()) + ", which stores " +
                   std::to_string(capacity));
  }
  // starts/ends of elements [first, first + count) in global item numbers;
  // -1 where no cluster holds the element (a deferred collection before it
  // began: empty, continuing from the previous element).
  std::vector<int64_t> starts(static_cast<size_t>(count), -1), ends(static_cast<size_t>(count), -1);
  for (size_t k = 0; k < descriptor_.clusters.size(); ++k) {
    const int64_t c = Active(level.index, k);
    if (c < 0) continue;
    const auto& pages = descriptor_.clusters[k].columns[static_cast<size_t>(c)];
    const int64_t off = pages.element_offset, n = pages.NumElements();
    const int64_t lo = std::max(off, first), hi = std::min(off + n, first + count);
    if (lo >= hi) continue;
    RB_ASSIGN_OR_RETURN(const int64_t base, ClusterBase(level, k, stats));
    const int64_t from = lo > off ? lo - 1 : lo;
    RB_ASSIGN_OR_RETURN(auto local, ReadElements(level.index, from, hi - from, DataType::kInt64, stats));
    auto value = [&](int64_t e) {
      int64_t v;
      std::memcpy(&v, local.data() + (e - from) * 8, 8);
      return v;
    };
    for (int64_t e = lo; e < hi; ++e) {
      const int64_t end = value(e);
      const int64_t start = e == off ? 0 : value(e - 1);
      if (end < start || end > (int64_t{1} << 50)) {
        return Corrupt("offsets of " + ColumnLabel(static_cast<uint32_t>(c)) + " in cluster " + std::to_string(k) +
                       " go from " + std::to_string(start) + " to " + std::to_string(end) + " at element " +
                       std::to_string(e));
      }
      starts[static_cast<size_t>(e - first)] = base + start;
      ends[static_cast<size_t>(e - first)] = base + end;
    }
  }
  std::vector<int64_t> out(static_cast<size_t>(count) + 1, 0);
  int64_t prev = -1;
  for (int64_t i = 0; i < count; ++i) {
    if (starts[static_cast<size_t>(i)] < 0) {  // not stored: empty
      starts[static_cast<size_t>(i)] = ends[static_cast<size_t>(i)] = prev < 0 ? 0 : prev;
    }
    if (prev >= 0 && starts[static_cast<size_t>(i)] != prev) {
      return Corrupt("items of " + ColumnLabel(level.index.alternatives.front()) + " are not contiguous at element " +
                     std::to_string(first + i) + " (previous ends at " + std::to_string(prev) + ", this starts at " +
                     std::to_string(starts[static_cast<size_t>(i)]) + ")");
    }
    if (i == 0) out[0] = starts[0];
    out[static_cast<size_t>(i) + 1] = prev = ends[static_cast<size_t>(i)];
  }
  return out;
}

Result<std::vector<int64_t>> NTupleSource::ReadCounts(const Slot& index, int64_t first, int64_t count,
                                                      ReadStats* stats) const {
  std::vector<int64_t> counts(static_cast<size_t>(count), 0);
  for (size_t k = 0; k < descriptor_.clusters.size(); ++k) {
    const int64_t c = Active(index, k);
    if (c < 0) continue;
    const auto& pages = descriptor_.clusters[k].columns[static_cast<size_t>(c)];
    const int64_t off = pages.element_offset, n = pages.NumElements();
    const int64_t lo = std::max(off, first), hi = std::min(off + n, first + count);
    if (lo >= hi) continue;
    const int64_t from = lo > off ? lo - 1 : lo;
    RB_ASSIGN_OR_RETURN(auto local, ReadElements(index, from, hi - from, DataType::kInt64, stats));
    const int64_t* v = reinterpret_cast<const int64_t*>(local.data());
    for (int64_t e = lo; e < hi; ++e) {
      const int64_t end = v[e - from];
      const int64_t start = e == off ? 0 : v[e - 1 - from];
      if (end < start) return Corrupt("offsets of " + ColumnLabel(static_cast<uint32_t>(c)) + " decrease");
      counts[static_cast<size_t>(e - first)] = end - start;
    }
  }
  return counts;
}

Result<Column> NTupleSource::ReadColumn(size_t column, EntryRange range, ReadStats* stats) const {
  if (column >= plans_.size()) {
    return InvalidArgument("column " + std::to_string(column) + " of " + std::to_string(plans_.size()) + " in " +
                           Description());
  }
  const LeafPlan& plan = plans_[column];
  const ErrorContext context{"column '" + plan.spec.name + "' of " + Description(), file_->Name(), plan.spec.name,
                             {}};
  if (range.begin < 0 || range.end < range.begin || range.end > NumEntries()) {
    return InvalidArgument("entries [" + std::to_string(range.begin) + ", " + std::to_string(range.end) +
                           ") outside the " + std::to_string(NumEntries()) + " entries of " + Description());
  }
  Column out;
  out.type = plan.spec.type;
  out.num_entries = range.Size();
  if (plan.cardinality) {
    RB_ASSIGN_OR_RETURN_CTX(auto counts, ReadCounts(plan.data, range.begin, range.Size(), stats), context);
    out.values.resize(static_cast<size_t>(range.Size()) * ByteWidth(out.type));
    Convert(DataType::kInt64, reinterpret_cast<const uint8_t*>(counts.data()), range.Size(), out.type,
            out.values.data());
    return out;
  }
  int64_t a = range.begin, b = range.end;
  std::vector<std::vector<int64_t>> offsets;
  for (const Level& level : plan.levels) {
    RB_ASSIGN_OR_RETURN_CTX(auto o, ReadOffsets(level, a, b - a, stats), context);
    a = o.front();
    b = o.back();
    for (auto& v : o) v -= a;
    offsets.push_back(std::move(o));
  }
  if ((b - a) > (int64_t{1} << 40) / plan.repeat) return Corrupt("impossible value count").WithContext(context);
  RB_ASSIGN_OR_RETURN_CTX(out.values, ReadElements(plan.data, a * plan.repeat, (b - a) * plan.repeat, out.type, stats),
                          context);
  if (!offsets.empty()) out.offsets = std::move(offsets[0]);
  if (offsets.size() > 1) out.inner_offsets = std::move(offsets[1]);
  return out;
}

Result<std::unique_ptr<ColumnSource>> OpenNTupleSource(const std::string& file_path, const std::string& path) {
  RB_ASSIGN_OR_RETURN(auto file, RootFile::Open(file_path));
  RB_ASSIGN_OR_RETURN(auto source, NTupleSource::Open(std::move(file), path));
  return std::unique_ptr<ColumnSource>(std::move(source));
}

}  // namespace rootbatch
