// Datasets and the loader. The loader's Next() runs on one helper thread per
// loader so that Python can wait in slices with the GIL released and check
// for Ctrl-C between them (PyErr_CheckSignals): a KeyboardInterrupt arrives
// promptly even while the loader waits for a slow read. A batch that arrives
// after an interrupt is not lost: the next call returns it.
#include <chrono>
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
using loader::ShuffleStrategy;
using loader::Split;

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
