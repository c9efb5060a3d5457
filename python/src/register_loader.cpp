// Datasets and the loader. PyLoader::Next waits for a batch in 20 ms slices
// of Loader::Next(timeout) with the GIL released, and checks for Ctrl-C
// between them (PyErr_CheckSignals): a KeyboardInterrupt arrives promptly
// even while the loader waits for a slow read. The glue has no thread of its
// own; a batch that arrives after an interrupt stays in the loader's queue
// and the next call returns it.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "glue.hpp"
#include "rootbatch/frame/dataset.hpp"
#include "rootbatch/frame/glob.hpp"
#include "rootbatch/io/byte_source.hpp"
#include "rootbatch/loader/loader.hpp"

namespace rootbatch::python {
namespace {

using loader::Batch;
using loader::JaggedColumn;
using loader::JaggedMode;
using loader::Loader;
using loader::LoaderInput;
using loader::LoaderOptions;
using loader::LoaderState;
using loader::NextResult;
using loader::ShuffleStrategy;
using loader::Split;

constexpr auto kWaitSlice = std::chrono::milliseconds(20);

DataType ParseType(const std::string& name) {
  auto type = ParseDataType(name);
  if (!type) Check(InvalidArgument("unknown type '" + name + "' (use float32, float64, int64, int32 or bool)"));
  return *type;
}

// A loader as Python holds it. Calls that release the GIL mark the loader
// busy (the flag is read and written with the GIL held), so that a second
// Python thread gets an error instead of using the loader concurrently.
class PyLoader {
 public:
  explicit PyLoader(std::unique_ptr<Loader> loader) : loader_(std::move(loader)), pid_(getpid()) {}
  PyLoader(const PyLoader&) = delete;
  PyLoader& operator=(const PyLoader&) = delete;

  ~PyLoader() {
    if (getpid() != pid_) {
      // A copy inherited through fork(): its threads exist only in the parent,
      // so there is nothing to join or cancel here. Leak it rather than wait
      // forever (or abort) in the child.
      (void)loader_.release();
      return;
    }
    // Cancels reads and joins the loader's threads, without the GIL.
    std::optional<py::gil_scoped_release> release;
    if (PyGILState_Check()) release.emplace();
    loader_.reset();
  }

  // The next batch, or None at the end of the epoch.
  std::optional<Batch> Next() {
    Busy busy(*this);
    while (true) {
      NextResult result = Unwrap([this] {
        py::gil_scoped_release release;
        return loader_->Next(kWaitSlice);
      }());
      if (result.kind == NextResult::Kind::kBatch) return std::move(result.batch);
      if (result.kind == NextResult::Kind::kEndOfEpoch) return std::nullopt;
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    }
  }

  // Runs `call(loader)` with the GIL released.
  template <typename Call>
  auto Released(Call call) {
    Busy busy(*this);
    py::gil_scoped_release release;
    return call(*loader_);
  }

  // The loader, for quick calls made with the GIL held.
  Loader& Get() {
    Busy busy(*this);
    return *loader_;
  }

 private:
  class Busy {
   public:
    explicit Busy(PyLoader& owner) : owner_(owner) {
      owner_.CheckProcess();
      if (owner_.busy_) {
        Check(InvalidArgument("this loader is in use by another thread; use one loader per thread"));
      }
      owner_.busy_ = true;
    }
    ~Busy() { owner_.busy_ = false; }
    Busy(const Busy&) = delete;
    Busy& operator=(const Busy&) = delete;

   private:
    PyLoader& owner_;
  };

  void CheckProcess() const {
    if (getpid() != pid_) {
      Check(InvalidArgument("this loader was created in another process (before a fork); build a new one here"));
    }
  }

