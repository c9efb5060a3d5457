// Files and trees: open a ROOT file, list its keys, open a TTree, list its
// columns, read a column into NumPy. A column's bytes are moved, not copied,
// into the array: the array's base owns the decoded Column.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "glue.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/tfile/directory.hpp"
#include "rootbatch/tfile/root_file.hpp"
#include "rootbatch/rntuple/ntuple_source.hpp"
#include "rootbatch/tfile/directory.hpp"
#include "rootbatch/ttree/tree_source.hpp"

namespace rootbatch::python {
namespace {

std::string KindName(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kScalar: return "scalar";
    case ColumnKind::kFixedArray: return "fixed";
    case ColumnKind::kJagged: return "jagged";
    case ColumnKind::kString: return "string";
    case ColumnKind::kDoublyJagged: return "doubly_jagged";
  }
  return "scalar";
}

// An array over `bytes` of `shape`, owned by `holder` (a heap object the
// capsule deletes when the last array viewing it dies).
template <typename Holder>
py::array ArrayOver(py::dtype dtype, std::vector<py::ssize_t> shape, void* data, Holder* holder) {
  py::capsule owner(holder, [](void* p) { delete static_cast<Holder*>(p); });
  return py::array(std::move(dtype), std::move(shape), {}, data, owner);
}

}  // namespace

py::tuple ColumnArrays(Column read, const ColumnSpec& spec) {
  auto* column = new Column(std::move(read));
  std::unique_ptr<Column> guard(column);
  const int64_t inner = spec.kind == ColumnKind::kString ? 1 : spec.InnerSize();
  const bool has_offsets = !column->offsets.empty();
  const bool has_inner = !column->inner_offsets.empty();
  const int64_t leading = has_inner     ? column->inner_offsets.back()
                          : has_offsets ? column->offsets.back()
                                        : column->num_entries;
  std::vector<py::ssize_t> shape{static_cast<py::ssize_t>(leading)};
  if (spec.kind != ColumnKind::kString) {
    for (int64_t d : spec.inner_shape) shape.push_back(static_cast<py::ssize_t>(d));
  }
  if (column->NumValues() != leading * inner) {
    Check(Internal("column '" + spec.name + "' holds " + std::to_string(column->NumValues()) +
                   " values, expected " + std::to_string(leading * inner)));
  }
  // Two arrays may view one Column: each gets its own reference through a
  // shared_ptr held by its capsule.
  auto shared = std::shared_ptr<Column>(guard.release());
  using Holder = std::shared_ptr<Column>;
  py::array values = ArrayOver(NumpyDtype(column->type), shape, shared->values.data(), new Holder(shared));
  auto offsets_array = [&](std::vector<int64_t>& offsets) -> py::object {
    if (offsets.empty()) return py::none();
    return ArrayOver(py::dtype("int64"), {static_cast<py::ssize_t>(offsets.size())}, offsets.data(),
                     new Holder(shared));
  };
  return py::make_tuple(values, offsets_array(shared->offsets), offsets_array(shared->inner_offsets));
}

std::string ColumnKindName(ColumnKind kind) { return KindName(kind); }

namespace {

// Reads entries [begin, end) of one column: (values, offsets or None,
// inner offsets or None); see ColumnArrays.
py::tuple ReadColumn(const ColumnSource& tree, size_t index, int64_t begin, int64_t end) {
  Result<Column> read = Status(StatusCode::kInternal, "unset");
  {
    py::gil_scoped_release release;
    read = tree.ReadColumn(index, EntryRange{begin, end});
  }
  return ColumnArrays(Unwrap(std::move(read)), tree.Columns()[index]);
}

// One path per name ("dir/name") of the keys whose class passes `is`.
std::vector<std::string> PathsOf(const RootFile& file, bool (*is)(const std::string&)) {
  std::vector<std::string> paths;
  for (const auto& entry : file.AllKeys()) {
    if (!is(entry.key->class_name)) continue;
    if (std::find(paths.begin(), paths.end(), entry.path) == paths.end()) paths.push_back(entry.path);
  }
  return paths;
}

}  // namespace

