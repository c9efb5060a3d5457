// Datasets and the loader. The loader's Next() runs on one helper thread per
// loader so that Python can wait in slices with the GIL released and check
// for Ctrl-C between them (PyErr_CheckSignals): a KeyboardInterrupt arrives
// promptly even while the loader waits for a slow read. A batch that arrives
// after an interrupt is not lost: the next call returns it.
#include <chrono>
#include <map>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "glue.hpp"
#include "rootbatch/frame/dataset.hpp"
#include "rootbatch/base/byte_size.hpp"
#include "rootbatch/loader/loader.hpp"
#include "rootbatch/loader/option_schema.hpp"

namespace rootbatch::python {
namespace {

using loader::Batch;
using loader::JaggedColumn;
using loader::JaggedMode;
using loader::Loader;
using loader::LoaderInput;
using loader::LoaderOptions;
using loader::LoaderState;

constexpr auto kWaitSlice = std::chrono::milliseconds(20);

DataType ParseType(const std::string& name) {
  auto type = ParseDataType(name);
  if (!type) Check(InvalidArgument("unknown type '" + name + "' (use float32, float64, int64, int32 or bool)"));
  return *type;
}

// Waits for `done` in slices with the GIL released; raises the pending
// Python exception (KeyboardInterrupt) if a signal handler set one.
template <typename Done>
void WaitInterruptibly(std::mutex& mutex, std::condition_variable& cv, Done done) {
  while (true) {
    bool finished;
    {
      py::gil_scoped_release release;
      std::unique_lock<std::mutex> lock(mutex);
      finished = cv.wait_for(lock, kWaitSlice, done);
    }
    if (finished) return;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  }
}

// A loader plus the thread its Next() runs on. Every other loader call is
// made from the Python thread while no Next() is in flight.
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
      (void)new std::thread(std::move(thread_));
      return;
    }
    // Join without the GIL: the fetch thread may be finishing a Next().
    std::optional<py::gil_scoped_release> release;
    if (PyGILState_Check()) release.emplace();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    loader_.reset();  // cancels reads and joins the loader's threads
  }

  // The next batch, or None at the end of the epoch.
  std::optional<Batch> Next() {
    CheckProcess();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
      if (!in_flight_ && !result_) {
        in_flight_ = true;
        cv_.notify_all();
      }
    }
    WaitInterruptibly(mutex_, cv_, [this] { return result_.has_value(); });
    Result<std::optional<Batch>> result = Status(StatusCode::kInternal, "unset");
    {
      std::lock_guard<std::mutex> lock(mutex_);
      result = std::move(*result_);
      result_.reset();
    }
    return Unwrap(std::move(result));
  }

  // The loader, for calls other than Next(): waits until no Next() is in
  // flight and drops a batch that came in after an interrupt when `discard`.
  Loader& Idle(bool discard) {
    CheckProcess();
    WaitInterruptibly(mutex_, cv_, [this] { return !in_flight_; });
    if (discard) {
      std::lock_guard<std::mutex> lock(mutex_);
      result_.reset();
    }
    return *loader_;
  }

 private:
  void CheckProcess() const {
    if (getpid() != pid_) {
      Check(InvalidArgument("this loader was created in another process (before a fork); build a new one here"));
    }
  }

  void Run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      cv_.wait(lock, [this] { return stop_ || (in_flight_ && !result_); });
      if (stop_) return;
      lock.unlock();
      Result<std::optional<Batch>> next = loader_->Next();
      lock.lock();
      result_.emplace(std::move(next));
      in_flight_ = false;
      cv_.notify_all();
    }
  }

  std::unique_ptr<Loader> loader_;
  pid_t pid_;  // the process whose threads these are
  std::thread thread_;
  std::mutex mutex_;  // guards in_flight_, result_, stop_
  std::condition_variable cv_;  // signals a request, a result, or stop
  bool in_flight_ = false;
  bool stop_ = false;
  std::optional<Result<std::optional<Batch>>> result_;
};

