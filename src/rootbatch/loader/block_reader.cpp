#include "rootbatch/loader/block_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "rootbatch/loader/collection.hpp"
#include "rootbatch/loader/convert.hpp"
#include "rootbatch/loader/reweight.hpp"
#include "rootbatch/loader/transform.hpp"

namespace rootbatch::loader {

size_t StagedBlock::Bytes() const {
  size_t bytes = fixed_bytes;
  for (const auto& r : ragged) bytes += r.values.size() + r.offsets.size() * sizeof(int64_t);
  return bytes;
}

BlockReader::BlockReader(std::vector<LoaderInput> inputs, RowLayout layout,
                         std::vector<std::vector<std::vector<size_t>>> indices)
    : inputs_(std::move(inputs)), layout_(std::move(layout)), indices_(std::move(indices)) {}

std::unique_ptr<StagedBlock> BlockReader::Allocate(const Segment& segment,
                                                   std::unique_ptr<StagedBlock> recycled) const {
  auto block = recycled ? std::move(recycled) : std::make_unique<StagedBlock>();
  block->rows = segment.entries.Size();
  block->fixed_bytes = static_cast<size_t>(block->rows) * layout_.row_bytes;
  if (block->fixed_capacity < block->fixed_bytes) {
    block->fixed.reset(new uint8_t[block->fixed_bytes]);
    block->fixed_capacity = block->fixed_bytes;
  }
  block->ragged.resize(layout_.ragged.size());
  return block;
}

void BlockReader::WriteRowIds(const Segment& segment, int64_t begin, int64_t end, StagedBlock* block) const {
  uint8_t* fixed = block->fixed.get();
  const size_t entry_offset = layout_.parts[static_cast<size_t>(layout_.entries_part)].offset;
  for (int64_t r = begin; r < end; ++r) {
    const int64_t entry = segment.global_begin + r;
    std::memcpy(fixed + static_cast<size_t>(r) * layout_.row_bytes + entry_offset, &entry, sizeof(entry));
  }
  if (layout_.class_label_offset >= 0) {
    const RowPart& targets = layout_.parts[static_cast<size_t>(layout_.targets_part)];
    const double label = static_cast<double>(*inputs_[static_cast<size_t>(segment.input)].class_label);
    uint8_t value[8];
    FillValue(targets.type, label, value, 1);
    const auto width = static_cast<size_t>(ByteWidth(targets.type));
    for (int64_t r = begin; r < end; ++r) {
      std::memcpy(fixed + static_cast<size_t>(r) * layout_.row_bytes + static_cast<size_t>(layout_.class_label_offset),
                  value, width);
    }
  }
}

Result<Column> BlockReader::ReadColumn(const Segment& segment, size_t route, ReadStats* stats) const {
  const ColumnSource& source = Source(segment);
  size_t column = indices_[static_cast<size_t>(segment.input)][static_cast<size_t>(segment.file)][route];
  const ColumnRoute& r = layout_.routes[route];
  auto context = [&] {
    return "column '" + r.name + "', entries [" + std::to_string(segment.entries.begin) + ", " +
           std::to_string(segment.entries.end) + ") of " + source.Description();
  };
  RB_ASSIGN_OR_RETURN_CTX(Column values, source.ReadColumn(column, segment.entries, stats), context());
  // Check the reader kept the contract before trusting sizes.
  const int64_t rows = segment.entries.Size();
  const bool jagged = r.spec.kind == ColumnKind::kJagged || r.spec.kind == ColumnKind::kDoublyJagged;
  int64_t expected_values = rows * r.inner;
  if (jagged) {
    if (values.offsets.size() != static_cast<size_t>(rows) + 1 || values.offsets.front() != 0) {
      return Status(Internal("the reader returned " + std::to_string(values.offsets.size()) +
                             " offsets for " + std::to_string(rows) + " entries"))
          .WithContext(context());
    }
    expected_values = values.offsets.back() * r.inner;
  }
  if (r.spec.kind == ColumnKind::kDoublyJagged) {
    const auto lists = static_cast<size_t>(values.offsets.back());
    if (values.inner_offsets.size() != lists + 1 || values.inner_offsets.front() != 0) {
      return Status(Internal("the reader returned " + std::to_string(values.inner_offsets.size()) +
                             " inner offsets for " + std::to_string(lists) + " lists"))
          .WithContext(context());
    }
    expected_values = values.inner_offsets.back() * r.inner;
  }
  if (values.num_entries != rows || values.type != r.spec.type || values.NumValues() != expected_values) {
    return Status(Internal("the reader returned " + std::to_string(values.num_entries) + " entries and " +
                           std::to_string(values.NumValues()) + " values of " +
                           std::string(DataTypeName(values.type)) + ", expected " + std::to_string(rows) +
                           " entries and " + std::to_string(expected_values) + " values of " +
                           std::string(DataTypeName(r.spec.type))))
        .WithContext(context());
  }
  return values;
}

int64_t BlockReader::StartFetch(const Segment& segment) const {
  return Source(segment).PrefetchRows(segment.entries, ColumnsOf(segment));
}

double BlockReader::FetchBytesPerRow() const {
  double most = 0;
  for (size_t input = 0; input < inputs_.size(); ++input) {
    const Dataset& dataset = *inputs_[input].dataset;
    for (size_t file = 0; file < dataset.NumFiles(); ++file) {
      most = std::max(most, dataset.File(file).PrefetchBytesPerEntry(indices_[input][file]));
    }
  }
  return most;
}

void BlockReader::EndFetch(const Segment& segment, int64_t ticket) const {
  if (ticket >= 0) Source(segment).EndRows(ticket);
}

Status BlockReader::ReadBlock(const Segment& segment, StagedBlock* block, ReadStats* stats,
                              const std::atomic<bool>* cancelled) const {
  std::vector<Column> columns(layout_.routes.size());
  for (size_t route = 0; route < columns.size(); ++route) {
    if (cancelled != nullptr && cancelled->load(std::memory_order_relaxed)) return Cancelled("read cancelled");
    RB_ASSIGN_OR_RETURN(columns[route], ReadColumn(segment, route, stats));
    RB_RETURN_IF_ERROR(CheckExact(segment, route, columns[route]));
  }
  // Runs of float32 -> float32 scalar columns at consecutive offsets (float
  // features, the common case) are transposed together; the rest is
  // converted column by column.
  std::vector<std::pair<size_t, size_t>> runs;  // [first route, end route)
  for (size_t route = 0; route < columns.size(); ++route) {
    const ColumnRoute& r = layout_.routes[route];
    const bool plain = r.kind == ColumnRoute::Kind::kFixed && r.inner == 1 && r.spec.type == DataType::kFloat32 &&
                       r.out_type == DataType::kFloat32;
    if (!plain) continue;
    if (!runs.empty() && runs.back().second == route &&
        layout_.routes[route - 1].offset + sizeof(float) == r.offset) {
      ++runs.back().second;
    } else {
      runs.emplace_back(route, route + 1);
    }
  }
  std::vector<char> in_run(columns.size(), 0);
  for (const auto& [first, last] : runs) {
    if (last - first < 2) continue;
    for (size_t route = first; route < last; ++route) in_run[route] = 1;
  }
  for (const CollectionPlacement& collection : layout_.collections) {
    RB_RETURN_IF_ERROR(CheckCollectionCounts(layout_, collection, columns, segment.entries.begin)
                           .WithContext(Source(segment).Description()));
  }
  std::vector<const float*> pointers;
  constexpr int64_t kTile = 256;
  for (int64_t begin = 0; begin < block->rows; begin += kTile) {
    const int64_t end = std::min(block->rows, begin + kTile);
    WriteRowIds(segment, begin, end, block);
    for (const auto& [first, last] : runs) {
      if (last - first < 2) continue;
      pointers.clear();
      for (size_t route = first; route < last; ++route) {
        pointers.push_back(reinterpret_cast<const float*>(columns[route].values.data()) + begin);
      }
      TransposeFloat32(pointers.data(), static_cast<int>(pointers.size()), end - begin,
                       block->fixed.get() + static_cast<size_t>(begin) * layout_.row_bytes + layout_.routes[first].offset,
                       layout_.row_bytes);
    }
    for (size_t route = 0; route < columns.size(); ++route) {
      const ColumnRoute& r = layout_.routes[route];
      if (r.kind != ColumnRoute::Kind::kRagged && in_run[route] == 0) Convert(route, columns[route], begin, end, block);
      if (r.kind == ColumnRoute::Kind::kFixed && r.transform >= 0) {
        ApplyTransform(layout_.transforms[static_cast<size_t>(r.transform)], r.out_type,
                       block->fixed.get() + static_cast<size_t>(begin) * layout_.row_bytes + r.offset, end - begin,
                       r.inner, layout_.row_bytes);
      }
    }
    for (const CollectionPlacement& collection : layout_.collections) {
      if (collection.layout != CollectionLayout::kRagged) {
        WritePaddedCollection(layout_, collection, columns, begin, end, block->fixed.get());
      }
    }
    if (layout_.reweight.write_weights) RB_RETURN_IF_ERROR(WriteWeights(segment, columns, begin, end, block));
    if (layout_.class_index_offset >= 0) RB_RETURN_IF_ERROR(WriteClassIndex(segment, columns, begin, end, block));
  }
  for (size_t route = 0; route < columns.size(); ++route) {
    if (layout_.routes[route].kind == ColumnRoute::Kind::kRagged) Convert(route, columns[route], 0, block->rows, block);
  }
  for (const CollectionPlacement& collection : layout_.collections) {
    if (collection.layout != CollectionLayout::kRagged) continue;
    StagedBlock::Ragged& out = block->ragged[static_cast<size_t>(collection.ragged_index)];
    WriteRaggedCollection(layout_, collection, columns, &out.values, &out.offsets);
  }
  return Status::Ok();
}

Status BlockReader::WriteWeights(const Segment& segment, std::span<const Column> columns, int64_t begin, int64_t end,
                                 StagedBlock* block) const {
  const ReweightTable& table = *layout_.reweight.table;
  std::vector<int64_t> classes;
  std::vector<int64_t> bins;
  RB_RETURN_IF_ERROR(ClassesAndBins(layout_, table, columns, begin, end, segment.entries.begin, &classes, &bins)
                         .WithContext(Source(segment).Description()));
  const RowPart& part = layout_.parts[static_cast<size_t>(layout_.weights_part)];
  for (int64_t row = begin; row < end; ++row) {
    const auto k = static_cast<size_t>(row - begin);
    const double weight = table.weights[static_cast<size_t>(classes[k] * table.num_bins + bins[k])];
    FillValue(part.type, weight, block->fixed.get() + static_cast<size_t>(row) * layout_.row_bytes + part.offset, 1);
  }
  return Status::Ok();
}

Status BlockReader::WriteClassIndex(const Segment& segment, std::span<const Column> columns, int64_t begin,
                                    int64_t end, StagedBlock* block) const {
  const RowPart& targets = layout_.parts[static_cast<size_t>(layout_.targets_part)];
  for (int64_t row = begin; row < end; ++row) {
    int64_t index = 0;
    RB_RETURN_IF_ERROR(OneHotClass(layout_, layout_.onehot_routes, columns, row, segment.entries.begin, &index)
                           .WithContext(Source(segment).Description()));
    FillValue(targets.type, static_cast<double>(index),
              block->fixed.get() + static_cast<size_t>(row) * layout_.row_bytes +
                  static_cast<size_t>(layout_.class_index_offset),
              1);
  }
  return Status::Ok();
}

Status BlockReader::CheckExact(const Segment& segment, size_t route, const Column& values) const {
  const ColumnRoute& r = layout_.routes[route];
  if (!r.check_exact) return Status::Ok();
  const int64_t bad = FirstInexact(r.spec.type, values.values.data(), values.NumValues(), r.out_type);
  if (bad < 0) return Status::Ok();
  int64_t entry = bad / r.inner;  // the value's entry within the segment
  auto container = [](const std::vector<int64_t>& offsets, int64_t index) {  // which list holds item `index`
    return std::upper_bound(offsets.begin(), offsets.end(), index) - offsets.begin() - 1;
  };
  if (r.spec.kind == ColumnKind::kJagged) entry = container(values.offsets, bad / r.inner);
  if (r.spec.kind == ColumnKind::kDoublyJagged) {
    entry = container(values.offsets, container(values.inner_offsets, bad / r.inner));
  }
  // Print the value and what it would become, both exactly.
  std::string value;
  std::string rounded;
  const uint8_t* at = values.values.data() + static_cast<size_t>(bad) * static_cast<size_t>(ByteWidth(r.spec.type));
  auto show = [&](auto v) {
    value = std::to_string(v);
    char text[48];
    if (r.out_type == DataType::kFloat32) {
      std::snprintf(text, sizeof(text), "%.0f", static_cast<double>(static_cast<float>(v)));
    } else {
      std::snprintf(text, sizeof(text), "%.0Lf", static_cast<long double>(static_cast<double>(v)));
    }
    rounded = text;
  };
  switch (r.spec.type) {
    case DataType::kInt32: { int32_t v; std::memcpy(&v, at, 4); show(v); break; }
    case DataType::kUInt32: { uint32_t v; std::memcpy(&v, at, 4); show(v); break; }
    case DataType::kInt64: { int64_t v; std::memcpy(&v, at, 8); show(v); break; }
    case DataType::kUInt64: { uint64_t v; std::memcpy(&v, at, 8); show(v); break; }
    default: break;
  }
  const std::string type(DataTypeName(r.out_type));
  return InvalidArgument("column '" + r.name + "' (" + r.spec.source_type + ") has the value " + value + " at entry " +
                         std::to_string(segment.entries.begin + entry) + ", which " + type +
                         " cannot hold exactly (it would become " + rounded + "); choose an output type that holds it (" +
                         (r.out_type == DataType::kFloat32 ? "feature_type float64 or int64" : "feature_type int64") +
                         "), leave the column out, or accept the rounding by listing it in lossy_features")
      .WithContext(Source(segment).Description());
}

// [L, L_inner] per row from a doubly jagged column: list i of the row, its
// first L_inner items, padded; lists beyond the row's are all padding.
void BlockReader::ConvertListsOfLists(const ColumnRoute& r, const Column& values, int64_t begin, int64_t end,
                                      StagedBlock* block) const {
  const size_t width_in = static_cast<size_t>(ByteWidth(r.spec.type));
  const size_t width_out = static_cast<size_t>(ByteWidth(r.out_type));
  const int64_t list_values = r.max_inner_length * r.inner;  // values per padded list
  for (int64_t row = begin; row < end; ++row) {
    const auto at = static_cast<size_t>(row);
    uint8_t* dst = block->fixed.get() + at * layout_.row_bytes + r.offset;
    uint8_t* mask = r.mask_offset >= 0
                        ? block->fixed.get() + at * layout_.row_bytes + static_cast<size_t>(r.mask_offset)
                        : nullptr;
    const int64_t first_list = values.offsets[at];
    const int64_t lists = values.offsets[at + 1] - first_list;
    for (int64_t i = 0; i < r.max_length; ++i) {
      uint8_t* out = dst + static_cast<size_t>(i * list_values) * width_out;
      int64_t kept = 0;
      if (i < lists) {
        const auto list = static_cast<size_t>(first_list + i);
        kept = std::min(values.inner_offsets[list + 1] - values.inner_offsets[list], r.max_inner_length);
        const uint8_t* src = values.values.data() + static_cast<size_t>(values.inner_offsets[list] * r.inner) * width_in;
        ConvertRows(r.spec.type, src, 1, kept * r.inner, r.out_type, out, 0);
      }
      FillValue(r.out_type, r.pad_value, out + static_cast<size_t>(kept * r.inner) * width_out,
                list_values - kept * r.inner);
      if (mask != nullptr) {
        for (int64_t j = 0; j < r.max_inner_length; ++j) mask[i * r.max_inner_length + j] = j < kept ? 1 : 0;
      }
    }
  }
}

void BlockReader::Convert(size_t route, const Column& values, int64_t begin, int64_t end, StagedBlock* block) const {
  const ColumnRoute& r = layout_.routes[route];
  const size_t width_in = static_cast<size_t>(ByteWidth(r.spec.type));
  const size_t width_out = static_cast<size_t>(ByteWidth(r.out_type));
  uint8_t* fixed = block->fixed.get();
  switch (r.kind) {
    case ColumnRoute::Kind::kFixed:
      ConvertRows(r.spec.type, values.values.data() + static_cast<size_t>(begin * r.inner) * width_in, end - begin,
                  r.inner, r.out_type, fixed + static_cast<size_t>(begin) * layout_.row_bytes + r.offset,
                  layout_.row_bytes);
      break;
    case ColumnRoute::Kind::kPadded: {
      if (r.max_inner_length > 0) {
        ConvertListsOfLists(r, values, begin, end, block);
        break;
      }
      const int64_t capacity = r.max_length * r.inner;
      for (int64_t row = begin; row < end; ++row) {
        const auto at = static_cast<size_t>(row);
        const int64_t items = values.offsets[at + 1] - values.offsets[at];
        const int64_t kept = std::min(items, r.max_length);
        uint8_t* dst = fixed + at * layout_.row_bytes + r.offset;
        const uint8_t* src = values.values.data() + static_cast<size_t>(values.offsets[at] * r.inner) * width_in;
        ConvertRows(r.spec.type, src, 1, kept * r.inner, r.out_type, dst, 0);
        if (r.transform >= 0) {
          ApplyTransform(layout_.transforms[static_cast<size_t>(r.transform)], r.out_type, dst, 1, kept * r.inner, 0);
        }
        FillValue(r.out_type, r.pad_value, dst + static_cast<size_t>(kept * r.inner) * width_out,
                  capacity - kept * r.inner);
        if (r.mask_offset >= 0) {
          uint8_t* mask = fixed + at * layout_.row_bytes + static_cast<size_t>(r.mask_offset);
          for (int64_t j = 0; j < r.max_length; ++j) mask[j] = j < kept ? 1 : 0;
        }
      }
      break;
    }
    case ColumnRoute::Kind::kRagged: {
      StagedBlock::Ragged& out = block->ragged[static_cast<size_t>(r.ragged_index)];
      const int64_t count = values.offsets.back() * r.inner;
      out.values.resize(static_cast<size_t>(count) * width_out);
      ConvertRows(r.spec.type, values.values.data(), 1, count, r.out_type, out.values.data(), 0);
      if (r.transform >= 0) {
        ApplyTransform(layout_.transforms[static_cast<size_t>(r.transform)], r.out_type, out.values.data(), 1, count, 0);
      }
      out.offsets = values.offsets;
      break;
    }
    case ColumnRoute::Kind::kMember:
      break;  // written with its collection (WritePaddedCollection, WriteRaggedCollection)
    case ColumnRoute::Kind::kInput:
      break;  // read for the reweighting only
  }
}

}  // namespace rootbatch::loader