void RegisterFile(py::module_& m) {
  py::class_<RootFile, std::shared_ptr<RootFile>>(m, "File")
      .def_property_readonly("name", &RootFile::Name)
      .def_property_readonly("size", [](const RootFile& f) { return f.Source().Size(); })
      .def_property_readonly("root_version", [](const RootFile& f) { return f.Header().RootVersionString(); })
      .def_property_readonly("compression", [](const RootFile& f) { return f.Header().compress; })
      // [(path, class_name, cycle, title, stored bytes, object bytes)] in file order.
      .def("keys", [](const RootFile& f) {
        py::list out;
        for (const auto& entry : f.AllKeys()) {
          const KeyHeader& k = *entry.key;
          out.append(py::make_tuple(entry.path, k.class_name, k.cycle, k.title, k.nbytes, k.objlen));
        }
        return out;
      })
      // Paths of the TTrees / RNTuples, one per name, in file order.
      .def("trees", [](const RootFile& f) { return PathsOf(f, IsTreeClass); })
      .def("rntuples", [](const RootFile& f) { return PathsOf(f, IsRNTupleClass); });

  m.def(
      "open_file",
      [](const std::string& path) {
        Result<std::shared_ptr<RootFile>> file = Status(StatusCode::kInternal, "unset");
        {
          py::gil_scoped_release release;
          file = RootFile::Open(path);
        }
        return Unwrap(std::move(file));
      },
      py::arg("path"));

  py::class_<ColumnSpec>(m, "ColumnSpec")
      .def_readonly("name", &ColumnSpec::name)
      .def_property_readonly("dtype", [](const ColumnSpec& s) { return std::string(DataTypeName(s.type)); })
      .def_property_readonly("kind", [](const ColumnSpec& s) { return KindName(s.kind); })
      .def_property_readonly("inner_shape", [](const ColumnSpec& s) { return py::tuple(py::cast(s.inner_shape)); })
      .def_readonly("source_type", &ColumnSpec::source_type);

  py::class_<TreeSource, std::shared_ptr<TreeSource>>(m, "Tree")
      .def_property_readonly("name", [](const TreeSource& t) { return t.Model().name; })
      .def_property_readonly("title", [](const TreeSource& t) { return t.Model().title; })
      .def_property_readonly("path", &TreeSource::Path)
      .def_property_readonly("cycle", &TreeSource::Cycle)
      .def_property_readonly("class_name", &TreeSource::ClassName)
      .def_property_readonly("num_entries", &TreeSource::NumEntries)
      .def_property_readonly("description", &TreeSource::Description)
      .def_property_readonly("columns", &TreeSource::Columns)
      .def("cluster_boundaries", &TreeSource::ClusterBoundaries)
      .def("column_entries", &TreeSource::ColumnEntries, py::arg("index"))
      .def_property_readonly("skipped", [](const TreeSource& t) {
        py::list out;
        for (const auto& s : t.Skipped()) out.append(py::make_tuple(s.name, s.type_name, s.reason));
        return out;
      })
      .def("find_column", [](const TreeSource& t, const std::string& name) {
        return Unwrap(t.FindColumn(name));
      })
      // Whether find_column(name) would succeed (a full path or a unique short name).
      .def("has_column", [](const TreeSource& t, const std::string& name) { return t.FindColumn(name).IsOk(); })
      .def(
          "read", [](const TreeSource& t, size_t i, int64_t b, int64_t e) { return ReadColumn(t, i, b, e); },
          py::arg("index"), py::arg("entry_start"), py::arg("entry_stop"));

  // An RNTuple has the same Python face as a TTree (files.py's Tree wraps
  // either); only what differs is spelled out.
  py::class_<NTupleSource, std::shared_ptr<NTupleSource>>(m, "NTuple")
      .def_property_readonly("name", [](const NTupleSource& t) { return t.Descriptor().schema.name; })
      .def_property_readonly("title", [](const NTupleSource& t) { return t.Descriptor().schema.description; })
      .def_property_readonly("path", &NTupleSource::Path)
      .def_property_readonly("cycle", &NTupleSource::Cycle)
      .def_property_readonly("class_name", [](const NTupleSource&) { return std::string("ROOT::RNTuple"); })
      .def_property_readonly("num_entries", &NTupleSource::NumEntries)
      .def_property_readonly("description", &NTupleSource::Description)
      .def_property_readonly("columns", &NTupleSource::Columns)
      .def("cluster_boundaries", &NTupleSource::ClusterBoundaries)
      .def("column_entries", [](const NTupleSource& t, size_t) { return t.NumEntries(); }, py::arg("index"))
      .def_property_readonly("skipped", [](const NTupleSource& t) {
        py::list out;
        for (const auto& s : t.UnreadableColumns()) out.append(py::make_tuple(s.name, s.type_name, s.reason));
        return out;
      })
      .def("find_column", [](const NTupleSource& t, const std::string& name) { return Unwrap(t.FindColumn(name)); })
      .def("has_column", [](const NTupleSource& t, const std::string& name) { return t.FindColumn(name).IsOk(); })
      .def(
          "read", [](const NTupleSource& t, size_t i, int64_t b, int64_t e) { return ReadColumn(t, i, b, e); },
          py::arg("index"), py::arg("entry_start"), py::arg("entry_stop"));

  // Opens a TTree or an RNTuple, by the key's class.
  m.def(
      "open_tree",
      [](std::shared_ptr<RootFile> file, const std::string& path) -> py::object {
        bool is_rntuple = false;
        Result<std::unique_ptr<TreeSource>> tree = Status(StatusCode::kInternal, "unset");
        Result<std::unique_ptr<NTupleSource>> ntuple = Status(StatusCode::kInternal, "unset");
        {
          py::gil_scoped_release release;
          auto key = file->FindKey(path);
          is_rntuple = key.IsOk() && IsRNTupleClass((*key)->class_name);
          if (is_rntuple) ntuple = NTupleSource::Open(file, path);
          else tree = TreeSource::Open(file, path);
        }
        if (is_rntuple) return py::cast(std::shared_ptr<NTupleSource>(Unwrap(std::move(ntuple))));
        return py::cast(std::shared_ptr<TreeSource>(Unwrap(std::move(tree))));
      },
      py::arg("file"), py::arg("path"));
}

}  // namespace rootbatch::python
