// _core.Frame: the C++ frame graph (rootbatch/frame/frame.hpp) for
// rootbatch.RDataFrame (python/rootbatch/frame.py), which records the chain
// and rebuilds it here once per process. Every call that reads data
// releases the GIL.
#include <atomic>
#include <chrono>
#include <cstring>
#include <future>
#include <thread>
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

// The Python object of a NumPy callable, released with the GIL held from
// whichever thread drops the last reference (a loader worker, say).
std::shared_ptr<py::object> HoldCallable(py::object fn) {
  return std::shared_ptr<py::object>(new py::object(std::move(fn)), [](py::object* p) {
    if (!Py_IsInitialized()) return;  // at interpreter exit: leave it to the process's end
    py::gil_scoped_acquire gil;
    delete p;
  });
}

py::array ToNumpy(const Column& c) {
  py::array out(NumpyDtype(c.type), std::vector<py::ssize_t>{static_cast<py::ssize_t>(c.num_entries)});
  if (!c.values.empty()) std::memcpy(out.mutable_data(), c.values.data(), c.values.size());
  return out;
}

// A vectorised NumPy callable as a RowFunction: called with one array per
// (scalar) input column over a chunk of rows, it returns one value per row.
// The result's dtype is learnt by calling it once on empty arrays. Each call
// takes the GIL, so Python callables run one at a time: the slow, documented
// alternative to expressions.
RowFunction NumpyFunction(const Frame& frame, std::vector<std::string> columns, py::object fn, bool filter) {
  std::vector<DataType> types;
  py::list empty;
  for (const std::string& name : columns) {
    ColumnSpec spec = Unwrap(frame.ColumnSpecOf(name));
    if (spec.kind != ColumnKind::kScalar) {
      Check(Unsupported("a NumPy callable takes scalar columns; '" + name + "' is " + spec.source_type +
                        " (write the selection as an expression string instead)"));
    }
    types.push_back(spec.type);
    empty.append(py::array(NumpyDtype(spec.type), std::vector<py::ssize_t>{0}));
  }
  py::object probe = fn(*py::tuple(empty));
  py::array probed = py::array::ensure(probe);
  if (!probed) Check(InvalidArgument("the callable must return a NumPy array, one value per row"));
  DataType result = DataType::kFloat64;  // set below, or Check throws
  const char kind = probed.dtype().kind();
  const int width = static_cast<int>(probed.dtype().itemsize());
  if (filter || kind == 'b') {
    result = DataType::kBool;
  } else if (kind == 'f') {
    result = width == 4 ? DataType::kFloat32 : DataType::kFloat64;
  } else if (kind == 'i') {
    result = width == 1 ? DataType::kInt8 : width == 2 ? DataType::kInt16 : width == 4 ? DataType::kInt32 : DataType::kInt64;
  } else if (kind == 'u') {
    result = width == 1 ? DataType::kUInt8 : width == 2 ? DataType::kUInt16 : width == 4 ? DataType::kUInt32 : DataType::kUInt64;
  } else {
    Check(InvalidArgument("the callable returns dtype " + std::string(py::str(probed.dtype())) +
                          "; a column holds numbers or bool"));
  }
  RowFunction f;
  f.columns = std::move(columns);
  f.description = "NumPy callable " + std::string(py::repr(fn));
  f.result.type = result;
  f.result.rdf_type = "numpy." + std::string(py::str(NumpyDtype(result)));
  auto held = HoldCallable(std::move(fn));
  f.eval = [held, result](std::span<const Column* const> inputs, std::span<const int64_t> rows) -> Result<Column> {
    py::gil_scoped_acquire gil;
    try {
      py::list args;
      for (const Column* c : inputs) args.append(ToNumpy(*c));
      py::array out = py::array::ensure((*held)(*py::tuple(args)), py::array::c_style | py::array::forcecast);
      if (!out || out.ndim() != 1 || static_cast<size_t>(out.shape(0)) != rows.size()) {
        return InvalidArgument("the NumPy callable must return one value per row (" + std::to_string(rows.size()) +
                               " rows)");
      }
      py::array typed = out.attr("astype")(NumpyDtype(result));
      Column c;
      c.type = result;
      c.num_entries = static_cast<int64_t>(rows.size());
      c.values.resize(rows.size() * static_cast<size_t>(ByteWidth(result)));
      if (!c.values.empty()) std::memcpy(c.values.data(), typed.data(), c.values.size());
      return c;
    } catch (py::error_already_set& e) {
      return InvalidArgument(std::string("the NumPy callable raised ") + e.what());
    }
  };
  return f;
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
          "filter_numpy",
          [](const Frame& f, const std::vector<std::string>& columns, py::object fn, const std::string& name) {
            return Unwrap(f.Filter(NumpyFunction(f, columns, std::move(fn), true), name));
          },
          py::arg("columns"), py::arg("fn"), py::arg("name") = "")
      .def(
          "define_numpy",
          [](const Frame& f, const std::string& name, const std::vector<std::string>& columns, py::object fn) {
            return Unwrap(f.Define(name, NumpyFunction(f, columns, std::move(fn), false)));
          },
          py::arg("name"), py::arg("columns"), py::arg("fn"))
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
             const std::string& format, const std::string& compression, int level, int threads, bool shuffle,
             uint64_t seed, int64_t memory, const std::string& temp_dir) {
            SnapshotOptions options;
            options.format = Unwrap(ParseFormat(format));
            options.compression = compression;
            options.level = level;
            options.shuffle = shuffle;
            options.seed = seed;
            options.memory_budget = memory;
            options.temp_dir = temp_dir;
            SnapshotReport report;
            options.report = &report;
            // The write runs on a thread this call owns and joins, while this
            // one checks for Ctrl-C every 50 ms: KeyboardInterrupt sets the
            // cancel flag, the write stops between pieces and removes what it
            // wrote, and the interrupt is raised after the join.
            std::atomic<bool> cancel{false};
            options.cancel = &cancel;
            std::promise<Status> done;
            std::future<Status> result = done.get_future();
            std::thread writer([&] { done.set_value(f.Snapshot(tree, path, columns, options, threads)); });
            bool interrupted = false;
            for (;;) {
              {
                py::gil_scoped_release release;
                if (result.wait_for(std::chrono::milliseconds(50)) == std::future_status::ready) break;
              }
              if (!interrupted && PyErr_CheckSignals() != 0) {
                interrupted = true;
                cancel.store(true);
              }
            }
            {
              py::gil_scoped_release release;
              writer.join();
            }
            if (interrupted) throw py::error_already_set();
            Check(result.get());
            py::dict out;
            out["rows"] = report.rows;
            out["buckets"] = report.buckets;
            out["temp_bytes"] = report.temp_bytes;
            out["largest_bucket"] = report.largest_bucket;
            return out;
          },
          py::arg("tree"), py::arg("path"), py::arg("columns"), py::arg("format") = "ttree",
          py::arg("compression") = "zstd", py::arg("level") = 5, py::arg("num_threads") = 2,
          py::arg("shuffle") = false, py::arg("seed") = 0, py::arg("memory") = int64_t{256} << 20,
          py::arg("temp_dir") = "")
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
