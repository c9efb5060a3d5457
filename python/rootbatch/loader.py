"""DataLoader: shuffled, memory-bounded batches from ROOT trees.

    loader = rootbatch.DataLoader("events.root", tree="events", target="label",
                                  weights="weight", batch_size=1024, memory="256MB")
    train, val = loader.train_test_split(test_size=0.2)
    for epoch in range(3):
        train.set_epoch(epoch)
        for x, y, w in train.as_numpy():
            ...

The C++ loader does all the work (reading, decompressing, converting,
shuffling, assembling batches) on its own threads; Python only receives
finished batches whose tensors view the C++ buffers (no copies). Each
iteration over a loader (or one of its ``as_*`` views) is one epoch; the
epoch advances by itself, or set it with :meth:`DataLoader.set_epoch`.

What a batch yields, in every adapter:

- ``x``                   without targets and weights
- ``(x, y)``              with ``target``
- ``(x, y, w)``           with ``target`` and ``weights``

``x`` is the [rows, F] feature matrix; with padded or ragged jagged columns it
is a dict: ``"features"`` plus one entry per jagged column (and
``"<name>_mask"`` where a mask was asked for; ragged columns give a
``(values, offsets)`` pair). ``y`` is [rows, T] (T targets; with labelled
sources the class label is the last column), ``w`` is [rows].
"""
from __future__ import annotations

import copy
import dataclasses
import os
import types
import warnings
from typing import Any, Callable, Iterator, Mapping, Sequence

from . import _core, particles
from .errors import ShuffleQualityWarning

__all__ = ["DataLoader", "Source", "Batch", "JaggedSpec", "parse_memory", "loader_options"]

def parse_memory(size: int | str) -> int:
    """Bytes of a memory size: an int, or "256MB", "1.5GB", "64MiB" (K/M/G are
    powers of 1024, as in ``rootbatch bench --memory``; one parser in C++ for both)."""
    if isinstance(size, bool) or not isinstance(size, (int, str)):
        raise TypeError(f"memory must be an int or a text like '256MB', got {size!r}")
    if isinstance(size, int):
        if size <= 0:
            raise ValueError(f"memory must be positive, got {size}")
        return size
    return _core.parse_size(size)


def loader_options() -> list[dict]:
    """Every DataLoader option from the C++ option schema: name, default (as
    text), whether it changes the batches (and so the resume state), help."""
    return [dict(row) for row in _core.loader_options()]


@dataclasses.dataclass(frozen=True)
class Source:
    """One source of events: files (paths or glob patterns) x one tree.

    ``label``: a class label for every event of this source (all sources must
    have one or none); it becomes the last target column, ``class_label``.
    ``sampling_ratio``: per epoch this source contributes round(ratio x its
    events) events (below 1 a fresh random subset each epoch, above 1 every
    event floor(ratio) times plus a subset); a ratio giving none is an error.
    ``entries``: (start, stop) entries of this source to use.

    ``files`` may also be a :class:`rootbatch.RDataFrame` node: the source is
    then its passing entries (rows), with its defined columns; ``tree`` is
    ignored and ``entries`` count rows.
    """

    files: tuple
    tree: str = "events"
    label: int | None = None
    sampling_ratio: float = 1.0
    entries: tuple | None = None
    frame: Any = None

    def __init__(self, files, tree: str = "events", label: int | None = None, sampling_ratio: float = 1.0,
                 entries: tuple | None = None):
        from .frame import RDataFrame

        frame = None
        if isinstance(files, RDataFrame):
            frame, files, tree = files, files._files, files._tree
        elif isinstance(files, (str, os.PathLike)):
            files = [files]
        object.__setattr__(self, "files", tuple(os.fspath(f) for f in files))
        object.__setattr__(self, "tree", tree)
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "sampling_ratio", float(sampling_ratio))
        object.__setattr__(self, "entries", None if entries is None else (int(entries[0]), int(entries[1])))
        object.__setattr__(self, "frame", frame)
        if not self.files:
            raise ValueError("a Source needs at least one file")

    def _dataset(self, num_threads: int):
        if self.frame is not None:
            return self.frame._dataset(num_threads)
        return _core.Dataset.open(list(self.files), self.tree)


