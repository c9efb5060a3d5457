// _core.Frame: the C++ frame graph (rootbatch/frame/frame.hpp) for
// rootbatch.RDataFrame (python/rootbatch/frame.py), which records the chain
// and rebuilds it here once per process. Every call that reads data
// releases the GIL.
#include <memory>
#include <string>
#include <vector>

#include "glue.hpp"
#include "rootbatch/frame/frame.hpp"

namespace rootbatch::python {
namespace {

// Runs `f` without the GIL and unwraps its Result.
template <typename F>
auto Released(F&& f) {
  decltype(f()) result = Status(StatusCode::kInternal, "unset");
  {
    py::gil_scoped_release release;
    result = f();
  }
  return Unwrap(std::move(result));
}

Result<SnapshotFormat> ParseFormat(const std::string& format) {
  if (format == "ttree" || format == "TTree") return SnapshotFormat::kTTree;
  if (format == "rntuple" || format == "RNTuple") return SnapshotFormat::kRNTuple;
  return InvalidArgument("unknown Snapshot format '" + format + "' (ttree or rntuple)");
}

}  // namespace

void RegisterFrame(py::module_& m) {
  py::class_<Frame>(m, "Frame")
      .def_static(
          "open",
          [](const std::vector<std::string>& paths, const std::string& tree) {
            return Released([&] { return Frame::Open(paths, tree); });
          },
          py::arg("paths"), py::arg("tree"))
      .def(
          "filter", [](const Frame& f, const std::string& e, const std::string& name) { return Unwrap(f.Filter(e, name)); },
          py::arg("expression"), py::arg("name") = "")
      .def(
          "define", [](const Frame& f, const std::string& name, const std::string& e) { return Unwrap(f.Define(name, e)); },
          py::arg("name"), py::arg("expression"))
      .def(
          "redefine",
          [](const Frame& f, const std::string& name, const std::string& e) { return Unwrap(f.Redefine(name, e)); },
          py::arg("name"), py::arg("expression"))
      .def(
          "range", [](const Frame& f, int64_t b, int64_t e, int64_t s) { return Unwrap(f.Range(b, e, s)); },
          py::arg("begin"), py::arg("end"), py::arg("stride") = 1)
      .def("column_names", &Frame::ColumnNames)
      .def("column_type", [](const Frame& f, const std::string& name) { return Unwrap(f.ColumnType(name)); })
      .def("count", [](const Frame& f, int threads) { return Released([&] { return f.Count(threads); }); },
           py::arg("num_threads") = 2)
      .def("sum", [](const Frame& f, const std::string& c, int t) { return Released([&] { return f.Sum(c, t); }); },
           py::arg("column"), py::arg("num_threads") = 2)
      .def("mean", [](const Frame& f, const std::string& c, int t) { return Released([&] { return f.Mean(c, t); }); },
           py::arg("column"), py::arg("num_threads") = 2)
      .def("min", [](const Frame& f, const std::string& c, int t) { return Released([&] { return f.Min(c, t); }); },
           py::arg("column"), py::arg("num_threads") = 2)
      .def("max", [](const Frame& f, const std::string& c, int t) { return Released([&] { return f.Max(c, t); }); },
           py::arg("column"), py::arg("num_threads") = 2)
      .def(
          "take",
          [](const Frame& f, const std::vector<std::string>& names, int threads) {
            std::vector<ColumnSpec> specs;
            for (const auto& n : names) specs.push_back(Unwrap(f.ColumnSpecOf(n)));
            std::vector<Column> columns = Released([&] { return f.Take(names, threads); });
            py::list out;
            for (size_t i = 0; i < columns.size(); ++i) {
              py::tuple arrays = ColumnArrays(std::move(columns[i]), specs[i]);
              out.append(py::make_tuple(arrays[0], arrays[1], arrays[2], ColumnKindName(specs[i].kind)));
            }
            return out;
          },
          py::arg("names"), py::arg("num_threads") = 2,
          "[(values, offsets, inner offsets, kind)] of the passing rows, per column.")
      .def(
          "report",
          [](const Frame& f, int threads) {
            std::vector<CutInfo> cuts = Released([&] { return f.Report(threads); });
            py::list out;
            for (const CutInfo& c : cuts) out.append(py::make_tuple(c.name, c.pass, c.all));
            return out;
          },
          py::arg("num_threads") = 2)
      .def(
          "snapshot",
          [](const Frame& f, const std::string& tree, const std::string& path, const std::vector<std::string>& columns,
             const std::string& format, const std::string& compression, int level, int threads) {
            SnapshotOptions options;
            options.format = Unwrap(ParseFormat(format));
            options.compression = compression;
            options.level = level;
            py::gil_scoped_release release;
            Status s = f.Snapshot(tree, path, columns, options, threads);
            py::gil_scoped_acquire acquire;
            Check(std::move(s));
          },
          py::arg("tree"), py::arg("path"), py::arg("columns"), py::arg("format") = "ttree",
          py::arg("compression") = "zstd", py::arg("level") = 5, py::arg("num_threads") = 2)
      .def(
          "entry_numbers",
          [](const Frame& f, int threads) {
            std::vector<int64_t> entries = Released([&] { return f.EntryNumbers(threads); });
            py::array_t<int64_t> out(static_cast<py::ssize_t>(entries.size()));
            std::copy(entries.begin(), entries.end(), out.mutable_data());
            return out;
          },
          py::arg("num_threads") = 2)
      .def(
          "materialize",
          [](const Frame& f, int threads) {
            return std::const_pointer_cast<Dataset>(Released([&] { return f.Materialize(threads); }));
          },
          py::arg("num_threads") = 2, "The passing rows as a Dataset the loader reads.");
}

}  // namespace rootbatch::python
