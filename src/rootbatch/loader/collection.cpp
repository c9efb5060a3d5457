#include "rootbatch/loader/collection.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <set>

#include "rootbatch/loader/convert.hpp"
#include "rootbatch/loader/transform.hpp"

namespace rootbatch::loader {
namespace {

std::string Quote(const std::string& name) { return "'" + name + "'"; }

// The order in which an entry's items are kept: largest key first (NaN
// last), ties in file order; the identity without a key.
void ItemOrder(const Column* key, int64_t first, int64_t items, std::vector<int64_t>* order,
               std::vector<double>* keys) {
  order->resize(static_cast<size_t>(items));
  std::iota(order->begin(), order->end(), int64_t{0});
  if (key == nullptr || items < 2) return;
  keys->resize(static_cast<size_t>(items));
  ConvertRows(key->type, key->values.data() + static_cast<size_t>(first) * static_cast<size_t>(ByteWidth(key->type)), 1,
              items, DataType::kFloat64, keys->data(), 0);
  for (double& v : *keys) v = std::isnan(v) ? -HUGE_VAL : v;
  std::stable_sort(order->begin(), order->end(), [&](int64_t a, int64_t b) {
    return (*keys)[static_cast<size_t>(a)] > (*keys)[static_cast<size_t>(b)];
  });
}

// Copies item `order[j]` of `member` (items from `first`) for j < kept to
// `out`, consecutive outputs `step` bytes apart, converting to `type`.
void GatherItems(const Column& member, int64_t first, const std::vector<int64_t>& order, int64_t kept, DataType type,
                 uint8_t* out, size_t step) {
  if (member.type == DataType::kFloat32 && type == DataType::kFloat32) {
    const auto* in = reinterpret_cast<const float*>(member.values.data()) + first;
    for (int64_t j = 0; j < kept; ++j) std::memcpy(out + static_cast<size_t>(j) * step, &in[order[static_cast<size_t>(j)]], 4);
    return;
  }
  const auto width = static_cast<size_t>(ByteWidth(member.type));
  for (int64_t j = 0; j < kept; ++j) {
    const uint8_t* in = member.values.data() + static_cast<size_t>(first + order[static_cast<size_t>(j)]) * width;
    ConvertRows(member.type, in, 1, 1, type, out + static_cast<size_t>(j) * step, 0);
  }
}

// Slots [from, to), `step` bytes apart, get the pad value's `width` bytes:
// one memset where the slots are contiguous and the value is all zero
// bytes, typed stores otherwise (a memcpy call per slot cost 12 % of a
// particle epoch, most slots being padding).
template <typename T>
void FillTyped(uint8_t* base, int64_t from, int64_t to, size_t step, const uint8_t* pad) {
  T value;
  std::memcpy(&value, pad, sizeof(T));
  for (int64_t j = from; j < to; ++j) std::memcpy(base + static_cast<size_t>(j) * step, &value, sizeof(T));
}

void FillPadding(uint8_t* base, int64_t from, int64_t to, size_t step, const uint8_t* pad, size_t width) {
  if (from >= to) return;
  const bool zero = std::all_of(pad, pad + width, [](uint8_t b) { return b == 0; });
  if (zero && step == width) {
    std::memset(base + static_cast<size_t>(from) * step, 0, static_cast<size_t>(to - from) * width);
    return;
  }
  switch (width) {
    case 1: return FillTyped<uint8_t>(base, from, to, step, pad);
    case 4: return FillTyped<uint32_t>(base, from, to, step, pad);
    case 8: return FillTyped<uint64_t>(base, from, to, step, pad);
    default:
      for (int64_t j = from; j < to; ++j) std::memcpy(base + static_cast<size_t>(j) * step, pad, width);
  }
}

const ColumnTransform* TransformOf(const RowLayout& layout, size_t route) {
  const int t = layout.routes[route].transform;
  return t < 0 ? nullptr : &layout.transforms[static_cast<size_t>(t)];
}

}  // namespace

std::string_view CollectionLayoutName(CollectionLayout layout) {
  switch (layout) {
    case CollectionLayout::kBPF: return "BPF";
    case CollectionLayout::kBFP: return "BFP";
    case CollectionLayout::kRagged: return "ragged";
  }
  return "?";
}

Status CheckCollections(const std::vector<Collection>& collections) {
  std::set<std::string> names;
  for (const auto& c : collections) {
    if (c.name.empty()) return InvalidArgument("a collection needs a name (its tensor's key in a batch)");
    if (!names.insert(c.name).second) return InvalidArgument("collection " + Quote(c.name) + " is listed twice");
    if (c.columns.empty()) return InvalidArgument("collection " + Quote(c.name) + " has no columns");
    std::set<std::string> members;
    for (const auto& m : c.columns) {
      if (!members.insert(m).second) {
        return InvalidArgument("collection " + Quote(c.name) + " lists column " + Quote(m) + " twice");
      }
    }
    if (c.layout != CollectionLayout::kRagged && c.max_length <= 0) {
      return InvalidArgument("collection " + Quote(c.name) + " in layout " + std::string(CollectionLayoutName(c.layout)) +
                             " needs max_length > 0 (items kept per entry), got " + std::to_string(c.max_length));
    }
    if (c.max_length < 0) {
      return InvalidArgument("collection " + Quote(c.name) + ": max_length must be >= 0, got " +
                             std::to_string(c.max_length));
    }
  }
  return Status::Ok();
}

Status CheckCollectionCounts(const RowLayout& layout, const CollectionPlacement& collection,
                             std::span<const Column> columns, int64_t first_entry) {
  std::vector<size_t> routes = collection.members;
  if (collection.sort_route >= 0) routes.push_back(static_cast<size_t>(collection.sort_route));
  const std::vector<int64_t>& reference = columns[routes.front()].offsets;
  for (size_t k = 1; k < routes.size(); ++k) {
    const std::vector<int64_t>& offsets = columns[routes[k]].offsets;
    if (offsets == reference) continue;
    size_t entry = 0;
    while (entry + 1 < offsets.size() &&
           offsets[entry + 1] - offsets[entry] == reference[entry + 1] - reference[entry]) {
      ++entry;
    }
    const std::string& a = layout.routes[routes.front()].name;
    const std::string& b = layout.routes[routes[k]].name;
    return InvalidArgument("collection " + Quote(collection.name) + ": columns " + Quote(a) + " and " + Quote(b) +
                           " differ in length at entry " + std::to_string(first_entry + static_cast<int64_t>(entry)) +
                           " (" + std::to_string(reference[entry + 1] - reference[entry]) + " against " +
                           std::to_string(offsets[entry + 1] - offsets[entry]) +
                           " items); the members of a collection must have the same number of items in every entry");
  }
  return Status::Ok();
}

void WritePaddedCollection(const RowLayout& layout, const CollectionPlacement& collection,
                           std::span<const Column> columns, int64_t begin, int64_t end, uint8_t* row0) {
  const int64_t length = collection.max_length;
  const auto features = static_cast<int64_t>(collection.members.size());
  const auto width = static_cast<size_t>(ByteWidth(collection.type));
  const bool bpf = collection.layout == CollectionLayout::kBPF;
  // BPF: item j, feature f at (j * F + f); BFP: at (f * P + j).
  const size_t item_step = bpf ? static_cast<size_t>(features) * width : width;
  const size_t feature_step = bpf ? width : static_cast<size_t>(length) * width;
  const Column& counts = columns[collection.members.front()];
  const Column* key = collection.sort_route >= 0 ? &columns[static_cast<size_t>(collection.sort_route)] : nullptr;
  std::vector<int64_t> order;
  std::vector<double> keys;
  // The pad value's bytes, converted once (a conversion per padded slot
  // would cost more than the copies).
  uint8_t pad[8];
  FillValue(collection.type, collection.pad_value, pad, 1);
  for (int64_t row = begin; row < end; ++row) {
    uint8_t* out = row0 + static_cast<size_t>(row) * layout.row_bytes + collection.offset;
    const int64_t first = counts.offsets[static_cast<size_t>(row)];
    const int64_t items = counts.offsets[static_cast<size_t>(row) + 1] - first;
    const int64_t kept = std::min(items, length);
    ItemOrder(key, first, items, &order, &keys);
    for (int64_t f = 0; f < features; ++f) {
      const size_t route = collection.members[static_cast<size_t>(f)];
      uint8_t* base = out + static_cast<size_t>(f) * feature_step;
      GatherItems(columns[route], first, order, kept, collection.type, base, item_step);
      if (const ColumnTransform* t = TransformOf(layout, route)) {
        // BPF: kept runs of one value, item_step apart; BFP: one run of kept.
        if (bpf) ApplyTransform(*t, collection.type, base, kept, 1, item_step);
        else ApplyTransform(*t, collection.type, base, 1, kept, 0);
      }
      FillPadding(base, kept, length, item_step, pad, width);
    }
    if (collection.mask_offset >= 0) {
      uint8_t* mask = row0 + static_cast<size_t>(row) * layout.row_bytes + static_cast<size_t>(collection.mask_offset);
      std::memset(mask, 1, static_cast<size_t>(kept));
      std::memset(mask + kept, 0, static_cast<size_t>(length - kept));
    }
  }
}

void WriteRaggedCollection(const RowLayout& layout, const CollectionPlacement& collection,
                           std::span<const Column> columns, std::vector<uint8_t>* values,
                           std::vector<int64_t>* offsets) {
  const Column& counts = columns[collection.members.front()];
  const auto rows = static_cast<int64_t>(counts.offsets.size()) - 1;
  const auto features = static_cast<int64_t>(collection.members.size());
  const auto width = static_cast<size_t>(ByteWidth(collection.type));
  offsets->assign(static_cast<size_t>(rows) + 1, 0);
  for (int64_t row = 0; row < rows; ++row) {
    int64_t items = counts.offsets[static_cast<size_t>(row) + 1] - counts.offsets[static_cast<size_t>(row)];
    if (collection.max_length > 0) items = std::min(items, collection.max_length);
    (*offsets)[static_cast<size_t>(row) + 1] = (*offsets)[static_cast<size_t>(row)] + items;
  }
  values->resize(static_cast<size_t>(offsets->back() * features) * width);
  const Column* key = collection.sort_route >= 0 ? &columns[static_cast<size_t>(collection.sort_route)] : nullptr;
  std::vector<int64_t> order;
  std::vector<double> keys;
  const size_t item_step = static_cast<size_t>(features) * width;
  for (int64_t row = 0; row < rows; ++row) {
    const int64_t first = counts.offsets[static_cast<size_t>(row)];
    const int64_t kept = (*offsets)[static_cast<size_t>(row) + 1] - (*offsets)[static_cast<size_t>(row)];
    ItemOrder(key, first, counts.offsets[static_cast<size_t>(row) + 1] - first, &order, &keys);
    uint8_t* out = values->data() + static_cast<size_t>((*offsets)[static_cast<size_t>(row)]) * item_step;
    for (int64_t f = 0; f < features; ++f) {
      const size_t route = collection.members[static_cast<size_t>(f)];
      GatherItems(columns[route], first, order, kept, collection.type, out + static_cast<size_t>(f) * width, item_step);
      if (const ColumnTransform* t = TransformOf(layout, route)) {
        ApplyTransform(*t, collection.type, out + static_cast<size_t>(f) * width, kept, 1, item_step);
      }
    }
  }
}

}  // namespace rootbatch::loader