@dataclasses.dataclass(frozen=True)
class JaggedSpec:
    """How to batch one jagged column (std::vector<T>, T[n] with a counter).

    mode "pad":     [rows, max_length] (pad_value beyond each entry), with an
                    optional bool mask [rows, max_length]
    mode "flatten": max_length columns name_0.. appended to the feature matrix
                    (what ROOT's RDataLoader does with ``max_vec_sizes``)
    mode "ragged":  (values, offsets) per batch

    A doubly jagged column (std::vector<std::vector<T>>) also needs
    ``max_inner_length``, the items kept per inner list: "pad" gives
    [rows, max_length, max_inner_length] (and mask likewise), "flatten" the
    features name_i_j (item j of list i); "ragged" takes one level only.
    """

    mode: str = "pad"
    max_length: int = 0
    pad_value: float = 0.0
    mask: bool = False
    type: str = "float32"
    max_inner_length: int = 0


def _jagged_specs(jagged, max_vec_sizes, vec_padding) -> list:
    specs = []
    for name, spec in (jagged or {}).items():
        if isinstance(spec, int):
            spec = JaggedSpec(mode="pad", max_length=spec, pad_value=vec_padding)
        elif isinstance(spec, tuple):  # (lists, items per list) of a doubly jagged column
            spec = JaggedSpec(mode="pad", max_length=spec[0], max_inner_length=spec[1], pad_value=vec_padding)
        elif isinstance(spec, Mapping):
            spec = JaggedSpec(**spec)
        specs.append((name, spec))
    for name, length in (max_vec_sizes or {}).items():
        lengths = tuple(length) if isinstance(length, (tuple, list)) else (length, 0)
        specs.append((name, JaggedSpec(mode="flatten", max_length=lengths[0], max_inner_length=lengths[1],
                                       pad_value=vec_padding)))
    return specs


# DataLoader's keywords that name a loader option: the C++ option schema's
# names. Their values go to C++ as given, which checks kinds and bounds (a
# batch_size of 2.5 is an error, not 2) and suggests a name for a typo.
_OPTION_NAMES = frozenset(row["name"] for row in _core.loader_options())


def _core_options(options: dict):
    values = dict(options)
    values["jagged"] = [_jagged_column(name, spec) for name, spec in options["jagged"]]
    return _core.LoaderOptions.from_dict(values)


def _jagged_column(name: str, spec: JaggedSpec):
    j = _core.JaggedColumn()
    j.name = name
    j.mode = spec.mode
    j.max_length = spec.max_length
    j.pad_value = spec.pad_value
    j.mask = spec.mask
    j.type = spec.type
    j.max_inner_length = spec.max_inner_length
    return j


class Batch:
    """One batch as the C++ loader made it: tensors that export to NumPy
    (``np.asarray``, ``.numpy()``) and DLPack (``torch.from_dlpack``) without copies."""

    __slots__ = ("_batch",)

    def __init__(self, core_batch):
        self._batch = core_batch

    epoch = property(lambda self: self._batch.epoch)
    index = property(lambda self: self._batch.index, doc="batch number within the epoch (this shard)")
    num_rows = property(lambda self: self._batch.num_rows)
    features = property(lambda self: self._batch.features, doc="[rows, F] tensor")
    targets = property(lambda self: self._batch.targets, doc="[rows, T] tensor or None")
    weights = property(lambda self: self._batch.weights, doc="[rows] tensor or None")
    entries = property(lambda self: self._batch.entries, doc="[rows] int64: global entry index of each row")
    padded = property(lambda self: list(self._batch.padded))
    masks = property(lambda self: list(self._batch.masks))
    ragged = property(lambda self: list(self._batch.ragged))

    def __len__(self) -> int:
        return self._batch.num_rows

    def outputs(self, convert: Callable) -> Any:
        """x, (x, y) or (x, y, w) with each tensor passed through ``convert``."""
        b = self._batch
        padded = [(t.name, convert(t), None if m is None else m.name, None if m is None else convert(m))
                  for t, m in zip(b.padded, b.masks)]
        ragged = [(r.name, convert(r.values), convert(r.offsets)) for r in b.ragged]
        return batch_structure(convert(b.features), padded, ragged,
                               None if b.targets is None else convert(b.targets),
                               None if b.weights is None else convert(b.weights))

    def numpy(self):
        """x, (x, y) or (x, y, w) as NumPy arrays viewing the batch buffer."""
        return self.outputs(_to_numpy)

    def __repr__(self) -> str:
        return f"<rootbatch.Batch epoch {self.epoch} #{self.index}: {self.num_rows} rows>"


