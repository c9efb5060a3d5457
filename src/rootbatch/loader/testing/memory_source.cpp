#include "rootbatch/loader/testing/memory_source.hpp"

#include <algorithm>
#include <cstring>
#include <thread>

namespace rootbatch::testing {
namespace {

template <typename T>
void Append(Column& column, T value) {
  size_t at = column.values.size();
  column.values.resize(at + sizeof(T));
  std::memcpy(column.values.data() + at, &value, sizeof(T));
}

}  // namespace

float FeatureValue(int64_t event_id, int feature) {
  return static_cast<float>((event_id * (feature + 3)) % 1009) * 0.5f + static_cast<float>(feature);
}

MemorySource::MemorySource(MemorySourceOptions options) : options_(std::move(options)) {
  columns_.push_back({"event_id", DataType::kInt64, ColumnKind::kScalar, {}, "Long64_t"});
  columns_.push_back({"label", DataType::kInt32, ColumnKind::kScalar, {}, "Int_t"});
  for (int k = 0; k < options_.num_features; ++k) {
    columns_.push_back({"f" + std::to_string(k), DataType::kFloat32, ColumnKind::kScalar, {}, "Float_t"});
  }
  columns_.push_back({"d0", DataType::kFloat64, ColumnKind::kScalar, {}, "Double_t"});
  columns_.push_back({"big", DataType::kInt64, ColumnKind::kScalar, {}, "Long64_t"});
  columns_.push_back({"arr", DataType::kFloat32, ColumnKind::kFixedArray, {3}, "Float_t[3]"});
  columns_.push_back({"jet_pt", DataType::kFloat32, ColumnKind::kJagged, {}, "std::vector<float>"});
  columns_.push_back({"name", DataType::kChar, ColumnKind::kString, {}, "TString"});
  columns_.push_back({"tracks", DataType::kInt32, ColumnKind::kDoublyJagged, {}, "std::vector<std::vector<int>>"});
  columns_.push_back({"jet_eta", DataType::kFloat64, ColumnKind::kJagged, {}, "std::vector<double>"});
  columns_.push_back({"jet_tag", DataType::kInt32, ColumnKind::kJagged, {}, "std::vector<int>"});
}

std::string MemorySource::Description() const { return "tree 'events' in '" + options_.name + "'"; }

std::vector<int64_t> MemorySource::ClusterBoundaries() const {
  std::vector<int64_t> bounds;
  int64_t step = options_.cluster_size > 0 ? options_.cluster_size : options_.num_entries;
  for (int64_t e = 0; e < options_.num_entries; e += std::max<int64_t>(step, 1)) bounds.push_back(e);
  bounds.push_back(options_.num_entries);
  return bounds;
}

int64_t MemorySource::BasketSize(size_t column) const {
  auto it = options_.basket_size_of.find(columns_[column].name);
  return it != options_.basket_size_of.end() ? it->second : options_.basket_size;
}

// Baskets restart at every cluster boundary, as ROOT flushes them there.
std::vector<int64_t> MemorySource::UnitBoundaries(size_t column) const {
  std::vector<int64_t> clusters = ClusterBoundaries();
  int64_t basket = std::max<int64_t>(BasketSize(column), 1);
  std::vector<int64_t> bounds;
  for (size_t c = 0; c + 1 < clusters.size(); ++c) {
    for (int64_t e = clusters[c]; e < clusters[c + 1]; e += basket) bounds.push_back(e);
  }
  bounds.push_back(options_.num_entries);
  return bounds;
}

Result<Column> MemorySource::ReadColumn(size_t column, EntryRange range, ReadStats* stats) const {
  if (column >= columns_.size()) return InvalidArgument("no column " + std::to_string(column));
  if (range.begin < 0 || range.end > options_.num_entries || range.begin > range.end) {
    return InvalidArgument("entries [" + std::to_string(range.begin) + ", " + std::to_string(range.end) +
                           ") outside " + Description());
  }
  reads_.fetch_add(1);
  if (options_.read_delay.count() > 0) std::this_thread::sleep_for(options_.read_delay);
  const ColumnSpec& spec = columns_[column];
  if (options_.fail_entry >= range.begin && options_.fail_entry < range.end &&
      spec.name == options_.fail_column) {
    return IOError("injected failure at entry " + std::to_string(options_.fail_entry))
        .WithContext("branch '" + spec.name + "'")
        .WithContext(Description());
  }
  // Count the baskets this range overlaps, as a real reader would read them.
  std::vector<int64_t> units = UnitBoundaries(column);
  int64_t touched = 0;
  for (size_t u = 0; u + 1 < units.size(); ++u) {
    if (units[u] < range.end && units[u + 1] > range.begin) ++touched;
  }
  baskets_.fetch_add(touched);

  Column out;
  out.type = spec.type;
  out.num_entries = range.Size();
  const std::string& name = spec.name;
  const int64_t first = options_.first_event_id + range.begin;
  const int64_t count = range.Size();
  auto fill = [&](auto tag, int per_entry, auto value) {
    using T = decltype(tag);
    out.values.resize(static_cast<size_t>(count * per_entry) * sizeof(T));
    T* dst = reinterpret_cast<T*>(out.values.data());
    for (int64_t i = 0; i < count; ++i) {
      for (int j = 0; j < per_entry; ++j) dst[i * per_entry + j] = value(first + i, j);
    }
  };
  if (name == "event_id") {
    fill(int64_t{}, 1, [](int64_t id, int) { return id; });
  } else if (name == "label") {
    fill(int32_t{}, 1, [](int64_t id, int) { return static_cast<int32_t>(id % 2); });
  } else if (name == "d0") {
    fill(double{}, 1, [](int64_t id, int) { return static_cast<double>(id) + 0.1234567891234; });
  } else if (name == "big") {
    fill(int64_t{}, 1, [](int64_t id, int) { return id + (int64_t{1} << 53) + 1; });
  } else if (name == "arr") {
    fill(float{}, 3, [](int64_t id, int j) { return static_cast<float>(3 * id + j); });
  } else if (name == "jet_pt" || name == "name") {
    out.offsets.push_back(0);
    for (int64_t id = first; id < first + count; ++id) {
      if (name == "jet_pt") {
        int64_t n = id % 5;
        for (int64_t j = 0; j < n; ++j) {
          Append<float>(out, static_cast<float>(id) + 0.25f * static_cast<float>(j));
        }
        out.offsets.push_back(out.offsets.back() + n);
      } else {
        std::string text = "e" + std::to_string(id);
        out.values.insert(out.values.end(), text.begin(), text.end());
        out.offsets.push_back(out.offsets.back() + static_cast<int64_t>(text.size()));
      }
    }
  } else if (name == "jet_eta" || name == "jet_tag") {
    // jet_pt's counts (jet_tag: one item more at event ids 7 mod 1000, for
    // the count checks of collections), values by JetEtaValue / the item index.
    out.offsets.push_back(0);
    for (int64_t id = first; id < first + count; ++id) {
      const int64_t n = id % 5 + (name == "jet_tag" && id % 1000 == 7 ? 1 : 0);
      for (int64_t j = 0; j < n; ++j) {
        if (name == "jet_eta") Append<double>(out, JetEtaValue(id, j));
        else Append<int32_t>(out, static_cast<int32_t>(j));
      }
      out.offsets.push_back(out.offsets.back() + n);
    }
  } else if (name == "tracks") {
    out.offsets.push_back(0);
    out.inner_offsets.push_back(0);
    for (int64_t id = first; id < first + count; ++id) {
      const int64_t lists = id % 4;
      for (int64_t i = 0; i < lists; ++i) {
        const int64_t items = (id + i) % 3;
        for (int64_t j = 0; j < items; ++j) Append<int32_t>(out, TracksValue(id, i, j));
        out.inner_offsets.push_back(out.inner_offsets.back() + items);
      }
      out.offsets.push_back(out.offsets.back() + lists);
    }
  } else {  // f<k>
    int feature = std::stoi(name.substr(1));
    fill(float{}, 1, [feature](int64_t id, int) { return FeatureValue(id, feature); });
  }
  if (stats != nullptr) {
    stats->units_read += touched;
    stats->bytes_decompressed += static_cast<int64_t>(out.values.size());
    stats->bytes_read += static_cast<int64_t>(out.values.size()) / 2;
  }
  return out;
}

}  // namespace rootbatch::testing