  std::unique_ptr<Loader> loader_;
  pid_t pid_;          // the process whose threads these are
  bool busy_ = false;  // a call is using loader_ (GIL held to read or write)
};

// For tests of the wait: `source` with a sleep before every read, so that a
// Loader::Next() waits for as long as a test needs.
class DelayedSource final : public ColumnSource {
 public:
  DelayedSource(std::unique_ptr<ColumnSource> source, std::chrono::microseconds delay)
      : source_(std::move(source)), delay_(delay) {}
  std::string Description() const override { return source_->Description(); }
  int64_t NumEntries() const override { return source_->NumEntries(); }
  const std::vector<ColumnSpec>& Columns() const override { return source_->Columns(); }
  std::vector<int64_t> ClusterBoundaries() const override { return source_->ClusterBoundaries(); }
  std::vector<int64_t> UnitBoundaries(size_t column) const override { return source_->UnitBoundaries(column); }
  Result<Column> ReadColumn(size_t column, EntryRange range, ReadStats* stats = nullptr) const override {
    std::this_thread::sleep_for(delay_);
    return source_->ReadColumn(column, range, stats);
  }

 private:
  std::unique_ptr<ColumnSource> source_;
  std::chrono::microseconds delay_;
};

py::dict StatsDict(const loader::LoaderStats& s) {
  py::dict d;
  d["batches"] = s.batches;
  d["events"] = s.events;
  d["bytes_read"] = s.bytes_read;
  d["bytes_decompressed"] = s.bytes_decompressed;
  d["baskets_read"] = s.baskets_read;
  d["baskets_per_epoch"] = s.baskets_per_epoch;
  d["consumer_wait_s"] = s.consumer_wait_s;
  d["assembler_wait_s"] = s.assembler_wait_s;
  d["worker_idle_s"] = s.worker_idle_s;
  d["first_batch_s"] = s.first_batch_s;
  return d;
}

}  // namespace

void RegisterLoader(py::module_& m) {
  m.def(
      "check_files",
      [](const std::vector<std::string>& patterns) {
        // What DataLoader checks when it is built (the files are opened
        // later, once per process): globs expand (matching nothing is an
        // error) and every file can be opened.
        py::gil_scoped_release release;
        std::vector<std::string> paths = Unwrap(ExpandPaths(patterns));
        for (const auto& path : paths) Unwrap(OpenLocalFile(path));
        return paths;
      },
      py::arg("patterns"), "The paths `patterns` expand to; FileNotFoundError if one is missing or matches nothing.");
  py::class_<Dataset, std::shared_ptr<Dataset>>(m, "Dataset")
      .def_static(
          "open",
          [](const std::vector<std::string>& paths, const std::string& tree) {
            Result<std::shared_ptr<const Dataset>> ds = Status(StatusCode::kInternal, "unset");
            {
              py::gil_scoped_release release;
              ds = Dataset::Open(paths, tree, DefaultSourceOpener());
            }
            return std::const_pointer_cast<Dataset>(Unwrap(std::move(ds)));
          },
          py::arg("paths"), py::arg("tree"))
      .def_static(
          "_open_delayed",
          [](const std::vector<std::string>& paths, const std::string& tree, double read_delay_s) {
            // For tests of Ctrl-C: every column read sleeps read_delay_s first.
            const auto delay = std::chrono::microseconds(static_cast<int64_t>(read_delay_s * 1e6));
            SourceOpener inner = DefaultSourceOpener();
            SourceOpener opener = [inner, delay](const std::string& path, const std::string& name)
                -> Result<std::unique_ptr<ColumnSource>> {
              RB_ASSIGN_OR_RETURN(std::unique_ptr<ColumnSource> source, inner(path, name));
              return std::unique_ptr<ColumnSource>(std::make_unique<DelayedSource>(std::move(source), delay));
            };
            Result<std::shared_ptr<const Dataset>> ds = Status(StatusCode::kInternal, "unset");
            {
              py::gil_scoped_release release;
              ds = Dataset::Open(paths, tree, opener);
            }
            return std::const_pointer_cast<Dataset>(Unwrap(std::move(ds)));
          },
          py::arg("paths"), py::arg("tree"), py::arg("read_delay_s"))
      .def_property_readonly("num_files", &Dataset::NumFiles)
      .def_property_readonly("num_entries", &Dataset::NumEntries)
      .def_property_readonly("columns", &Dataset::Columns)
      .def_property_readonly("description", &Dataset::Description)
      .def("file_start", &Dataset::FileStart);

  py::class_<JaggedColumn>(m, "JaggedColumn")
      .def(py::init<>())
      .def_readwrite("name", &JaggedColumn::name)
      .def_property(
          "mode", [](const JaggedColumn& j) { return std::string(loader::JaggedModeName(j.mode)); },
          [](JaggedColumn& j, const std::string& mode) {
            if (mode == "pad") j.mode = JaggedMode::kPad;
            else if (mode == "ragged") j.mode = JaggedMode::kRagged;
            else if (mode == "flatten") j.mode = JaggedMode::kFlatten;
            else Check(InvalidArgument("unknown jagged mode '" + mode + "' (pad, ragged or flatten)"));
          })
      .def_readwrite("max_length", &JaggedColumn::max_length)
      .def_readwrite("pad_value", &JaggedColumn::pad_value)
      .def_readwrite("mask", &JaggedColumn::mask)
      .def_property(
          "type", [](const JaggedColumn& j) { return std::string(DataTypeName(j.type)); },
          [](JaggedColumn& j, const std::string& t) { j.type = ParseType(t); });

  py::class_<LoaderOptions>(m, "LoaderOptions")
      .def(py::init<>())
      .def_readwrite("features", &LoaderOptions::features)
      .def_readwrite("targets", &LoaderOptions::targets)
      .def_readwrite("weight", &LoaderOptions::weight)
      .def_readwrite("jagged", &LoaderOptions::jagged)
      .def_property(
          "feature_type", [](const LoaderOptions& o) { return std::string(DataTypeName(o.feature_type)); },
          [](LoaderOptions& o, const std::string& t) { o.feature_type = ParseType(t); })
      .def_property(
          "target_type",
          [](const LoaderOptions& o) -> py::object {
            if (!o.target_type) return py::none();
            return py::str(std::string(DataTypeName(*o.target_type)));
          },
          [](LoaderOptions& o, py::object t) {
            if (t.is_none()) o.target_type.reset();
            else o.target_type = ParseType(t.cast<std::string>());
          })
      .def_property(
          "weight_type", [](const LoaderOptions& o) { return std::string(DataTypeName(o.weight_type)); },
          [](LoaderOptions& o, const std::string& t) { o.weight_type = ParseType(t); })
      .def_readwrite("batch_size", &LoaderOptions::batch_size)
      .def_readwrite("drop_remainder", &LoaderOptions::drop_remainder)
      .def_readwrite("memory_budget", &LoaderOptions::memory_budget)
      .def_readwrite("num_threads", &LoaderOptions::num_threads)
      .def_readwrite("queue_batches", &LoaderOptions::queue_batches)
      .def_readwrite("seed", &LoaderOptions::seed)
      .def_property(
          "shuffle", [](const LoaderOptions& o) { return std::string(loader::ShuffleStrategyName(o.shuffle)); },
          [](LoaderOptions& o, const std::string& s) {
            if (s == "none") o.shuffle = ShuffleStrategy::kNone;
            else if (s == "stream") o.shuffle = ShuffleStrategy::kStream;
            else if (s == "cluster-chunks") o.shuffle = ShuffleStrategy::kClusterChunks;
            else Check(InvalidArgument("unknown shuffle '" + s + "' (none, stream or cluster-chunks)"));
          })
      .def_readwrite("stratify", &LoaderOptions::stratify)
      .def_readwrite("block_split", &LoaderOptions::block_split)
      .def_readwrite("max_block_entries", &LoaderOptions::max_block_entries)
      .def_property(
          "split",
          [](const LoaderOptions& o) {
            return std::string(o.split == Split::kAll ? "all" : o.split == Split::kTrain ? "train" : "validation");
          },
          [](LoaderOptions& o, const std::string& s) {
            if (s == "all") o.split = Split::kAll;
            else if (s == "train") o.split = Split::kTrain;
            else if (s == "validation") o.split = Split::kValidation;
            else Check(InvalidArgument("unknown split '" + s + "' (all, train or validation)"));
          })
      .def_readwrite("validation_fraction", &LoaderOptions::validation_fraction)
      .def_readwrite("rank", &LoaderOptions::rank)
      .def_readwrite("world_size", &LoaderOptions::world_size)
      .def_readwrite("worker_id", &LoaderOptions::worker_id)
      .def_readwrite("num_workers", &LoaderOptions::num_workers);

  py::class_<LoaderInput>(m, "LoaderInput")
      .def(py::init([](std::shared_ptr<Dataset> dataset, std::optional<int64_t> class_label, double sampling_ratio,
                       std::optional<std::pair<int64_t, int64_t>> entries) {
             LoaderInput input;
             input.dataset = std::move(dataset);
             input.class_label = class_label;
             input.sampling_ratio = sampling_ratio;
             if (entries) input.entries = EntryRange{entries->first, entries->second};
             return input;
           }),
           py::arg("dataset"), py::arg("class_label") = py::none(), py::arg("sampling_ratio") = 1.0,
           py::arg("entries") = py::none());

  py::class_<PyLoader>(m, "Loader")
      .def(py::init([](std::vector<LoaderInput> inputs, LoaderOptions options) {
             Result<std::unique_ptr<Loader>> created = Status(StatusCode::kInternal, "unset");
             {
               py::gil_scoped_release release;
               created = Loader::Create(std::move(inputs), std::move(options));
             }
             return std::make_unique<PyLoader>(Unwrap(std::move(created)));
           }),
           py::arg("inputs"), py::arg("options"))
      .def("next", &PyLoader::Next, "The next batch of the epoch, or None when it is done.")
      .def(
          "set_epoch",
          [](PyLoader& self, int64_t epoch) { Check(self.Released([&](Loader& l) { return l.SetEpoch(epoch); })); },
          py::arg("epoch"))
      .def("state", [](PyLoader& self) { return self.Get().State().Serialize(); })
      .def(
          "restore",
          [](PyLoader& self, const std::string& text) {
            LoaderState state = Unwrap(LoaderState::Parse(text));
            Check(self.Released([&](Loader& l) { return l.Restore(state); }));
          },
          py::arg("state"))
      .def("stats", [](PyLoader& self) { return StatsDict(self.Get().Stats()); })
      .def("epoch_info", [](PyLoader& self) {
        const loader::EpochInfo& e = self.Get().Epoch();
        py::dict d;
        d["epoch"] = e.epoch;
        d["rows"] = e.rows;
        d["num_batches"] = e.num_batches;
        d["yielded_rows"] = e.yielded_rows;
        d["epoch_rows"] = e.epoch_rows;
        d["left_out"] = e.left_out;
        return d;
      })
      .def("layout", [](PyLoader& self) {
        const loader::RowLayout& layout = self.Get().Layout();
        py::dict d;
        d["feature_names"] = layout.feature_names;
        d["target_names"] = layout.target_names;
        py::list ragged;
        for (const auto& r : layout.ragged) {
          ragged.append(py::make_tuple(r.name, std::string(DataTypeName(r.type)), r.item_shape));
        }
        d["ragged"] = ragged;
        // Every fixed part of a row: (name, dtype, shape per row); a batch
        // tensor is [rows, *shape].
        py::list parts;
        for (const auto& part : layout.parts) {
          parts.append(py::make_tuple(part.name, std::string(DataTypeName(part.type)), part.shape));
        }
        d["parts"] = parts;
        d["targets_part"] = layout.targets_part;
        d["weights_part"] = layout.weights_part;
        d["mask_parts"] = layout.mask_parts;
        d["padded_parts"] = layout.padded_parts;
        return d;
      })
      .def("memory", [](PyLoader& self) {
        const loader::MemoryPlan& p = self.Get().Memory();
        py::dict d;
        d["num_slots"] = p.num_slots;
        d["slot_bytes"] = p.slot_bytes;
        d["batch_bytes"] = p.batch_bytes;
        d["batches_bytes"] = p.batches_bytes;
        d["in_flight_bytes"] = p.in_flight_bytes;
        d["buffer_bytes"] = p.buffer_bytes;
        d["description"] = p.Describe();
        return d;
      });
}

}  // namespace rootbatch::python