def batch_structure(features, padded, ragged, targets, weights):
    """What every adapter yields for a batch (or, for TensorFlow, the specs
    of one): the one place of the x / (x, y) / (x, y, w) rule.

    ``padded``: [(name, tensor, mask_name, mask or None)]; ``ragged``:
    [(name, values, offsets)]. With either, x is a dict of ``"features"`` and
    one entry per jagged column (plus ``"<name>_mask"``); else the features.
    ``targets`` and ``weights`` are None when the loader has none.
    """
    if padded or ragged:
        x = {"features": features}
        for name, tensor, mask_name, mask in padded:
            x[name] = tensor
            if mask is not None:
                x[mask_name] = mask
        for name, values, offsets in ragged:
            x[name] = (values, offsets)
    else:
        x = features
    if targets is None and weights is None:
        return x
    if weights is None:
        return x, targets
    return x, targets, weights


def _to_numpy(tensor):
    return tensor.numpy()


class DataLoader:
    """Shuffled batches from one or more sources of ROOT trees.

    Parameters (names follow ROOT's ``RDataLoader`` where they mean the same):

    sources:          a path or glob, a list of them, a :class:`Source`, a list
                      of Sources (several samples, e.g. signal and background),
                      or a :class:`rootbatch.RDataFrame` node (or a list of
                      them), as ROOT's RDataLoader takes: its passing entries
                      with its defined columns
    tree:             the tree name for sources given as paths
    columns:          feature columns (default: every numeric scalar column that
                      is not a target, the weight or jagged)
    target:           a column or list of columns (y)
    weights:          a column of per-event weights (w)
    class_columns:    one-hot class columns (``label_QCD``, ``label_Hbb``, ...):
                      y ends with the index of the one set in each event
                      ("class_index", int64 unless ``target_type`` is set)
    batch_size:       rows per batch
    memory:           hard cap on what the loader holds ("256MB", bytes):
                      the shuffle buffer, reads in flight and ready batches
                      (instead of RDataLoader's ``batches_in_memory``)
    shuffle:          True (rootbatch's streaming shuffle), False (file order),
                      or a strategy name: "stream", "pieces" (the buffer holds
                      whole pieces; batches take a share of each, copied in
                      runs), "scatter" (the reading threads write each row
                      straight into its batch; fixed-size columns only),
                      "cluster-chunks" (ROOT's), "none"
    seed:             the shuffle seed (``set_seed`` in RDataLoader); batches
                      depend only on the data, the options and the seed
    validation_split: fraction of each source's entries held out for
                      validation; see :meth:`train_test_split`
    drop_remainder:   drop the last partial batch (RDataLoader's default is
                      True; here False: the last batch keeps its true size)
    jagged:           {column: JaggedSpec | max_length | dict} for jagged columns
    max_vec_sizes:    {column: n}: RDataLoader-style flattening of jagged
                      columns into n feature columns padded with ``vec_padding``;
                      a column also named in ``columns`` is flattened at its
                      place there (ROOT's feature order), others come last
    num_threads:      decompression threads (plus one assembling batches)
    collections:      {name: {"columns": [...], "max_length": P, "layout": "BPF"
                      | "BFP" | "ragged", "pad_value": 0, "sort_by": column,
                      "mask": True}}: jagged columns of one collection (the
                      particles of a jet) as x[name], [rows, P, F] (BPF) or
                      [rows, F, P] (BFP), ordered by ``sort_by`` (largest
                      first) and truncated to P, with x[name + "_mask"]
                      [rows, P]; "ragged": (values [items, F], offsets)
    preprocessing:    {column: {"fill_nan": v, "log": True, "standardize":
                      "auto" | (center, scale), "clip": (lo, hi)}} or the path
                      of a file from :meth:`save_preprocessing`; applied in C++
                      in that order to features, jagged columns and
                      collection members ("auto": the mean and spread of a
                      seeded sample of the training split, the same numbers
                      for the training and the validation loader; see
                      :attr:`preprocessing`)
    preprocessing_sample: training entries sampled for "auto"
    reweight:         {"variables": ["jet_pt", "jet_eta"], "edges": [pt_edges,
                      eta_edges], "classes": ["label_QCD", "label_Hbb", ...]
                      (one-hot columns), "reference": None | a class column,
                      "mode": "weights" | "sample"}: per-class histograms of
                      the training split give weights that flatten every
                      class's spectrum (or match the reference class's), each
                      class's total equal; "weights" delivers them as w,
                      "sample" keeps each event with probability w / max(w)
                      (seeded, the same events every epoch). See
                      :attr:`reweighting`
    lossy_features:   integer features a float feature type may round; any
                      other integer value a float cannot hold exactly (a
                      uint64 event number as float32) is an error naming it

    Every option is checked when the loader is made (kinds, bounds, names);
    ``rootbatch.loader_options()`` lists them with their defaults.
    """

    def __init__(
        self,
        sources,
        tree: str = "events",
        columns: Sequence[str] | None = None,
        target: str | Sequence[str] | None = None,
        weights: str | None = None,
        *,
        batch_size: int = 1024,
        memory: int | str = "256MB",
        shuffle: bool | str = True,
        seed: int = 0,
        validation_split: float = 0.0,
        drop_remainder: bool = False,
        jagged: Mapping | None = None,
        max_vec_sizes: Mapping[str, int] | None = None,
        vec_padding: float = 0.0,
        feature_type: str = "float32",
        target_type: str | None = None,
        weight_type: str = "float32",
        num_threads: int = 2,
        queue_batches: int = 2,
        block_split: int = 1,
        pieces_per_buffer: int = 100,
        stratify: bool = True,
        max_block_entries: int = 65536,
        lossy_features: Sequence[str] | None = None,
        collections: Mapping | None = None,
        preprocessing: Mapping | str | os.PathLike | None = None,
        preprocessing_sample: int = 100000,
        reweight: Mapping | None = None,
        class_columns: Sequence[str] | None = None,
        set_seed: int | None = None,
    ):
        if set_seed is not None:
            seed = set_seed
        given = locals()
        options = {name: given[name] for name in _OPTION_NAMES if name in given}
        options["jagged"] = _jagged_specs(jagged, max_vec_sizes, vec_padding)
        options["collections"] = particles.collection_specs(collections)
        options["preprocessing"] = particles.transform_specs(preprocessing)
        options["reweight"] = dict(reweight) if reweight is not None else None
        self._sources = _as_sources(sources, tree)
        self._option_values = options
        _core_options(options)  # checks every option now, not at the first batch
        for source in self._sources:  # a missing file fails here, not at the first batch
            _core.check_files(list(source.files))
        self._reset_runtime()
        self._next_epoch = 0
        self._resume: dict | None = None

    # -- construction of the C++ loader (lazily, once per process) ---------------

    def _reset_runtime(self) -> None:
        self._core = None
        self._pid = None
        self._active = None  # token of the generator iterating now
        self._active_epoch = None
        self._elastic = None  # {"core", "world", "pid"}: the rest of an epoch of another world shape

    def _inputs(self):
        inputs = []
        for s in self._sources:
            dataset = s._dataset(self._option_values["num_threads"])
            inputs.append(_core.LoaderInput(dataset, s.label, s.sampling_ratio, s.entries))
        return inputs

    def _build(self):
        return _core.Loader(self._inputs(), _core_options(self._option_values))

    def _loader(self):
        """The C++ loader of this process (a forked or unpickled copy builds its own)."""
        if self._core is None or self._pid != os.getpid():
            self._core = self._build()
            self._pid = os.getpid()
            self._active = None
            if not getattr(self, "_cluster_warned", False):
                # Once per loader (workers inherit the flag): the layout, not the epoch, decides it.
                self._cluster_warned = True
                message = self._core.cluster_warning()
                if message:
                    warnings.warn(message, ShuffleQualityWarning, stacklevel=3)
        return self._core

    def close(self) -> None:
        """Stops reading and frees the loader's threads and buffers now (batches
        already handed out stay valid). The loader rebuilds itself if used again."""
        core, self._core = self._core, None
        self._active = None
        self._elastic = None
        del core

    def __getstate__(self):
        # Picklable for spawn-started workers: the configuration and the
        # position, never the C++ objects.
        state = self.__dict__.copy()
        position = self.state_dict()
        state["_next_epoch"] = position["next_epoch"]
        state["_resume"] = ({"epoch": position["epoch"], "state": position["state"], "world": position.get("world")}
                            if position["state"] or position.get("world") else None)
        state["_elastic"] = None
        state.update(_core=None, _pid=None, _active=None, _active_epoch=None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    # -- configuration views ------------------------------------------------------

    def _derive(self, **changes) -> "DataLoader":
        other = copy.copy(self)
        other._option_values = {**self._option_values, **changes}
        _core_options(other._option_values)
        other._reset_runtime()
        other._resume = None
        return other

    def train_test_split(self, test_size: float | None = None) -> tuple["DataLoader", "DataLoader"]:
        """(train, validation) loaders over disjoint entries: seeded random
        pieces (1/128 of a source, whatever its clusters) holding ``test_size``
        of each source's entries go to validation.
        The split depends on the seed and the data, never on the epoch, so the
        two loaders (same seed) never overlap; each part is shuffled per epoch."""
        fraction = self._option_values["validation_split"] if test_size is None else test_size
        if not 0.0 < fraction < 1.0:
            raise ValueError(f"test_size must be in (0, 1), got {fraction}")
        train = self._derive(split="train", validation_split=fraction)
        val = self._derive(split="validation", validation_split=fraction)
        return train, val

    def shard(self, rank: int = 0, world_size: int = 1, worker_id: int = 0, num_workers: int = 1) -> "DataLoader":
        """This loader's part for one process (rank of world_size) and one
        data-loading worker of it: shards are disjoint and yield equally many batches."""
        return self._derive(rank=rank, world_size=world_size, worker_id=worker_id, num_workers=num_workers)

    @property
    def config(self) -> types.SimpleNamespace:
        """The sources and every option as given (``config.batch_size``, ``config.split``)."""
        return types.SimpleNamespace(sources=list(self._sources), **self._option_values)

    @property
    def batch_size(self) -> int:
        return int(self._option_values["batch_size"])

    @property
    def epoch(self) -> int:
        """The epoch the next iteration runs."""
        return self._next_epoch

    def set_epoch(self, epoch: int) -> None:
        """Makes the next iteration run epoch ``epoch`` (a different shuffle per epoch)."""
        if epoch < 0:
            raise ValueError(f"epoch must be >= 0, got {epoch}")
        self._next_epoch = int(epoch)
        self._resume = None

    def _elastic_loader(self):
        """The loader of the rest of an epoch saved in another world shape
        (pending in ``_resume``), built once per process and kept until that
        epoch has run: this shard's part of the rows left, that epoch only."""
        world = self._resume["world"]
        key = (world, self._resume.get("state"))
        cached = self._elastic
        if cached is None or cached["pid"] != os.getpid() or cached["key"] != key:
            core = _core.resume_elastic(self._inputs(), _core_options(self._option_values), world)
            if self._resume.get("state"):
                core.restore(self._resume["state"])
            self._elastic = cached = {"core": core, "world": world, "key": key, "pid": os.getpid()}
        return cached["core"]

    def _epoch_loader(self):
        """The C++ loader of the current epoch, or of the next one (set to it)."""
        if self._active is not None:
            return self._elastic["core"] if self._elastic is not None else self._loader()
        if self._resume is not None and self._resume.get("world"):
            return self._elastic_loader()
        core = self._loader()
        core.set_epoch(self._resume["epoch"] if self._resume else self._next_epoch)
        return core

    def __len__(self) -> int:
        """Batches of the next epoch for this shard (the same on every shard;
        after a resume into another world shape, those of the rest of that epoch)."""
        return int(self._epoch_loader().epoch_info()["num_batches"])

    @property
    def num_batches(self) -> int:
        return len(self)

    def shuffle_plan(self) -> dict:
        """What the memory budget buys, before the epoch: the shuffle figures
        of the current (or next) epoch for this shard (``bins_per_batch``,
        ``var_ratio``, ``spearman``; a full shuffle gives 100, 1, 0), computed
        from the epoch's read order and slot schedule without reading data,
        so they are the figures the epoch will have. Also ``buffer_rows``,
        ``segments_per_buffer`` (how many reads the buffer mixes),
        ``piece_entries`` (the longest piece of a block the order places),
        ``units_read`` against ``units`` (baskets or pages the epoch will
        decompress, against those under its rows: pieces shorter than a
        basket read it more than once), ``largest_cluster`` and ``warnings``
        (with what to do), and ``description``. Costs one pass of index arithmetic over the epoch's
        rows (tens of milliseconds per million)."""
        return self._epoch_loader().shuffle_plan()

    def epoch_info(self) -> dict:
        """Rows, batches and left-out rows of the current (or next) epoch."""
        return self._epoch_loader().epoch_info()

    @property
    def feature_names(self) -> list[str]:
        return list(self._loader().layout()["feature_names"])

    @property
    def target_names(self) -> list[str]:
        return list(self._loader().layout()["target_names"])

    @property
    def layout(self) -> dict:
        """What a batch holds: ``parts`` [(name, dtype, per-row shape)],
        ``targets_part``, ``weights_part``, ``padded_parts``, ``mask_parts``
        (indices into parts, -1 for none), ``ragged`` [(name, dtype, item
        shape)], ``feature_names``, ``target_names``."""
        return self._loader().layout()

    @property
    def iterating(self) -> bool:
        """True while an iteration over this loader (in this process) is under way."""
        return self._active is not None and self._core is not None and self._pid == os.getpid()

    @property
    def preprocessing(self) -> dict:
        """{column: transform} as applied, "auto" numbers computed (from the
        training split, before the first batch): give it back as
        ``preprocessing=`` (or save it with :meth:`save_preprocessing`) to
        apply exactly the same numbers elsewhere (inference, another job)."""
        transforms, _ = self._loader().preprocessing()
        return particles.applied(transforms)

    @property
    def reweighting(self) -> dict | None:
        """The class reweighting's numbers: ``counts`` and ``weights`` as
        [classes, bins of variable 0(, bins of variable 1)] arrays, ``edges``,
        ``max_weight``; in sample mode ``considered`` and ``kept`` events."""
        table = self._loader().reweighting()
        if table is None:
            return None
        import numpy as np
        shape = [-1] + [len(e) - 1 for e in table["edges"]]
        return {**table, "counts": np.asarray(table["counts"]).reshape(shape),
                "weights": np.asarray(table["weights"]).reshape(shape)}

    def save_preprocessing(self, path) -> None:
        """Writes :attr:`preprocessing` as JSON (``preprocessing=path`` reads it)."""
        transforms, sampled = self._loader().preprocessing()
        particles.save_preprocessing(particles.applied(transforms), path, sampled)

    @property
    def memory_plan(self) -> dict:
        return self._loader().memory()

    @property
    def stats(self) -> dict:
        """What the loader did so far in this process: batches, events, bytes
        read and decompressed, storage units (baskets or pages), wait times, time to first batch."""
        if self._core is None or self._pid != os.getpid():
            return {}
        return self._core.stats()

    # -- iteration ------------------------------------------------------------------

    def batches(self) -> Iterator[Batch]:
        """One epoch of :class:`Batch` objects (the next epoch, or the rest of a
        restored one)."""
        core = self._loader()
        token = object()
        if self._resume is not None and self._resume.get("world"):
            # The rest of an epoch saved in another world shape: a loader of
            # this shard over the rows left, for this epoch only. The pending
            # state is dropped only once that loader stands.
            core = self._elastic_loader()
            epoch = self._resume["epoch"]
            self._resume = None
        elif self._resume is not None:
            core.restore(self._resume["state"])
            epoch = self._resume["epoch"]
            self._resume = None
        else:
            epoch = self._next_epoch
            core.set_epoch(epoch)
        self._next_epoch = epoch + 1
        self._active = token
        self._active_epoch = epoch
        try:
            while True:
                if self._active is not token:
                    raise RuntimeError("another iteration over this loader started; each loader runs one at a time")
                batch = core.next()
                if batch is None:
                    return
                yield Batch(batch)
        finally:
            if self._active is token:
                self._active = None
                self._elastic = None  # that epoch's rest is over (or abandoned)

    def __iter__(self) -> Iterator[Batch]:
        return self.batches()

    def state_dict(self) -> dict:
        """Where this loader is: during an epoch, the epoch and the batches
        consumed so far; between epochs, the next epoch. Restore it with
        :meth:`load_state_dict` into a loader built the same way (thread counts
        may differ) to get exactly the remaining batches."""
        if self._active is not None and self._core is not None and self._pid == os.getpid():
            epoch = self._active_epoch
            elastic = self._elastic
            if elastic is not None:
                return {"version": 1, "next_epoch": epoch + 1, "epoch": epoch, "state": elastic["core"].state(),
                        "world": elastic["world"]}
            return {"version": 1, "next_epoch": epoch + 1, "epoch": epoch, "state": self._core.state()}
        if self._resume is not None:
            epoch = self._resume["epoch"]
            return {"version": 1, "next_epoch": epoch + 1, "epoch": epoch, "state": self._resume.get("state"),
                    **({"world": self._resume["world"]} if self._resume.get("world") else {})}
        return {"version": 1, "next_epoch": self._next_epoch, "epoch": None, "state": None}

    def load_state_dict(self, state_dict: Mapping) -> None:
        if state_dict.get("version") != 1:
            raise ValueError(f"not a rootbatch loader state: {state_dict!r}")
        self._next_epoch = int(state_dict["next_epoch"])
        if state_dict.get("world"):
            self._resume = {"epoch": int(state_dict["epoch"]), "state": state_dict.get("state"),
                            "world": state_dict["world"]}
        elif state_dict.get("state"):
            self._resume = {"epoch": int(state_dict["epoch"]), "state": state_dict["state"]}
        else:
            self._resume = None

    def world_state(self, states: Sequence[Mapping], world_size: int, num_workers: int = 1) -> dict:
        """One state for a whole world: ``states[rank * num_workers + worker_id]``
        is the ``state_dict()`` of that shard of this loader (``shard(rank,
        world_size, worker_id, num_workers)``), all saved at one moment of one
        epoch. Load the result into the shards of *another* world shape
        (``load_state_dict``): together they yield every event of the epoch
        that the saved world had not yielded, exactly once, with equally many
        batches per shard (not the batches an uninterrupted run would have
        made; within a shape, resume stays batch-identical). The resumed shards
        run the rest of that epoch only, then go on with the next epoch as
        usual. A shard that had not started the epoch counts at its start, one
        that had finished it at its end."""
        for i, state in enumerate(states):
            if state.get("version") != 1 or state.get("world"):
                raise ValueError(f"state {i} is not a shard's state: {state!r}")
        epochs = {int(st["epoch"]) for st in states if st.get("state")}
        if len(epochs) != 1:
            raise ValueError(f"the states are not of one moment of one epoch: within epochs {sorted(epochs)}")
        epoch = epochs.pop()
        texts = []
        for i, state in enumerate(states):
            if state.get("state"):
                texts.append(state["state"])
            elif int(state["next_epoch"]) == epoch:  # not started: at its position 0
                texts.append(None)
            elif int(state["next_epoch"]) == epoch + 1:  # done with the epoch: at its end
                shard = self.shard(i // int(num_workers), int(world_size), i % int(num_workers), int(num_workers))
                core = shard._loader()
                core.set_epoch(epoch)
                texts.append(core.end_state())
            else:
                raise ValueError(f"state {i} is before epoch {state['next_epoch']}, the others within epoch {epoch}: "
                                 "the states are not of one moment of one epoch")
        world = _core.gather_world(self._inputs(), _core_options(self._option_values), int(world_size),
                                   int(num_workers), texts)
        return {"version": 1, "next_epoch": epoch + 1, "epoch": epoch, "state": None, "world": world}

    # -- adapters ---------------------------------------------------------------------

    def as_numpy(self, progress: bool | str = False):
        """An iterable of x / (x, y) / (x, y, w) NumPy arrays; each iteration is one epoch."""
        from .numpy import NumpyIterable

        return NumpyIterable(self, progress=progress)

    def as_torch(self, device=None, pin_memory: bool = False, non_blocking: bool = True,
                 progress: bool | str = False, shard: bool = True):
        """A ``torch.utils.data.IterableDataset`` of torch tensors (zero-copy on
        the CPU; ``pin_memory`` copies into pinned memory, ``device`` moves
        there). Use it directly or in ``torch.utils.data.DataLoader(ds,
        batch_size=None, num_workers=k)``: it shards across workers and DDP ranks."""
        from .torch import TorchDataset

        return TorchDataset(self, device=device, pin_memory=pin_memory, non_blocking=non_blocking,
                            progress=progress, shard=shard)

    def as_tensorflow(self, progress: bool | str = False):
        """A ``tf.data.Dataset`` (from_generator with an output_signature)."""
        from .tf import as_tensorflow

        return as_tensorflow(self, progress=progress)

    def as_keras(self, **kwargs):
        """A Keras 3 ``PyDataset`` for ``model.fit(train, validation_data=val)``."""
        from .tf import KerasDataset

        return KerasDataset(self, **kwargs)

    def as_jax(self, progress: bool | str = False, device=None):
        """An iterable of JAX arrays (imported through DLPack, no copy on the CPU)."""
        from .jax import JaxIterable

        return JaxIterable(self, progress=progress, device=device)

    def __repr__(self) -> str:
        o = _core_options(self._option_values).to_dict()
        files = sum(len(s.files) for s in self._sources)
        return (f"<rootbatch.DataLoader {len(self._sources)} source(s), {files} file(s), batch {o['batch_size']}, "
                f"shuffle {o['shuffle']}, split {o['split']}, memory {int(o['memory']) / (1 << 20):g} MiB>")


def _as_sources(sources, tree: str) -> list:
    from .frame import RDataFrame

    if isinstance(sources, Source):
        return [sources]
    if isinstance(sources, RDataFrame):  # as ROOT's RDataLoader takes an RDataFrame node
        return [Source(sources)]
    if isinstance(sources, (str, os.PathLike)):
        return [Source([sources], tree)]
    sources = list(sources)
    if not sources:
        raise ValueError("no sources given")
    if all(isinstance(s, RDataFrame) for s in sources):  # RDataLoader's list of RDataFrames
        return [Source(s) for s in sources]
    if all(isinstance(s, Source) for s in sources):
        return sources
    if any(isinstance(s, (Source, RDataFrame)) for s in sources):
        raise TypeError("give either paths, RDataFrame nodes or Source objects, not a mix")
    return [Source(sources, tree)]
