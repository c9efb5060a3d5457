#include "rootbatch/column/gather.hpp"

#include <cstring>

namespace rootbatch {
namespace {

bool HasOffsets(ColumnKind kind) {
  return kind == ColumnKind::kJagged || kind == ColumnKind::kString || kind == ColumnKind::kDoublyJagged;
}

}  // namespace

bool HasOffsetsOf(ColumnKind kind) { return HasOffsets(kind); }

Column EmptyColumn(const ColumnSpec& spec) {
  Column out;
  out.type = spec.type;
  if (HasOffsets(spec.kind)) out.offsets = {0};
  if (spec.kind == ColumnKind::kDoublyJagged) out.inner_offsets = {0};
  return out;
}

Column GatherEntries(const Column& column, const ColumnSpec& spec, std::span<const int64_t> picks) {
  Column out = EmptyColumn(spec);
  out.type = column.type;
  out.num_entries = static_cast<int64_t>(picks.size());
  const size_t width = static_cast<size_t>(ByteWidth(column.type));
  // Bytes of one entry (fixed kinds), one item (jagged) or one char (strings).
  const size_t unit = width * static_cast<size_t>(spec.kind == ColumnKind::kString ? 1 : spec.InnerSize());
  const uint8_t* src = column.values.data();
  switch (spec.kind) {
    case ColumnKind::kScalar:
    case ColumnKind::kFixedArray: {
      out.values.resize(picks.size() * unit);
      uint8_t* dst = out.values.data();
      if (unit == 4) {  // the common case, one word per entry: let the compiler see the size
        for (int64_t p : picks) std::memcpy(dst, src + static_cast<size_t>(p) * 4, 4), dst += 4;
      } else {
        for (int64_t p : picks) std::memcpy(dst, src + static_cast<size_t>(p) * unit, unit), dst += unit;
      }
      break;
    }
    case ColumnKind::kJagged:
    case ColumnKind::kString: {
      out.offsets.resize(picks.size() + 1);
      int64_t items = 0;
      for (size_t i = 0; i < picks.size(); ++i) {
        const size_t p = static_cast<size_t>(picks[i]);
        items += column.offsets[p + 1] - column.offsets[p];
        out.offsets[i + 1] = items;
      }
      out.values.resize(static_cast<size_t>(items) * unit);
      uint8_t* dst = out.values.data();
      for (int64_t p : picks) {
        const int64_t b = column.offsets[static_cast<size_t>(p)], e = column.offsets[static_cast<size_t>(p) + 1];
        const size_t n = static_cast<size_t>(e - b) * unit;
        if (n) std::memcpy(dst, src + static_cast<size_t>(b) * unit, n);
        dst += n;
      }
      break;
    }
    case ColumnKind::kDoublyJagged: {
      out.offsets.resize(picks.size() + 1);
      int64_t lists = 0;
      for (size_t i = 0; i < picks.size(); ++i) {
        const size_t p = static_cast<size_t>(picks[i]);
        for (int64_t l = column.offsets[p]; l < column.offsets[p + 1]; ++l) {
          out.inner_offsets.push_back(out.inner_offsets.back() + column.inner_offsets[static_cast<size_t>(l) + 1] -
                                      column.inner_offsets[static_cast<size_t>(l)]);
          const int64_t b = column.inner_offsets[static_cast<size_t>(l)];
          const size_t n = static_cast<size_t>(column.inner_offsets[static_cast<size_t>(l) + 1] - b) * unit;
          out.values.insert(out.values.end(), src + static_cast<size_t>(b) * unit, src + static_cast<size_t>(b) * unit + n);
        }
        lists += column.offsets[p + 1] - column.offsets[p];
        out.offsets[i + 1] = lists;
      }
      break;
    }
  }
  return out;
}

}  // namespace rootbatch

namespace rootbatch {

void AppendEntries(Column& into, const Column& more, const ColumnSpec& spec) {
  if (into.offsets.empty() && HasOffsetsOf(spec.kind)) into.offsets = {0};
  if (into.inner_offsets.empty() && spec.kind == ColumnKind::kDoublyJagged) into.inner_offsets = {0};
  into.type = more.type;
  into.values.insert(into.values.end(), more.values.begin(), more.values.end());
  if (HasOffsetsOf(spec.kind)) {
    const int64_t base = into.offsets.back();
    for (size_t i = 1; i < more.offsets.size(); ++i) into.offsets.push_back(base + more.offsets[i]);
  }
  if (spec.kind == ColumnKind::kDoublyJagged) {
    const int64_t base = into.inner_offsets.back();
    for (size_t i = 1; i < more.inner_offsets.size(); ++i) into.inner_offsets.push_back(base + more.inner_offsets[i]);
  }
  into.num_entries += more.num_entries;
}

}  // namespace rootbatch
