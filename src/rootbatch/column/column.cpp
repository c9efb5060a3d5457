#include "rootbatch/column/column.hpp"

#include "rootbatch/base/suggest.hpp"

namespace rootbatch {
namespace {

// True when `path` is `name` or ends in "/" + name.
bool EndsWithComponents(std::string_view path, std::string_view name) {
  if (path.size() <= name.size() || name.empty()) return false;
  return path.substr(path.size() - name.size()) == name && path[path.size() - name.size() - 1] == '/';
}

std::string_view LastComponent(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

Status UnreadableError(const UnreadableColumn& column, std::string_view asked, const std::string& where) {
  const std::string named = column.name == asked ? "" : " (asked for as '" + std::string(asked) + "')";
  return Unsupported("branch '" + column.name + "'" + named + " of type '" + column.type_name + "' in " + where +
                     " cannot be read: " + column.reason);
}

}  // namespace

int64_t ColumnSpec::InnerSize() const {
  int64_t size = 1;
  for (int64_t dim : inner_shape) size *= dim;
  return size;
}

const std::vector<UnreadableColumn>& ColumnSource::UnreadableColumns() const {
  static const std::vector<UnreadableColumn> kNone;
  return kNone;
}

Result<size_t> ColumnSource::FindColumn(std::string_view name) const {
  const auto& columns = Columns();
  const auto& unreadable = UnreadableColumns();
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return i;
  }
  for (const auto& column : unreadable) {
    if (column.name == name) return UnreadableError(column, name, Description());
  }
  // A short name: the trailing components of exactly one column's path.
  std::vector<size_t> matches;
  const UnreadableColumn* unreadable_match = nullptr;
  std::vector<std::string> candidates;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (EndsWithComponents(columns[i].name, name)) {
      matches.push_back(i);
      candidates.push_back(columns[i].name);
    }
  }
  for (const auto& column : unreadable) {
    if (EndsWithComponents(column.name, name)) {
      unreadable_match = &column;
      candidates.push_back(column.name);
    }
  }
  if (candidates.size() == 1) {
    if (unreadable_match) return UnreadableError(*unreadable_match, name, Description());
    return matches[0];
  }
  if (candidates.size() > 1) {
    std::string list;
    for (const auto& c : candidates) list += (list.empty() ? "'" : ", '") + c + "'";
    return InvalidArgument("column name '" + std::string(name) + "' is ambiguous in " + Description() + ": " +
                           std::to_string(candidates.size()) + " columns end in it (" + list +
                           "); give the full path");
  }
  std::vector<std::string> names;
  names.reserve(columns.size());
  for (const auto& spec : columns) names.push_back(spec.name);
  std::vector<std::string> close = ClosestNames(name, names);
  if (close.empty() && name.find('/') == std::string_view::npos) {
    // A misspelled short name: compare with the last component of each path.
    std::vector<std::string> leaves;
    leaves.reserve(names.size());
    for (const auto& n : names) leaves.emplace_back(LastComponent(n));
    for (const auto& leaf : ClosestNames(name, leaves)) {
      for (size_t i = 0; i < leaves.size(); ++i) {
        if (leaves[i] == leaf && close.size() < 3) close.push_back(names[i]);
      }
    }
  }
  std::string hint = close.empty() ? NameHint(name, names, "columns")
                                   : DidYouMean(close) + " (" + std::to_string(names.size()) + " columns)";
  if (!unreadable.empty()) {
    hint += "; " + std::to_string(unreadable.size()) + " more branch" + (unreadable.size() > 1 ? "es" : "") +
            " cannot be read";
  }
  return NotFound("no column '" + std::string(name) + "' in " + Description() + "; " + hint);
}

}  // namespace rootbatch