// A Python value as the option schema takes it. Booleans before integers
// (True is an int in Python); NumPy scalars through __index__ / __float__.
loader::OptionValue ToOptionValue(const std::string& name, const py::object& value) {
  if (value.is_none()) return std::monostate{};
  if (PyBool_Check(value.ptr())) return value.cast<bool>();
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (PyIndex_Check(value.ptr())) {
    py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
    if (!index) throw py::error_already_set();
    int overflow = 0;
    const long long number = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
    if (overflow != 0) Check(InvalidArgument("option '" + name + "': " + std::string(py::str(value)) + " is too large"));
    return static_cast<int64_t>(number);
  }
  if (PyFloat_Check(value.ptr()) || py::hasattr(value, "__float__")) return value.cast<double>();
  if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    const loader::OptionSpec* spec = loader::FindOption(name);
    if (spec != nullptr && spec->kind == loader::OptionKind::kJagged) return value.cast<std::vector<JaggedColumn>>();
    std::vector<std::string> names;
    for (const auto& item : value) {
      if (!py::isinstance<py::str>(item)) {
        Check(InvalidArgument("option '" + name + "' must be a list of column names, got an item of type " +
                              std::string(py::str(py::type::of(item).attr("__name__")))));
      }
      names.push_back(item.cast<std::string>());
    }
    return names;
  }
  Check(InvalidArgument("option '" + name + "' got a value of type " +
                        std::string(py::str(py::type::of(value).attr("__name__")))));
  return std::monostate{};
}

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
  // For tests of Ctrl-C handling: waits like Loader.next() does for a batch
  // that never comes, until `seconds` pass or a signal handler raises.
  m.def("_interruptible_wait", [](double seconds) {
    std::mutex mutex;
    std::condition_variable cv;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    WaitInterruptibly(mutex, cv, [&] { return std::chrono::steady_clock::now() >= deadline; });
  });

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

  // Options travel as {keyword: value}; the C++ option schema converts and
  // checks them, so this binding lists no option by name.
  py::class_<LoaderOptions>(m, "LoaderOptions")
      .def_static(
          "from_dict",
          [](const py::dict& values) {
            std::map<std::string, loader::OptionValue> converted;
            for (const auto& [key, value] : values) {
              const std::string name = py::str(key);
              converted[name] = ToOptionValue(name, py::reinterpret_borrow<py::object>(value));
            }
            return Unwrap(loader::LoaderOptionsFromValues(converted));
          },
          py::arg("values"), "Options from DataLoader's keywords, checked (kinds, bounds, names).")
      .def("to_dict", [](const LoaderOptions& o) {
        py::dict d;
        for (const loader::OptionSpec& spec : loader::LoaderOptionSpecs()) {
          d[py::str(std::string(spec.name))] = loader::FormatOption(o, spec);
        }
        return d;
      }, "Each option's canonical text.");

  // The schema itself, for the Python layer and its docs and tests.
  m.def("loader_options", [] {
    const LoaderOptions defaults;
    py::list rows;
    for (const loader::OptionSpec& spec : loader::LoaderOptionSpecs()) {
      py::dict row;
      row["name"] = std::string(spec.name);
      row["default"] = loader::FormatOption(defaults, spec);
      row["changes_batches"] = spec.effect == loader::OptionEffect::kBatches;
      row["help"] = std::string(spec.help);
      rows.append(row);
    }
    return rows;
  });
  m.def("parse_size", [](const std::string& text) { return Unwrap(ParseByteSize(text)); }, py::arg("text"),
        "Bytes of a size like '256MB', '1.5GB' or '64MiB' (K/M/G are powers of 1024).");

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
          [](PyLoader& self, int64_t epoch) {
            Loader& loader = self.Idle(true);
            py::gil_scoped_release release;
            Check(loader.SetEpoch(epoch));
          },
          py::arg("epoch"))
      .def("state", [](PyLoader& self) { return self.Idle(false).State().Serialize(); })
      .def(
          "restore",
          [](PyLoader& self, const std::string& text) {
            LoaderState state = Unwrap(LoaderState::Parse(text));
            Loader& loader = self.Idle(true);
            py::gil_scoped_release release;
            Check(loader.Restore(state));
          },
          py::arg("state"))
      .def("stats", [](PyLoader& self) { return StatsDict(self.Idle(false).Stats()); })
      .def("epoch_info", [](PyLoader& self) {
        const loader::EpochInfo& e = self.Idle(false).Epoch();
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
        const loader::RowLayout& layout = self.Idle(false).Layout();
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
        const loader::MemoryPlan& p = self.Idle(false).Memory();
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
