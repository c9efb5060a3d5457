#include "rootbatch/column/column.hpp"

namespace rootbatch {

int64_t ColumnSpec::InnerSize() const {
  int64_t size = 1;
  for (int64_t dim : inner_shape) size *= dim;
  return size;
}

Result<size_t> ColumnSource::FindColumn(std::string_view name) const {
  const auto& columns = Columns();
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return i;
  }
  std::string known;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i == 20) {
      known += ", ... (" + std::to_string(columns.size()) + " in all)";
      break;
    }
    known += (i ? ", " : "") + columns[i].name;
  }
  return NotFound("no column '" + std::string(name) + "' in " + Description() +
                  "; it has: " + (known.empty() ? "(none)" : known));
}

}  // namespace rootbatch
