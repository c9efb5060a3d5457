"""RDataFrame-style selection: Filter, Define, Range and actions, without ROOT.

A :class:`RDataFrame` node records its chain of transformations (a picklable
list of plain values) and builds the C++ graph (``_core.Frame``) lazily, once
per process. The C++ graph parses and type-checks every expression when the
node is made (a bad expression fails at the call, with a caret), runs the
selection pass once per node and keeps its result, and presents the passing
rows to :class:`rootbatch.DataLoader` as ordinary sources, so every loader
guarantee counts passing events. See docs/frame.md.

Migrating from ROOT: ``ROOT.RDataFrame`` -> ``rootbatch.RDataFrame`` and
``ROOT.Experimental.ML.RDataLoader`` -> ``rootbatch.DataLoader``; the method
names and argument orders are ROOT's.
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from . import _core
from .files import Jagged


def _file_list(filenames) -> list[str]:
    if isinstance(filenames, (str, os.PathLike)):
        return [os.fspath(filenames)]
    files = [os.fspath(f) for f in filenames]
    if not files:
        raise ValueError("RDataFrame needs at least one file")
    return files


@dataclasses.dataclass(frozen=True)
class RSnapshotOptions:
    """How Snapshot writes: ``format`` "ttree" or "rntuple", ``compression``
    one of "zstd", "zlib", "lz4", "lzma", "none" and its ``level`` (ROOT's
    levels). ``shuffle=True`` writes the rows in a uniformly random order
    (seeded by ``seed``) through buckets on local disk (in ``temp_dir``,
    default beside the output), holding at most ``memory`` (bytes or "256MB")
    at once: a loader reading the copy sees a full shuffle at any budget."""

    format: str = "ttree"
    compression: str = "zstd"
    level: int = 5
    shuffle: bool = False
    seed: int = 0
    memory: int | str = "256MB"
    temp_dir: str = ""


class ResultPtr:
    """The value of an action, computed when first asked for (as ROOT's
    RResultPtr: ``GetValue()``); each action runs its own pass over the
    columns it needs."""

    def __init__(self, compute):
        self._compute = compute
        self._done = False
        self._value = None

    def GetValue(self):  # noqa: N802 - ROOT's name
        if not self._done:
            self._value = self._compute()
            self._done = True
        return self._value

    def IsReady(self) -> bool:  # noqa: N802
        return self._done

    def __int__(self):
        return int(self.GetValue())

    def __float__(self):
        return float(self.GetValue())

    def __index__(self):
        return int(self.GetValue())

    def __eq__(self, other):
        return self.GetValue() == other

    def __repr__(self) -> str:
        return f"ResultPtr({self.GetValue()!r})"


@dataclasses.dataclass(frozen=True)
class TCutInfo:
    """One named filter of a cut-flow report, as ROOT's TCutInfo."""

    name: str
    passed: int
    all: int

    def GetName(self) -> str:  # noqa: N802
        return self.name

    def GetPass(self) -> int:  # noqa: N802
        return self.passed

    def GetAll(self) -> int:  # noqa: N802
        return self.all

    def GetEff(self) -> float:  # noqa: N802
        return 100.0 * self.passed / self.all if self.all else 0.0


class RCutFlowReport:
    """The cut-flow of the named filters of a chain, in chain order."""

    def __init__(self, cuts: list[TCutInfo]):
        self._cuts = cuts

    def __iter__(self):
        return iter(self._cuts)

    def __len__(self) -> int:
        return len(self._cuts)

    def __getitem__(self, name: str) -> TCutInfo:
        for cut in self._cuts:
            if cut.name == name:
                return cut
        raise KeyError(f"no named filter {name!r} in this report (filters: {[c.name for c in self._cuts]})")

    def Print(self, file=None) -> None:  # noqa: N802
        """Prints the report as ROOT's Report()->Print() does."""
        first = self._cuts[0].all if self._cuts else 0
        for cut in self._cuts:
            cumulative = 100.0 * cut.passed / first if first else 0.0
            print(f"{cut.name:<20}: pass={cut.passed:<10} all={cut.all:<10} -- eff={cut.GetEff():.2f} % "
                  f"cumulative eff={cumulative:.2f} %", file=file)

    def __repr__(self) -> str:
        return f"RCutFlowReport({list(self._cuts)!r})"


class RDataFrame:
    """A lazy node of a selection graph over one tree (TTree or RNTuple) in
    one or more files: ``RDataFrame(treename, filenames)`` as in ROOT.

    Transformations (``Filter``, ``Define``, ``Redefine``, ``Range``) return
    new nodes and never read data; actions (``Count``, ``Sum``, ``Mean``,
    ``Min``, ``Max``) return a :class:`ResultPtr`; ``AsNumpy``, ``Report``
    and ``Snapshot`` run at once, as in ROOT's Python interface.
    """

    def __init__(self, treename: str, filenames, defaultColumns: Sequence[str] | None = None):  # noqa: N803
        self._tree = str(treename)
        self._files = tuple(_file_list(filenames))
        self._ops: tuple = ()
        self._default_columns = tuple(defaultColumns) if defaultColumns else ()
        self._reset()
        self._node()  # a missing file, tree or column fails here, as ROOT's constructor does

    # -- the C++ graph, per process --------------------------------------------

    def _reset(self) -> None:
        self._core = None
        self._pid = None

    def _child(self, op: tuple) -> "RDataFrame":
        child = object.__new__(RDataFrame)
        child._tree, child._files, child._default_columns = self._tree, self._files, self._default_columns
        child._ops = self._ops + (op,)
        child._parent = self
        child._reset()
        child._node()  # compiles the expression now: errors at the call, with a caret
        return child

    def _node(self):
        if self._core is not None and self._pid == os.getpid():
            return self._core
        parent = getattr(self, "_parent", None)
        if parent is not None and parent._ops == self._ops[:-1]:
            base = parent._node()
            core = _apply(base, self._ops[-1])
        else:  # unpickled: replay the chain from the files
            core = _core.Frame.open(list(self._files), self._tree)
            for op in self._ops:
                core = _apply(core, op)
        self._core, self._pid = core, os.getpid()
        return core

    def __getstate__(self):
        state = self.__dict__.copy()
        state.update(_core=None, _pid=None, _parent=None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    # -- transformations ---------------------------------------------------------

    def Filter(self, expression, name: str | Sequence[str] = "", columns: Sequence[str] | None = None):  # noqa: N802
        """Keeps the entries where ``expression`` (a C++ boolean expression
        string) is true; ``name`` makes it appear in :meth:`Report`.

        ``expression`` may instead be a vectorised NumPy callable over
        ``columns`` (scalar columns; one array each, for a chunk of rows)
        returning one bool per row: slower than a string (it runs under the
        GIL, one chunk at a time), for what the expression language lacks."""
        if not isinstance(name, str):  # Filter(callable, columns): ROOT's C++ overload order
            columns, name = name, ""
        if callable(expression):
            if not columns:
                raise TypeError("Filter(callable, name, columns): a NumPy callable needs the columns it takes")
            return self._child(("filter_numpy", expression, name, tuple(columns)))
        return self._child(("filter", str(expression), name))

    def Define(self, name: str, expression, columns: Sequence[str] | None = None):  # noqa: N802
        """A new column ``name`` computed from ``expression`` (a C++
        expression string), or from a vectorised NumPy callable over
        ``columns`` returning one number per row (see :meth:`Filter`)."""
        if callable(expression):
            if not columns:
                raise TypeError("Define(name, callable, columns): a NumPy callable needs the columns it takes")
            return self._child(("define_numpy", str(name), expression, tuple(columns)))
        return self._child(("define", str(name), str(expression)))

    def Redefine(self, name: str, expression: str):  # noqa: N802
        """Replaces column ``name`` (of the file or defined) by ``expression``."""
        return self._child(("redefine", str(name), str(expression)))

    def Range(self, begin: int, end: int | None = None, stride: int = 1):  # noqa: N802
        """Entries [begin, end) of those passing the filters above, every
        ``stride``-th (``Range(n)`` is ``Range(0, n)``; end 0 means to the end)."""
        if end is None:
            begin, end = 0, begin
        return self._child(("range", int(begin), int(end), int(stride)))

    # -- schema --------------------------------------------------------------------

    def GetColumnNames(self) -> list[str]:  # noqa: N802
        return list(self._node().column_names())

    def GetColumnType(self, name: str) -> str:  # noqa: N802
        return self._node().column_type(name)

    def GetDefinedColumnNames(self) -> list[str]:  # noqa: N802
        return [op[1] for op in self._ops if op[0] in ("define", "define_numpy")]

    def GetFilterNames(self) -> list[str]:  # noqa: N802
        return [op[2] for op in self._ops if op[0] in ("filter", "filter_numpy")]

    # -- actions -----------------------------------------------------------------------

    def Count(self) -> ResultPtr:  # noqa: N802
        return ResultPtr(lambda: int(self._node().count()))

    def Sum(self, column: str) -> ResultPtr:  # noqa: N802
        return ResultPtr(lambda: self._node().sum(column))

    def Mean(self, column: str) -> ResultPtr:  # noqa: N802
        return ResultPtr(lambda: float(self._node().mean(column)))

    def Min(self, column: str) -> ResultPtr:  # noqa: N802
        return ResultPtr(lambda: self._node().min(column))

    def Max(self, column: str) -> ResultPtr:  # noqa: N802
        return ResultPtr(lambda: self._node().max(column))

    def AsNumpy(self, columns: Iterable[str] | str | None = None, exclude: Iterable[str] | None = None) -> dict:  # noqa: N802
        """The passing entries of ``columns`` (default: every readable column
        but ``exclude``) as NumPy arrays; a jagged column is an object array
        of per-entry arrays, as ROOT gives its RVecs."""
        if columns is None:
            names = [c for c in self.GetColumnNames() if c not in set(exclude or ())]
        elif isinstance(columns, str):
            names = [columns]
        else:
            names = list(columns)
        out = {}
        for name, (values, offsets, inner, kind) in zip(names, self._node().take(names)):
            out[name] = _to_numpy(values, offsets, inner, kind)
        return out

    def Report(self) -> RCutFlowReport:  # noqa: N802
        """Passed/all per named filter, in chain order (ROOT's Report)."""
        return RCutFlowReport([TCutInfo(n, int(p), int(a)) for n, p, a in self._node().report()])

    def Snapshot(self, treename: str, filename, columnList: Sequence[str] | str | None = None,  # noqa: N803
                 options: RSnapshotOptions | None = None) -> "RDataFrame":
        """Writes the passing entries of the columns (default: all readable
        ones) as a TTree (or an RNTuple, ``options.format``) and returns an
        RDataFrame over the new file."""
        if isinstance(columnList, str):
            columnList = [columnList]
        self._snapshot(treename, filename, columnList, options or RSnapshotOptions())
        return RDataFrame(treename, os.fspath(filename))

    def _snapshot(self, treename, filename, columns, opts: RSnapshotOptions) -> dict:
        """Writes as Snapshot does; returns the shuffle's report (rows, buckets, temp_bytes, largest_bucket)."""
        from .loader import parse_memory

        return self._node().snapshot(
            str(treename), os.fspath(filename), list(columns or []), opts.format, opts.compression,
            int(opts.level), shuffle=bool(opts.shuffle), seed=int(opts.seed), memory=parse_memory(opts.memory),
            temp_dir=os.fspath(opts.temp_dir))

    # -- rootbatch additions ---------------------------------------------------------

    def entry_numbers(self) -> np.ndarray:
        """The global entry numbers (``rdfentry_``) of the passing entries, in
        order: what row i of a loader over this node is."""
        return np.asarray(self._node().entry_numbers())

    def _dataset(self, num_threads: int = 2):
        """The passing rows as a ``_core.Dataset`` the loader reads (the
        selection pass runs once per node and process)."""
        return self._node().materialize(int(num_threads))

    def Describe(self) -> str:  # noqa: N802
        lines = [f"RDataFrame over tree '{self._tree}' in {len(self._files)} file(s)"]
        for op in self._ops:
            lines.append("  " + " ".join(str(x) for x in op if x != ""))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.Describe()


def shuffle(filenames, treename: str, output, *, columns: Sequence[str] | None = None, memory: int | str = "256MB",
            seed: int = 0, compression: str = "zstd", level: int = 5, format: str = "ttree",  # noqa: A002
            temp_dir: str = "", output_tree: str | None = None) -> dict:
    """Writes `treename` of `filenames` (chained) to `output` in a uniformly
    random order, at bounded memory (``rootbatch shuffle`` from Python; the
    same as ``RDataFrame(...).Snapshot(..., RSnapshotOptions(shuffle=True))``).
    Returns what was done: rows, buckets, temp_bytes, largest_bucket."""
    df = RDataFrame(treename, filenames)
    return dict(df._snapshot(output_tree or treename, output, columns,
                             RSnapshotOptions(format=format, compression=compression, level=level, shuffle=True,
                                              seed=seed, memory=memory, temp_dir=os.fspath(temp_dir))))


def _apply(core, op: tuple):
    kind = op[0]
    if kind == "filter":
        return core.filter(op[1], op[2])
    if kind == "define":
        return core.define(op[1], op[2])
    if kind == "filter_numpy":
        return core.filter_numpy(list(op[3]), op[1], op[2])
    if kind == "define_numpy":
        return core.define_numpy(op[1], list(op[3]), op[2])
    if kind == "redefine":
        return core.redefine(op[1], op[2])
    if kind == "range":
        return core.range(op[1], op[2], op[3])
    raise AssertionError(f"unknown operation {kind}")


def _to_numpy(values, offsets, inner, kind: str) -> Any:
    if kind == "string":
        raw = values.tobytes()
        return np.array([raw[offsets[i]: offsets[i + 1]].decode("utf-8", "replace")
                         for i in range(len(offsets) - 1)], dtype=object)
    if offsets is None:
        return values
    jagged = Jagged(offsets, Jagged(inner, values)) if inner is not None else Jagged(offsets, values)
    out = np.empty(len(jagged), dtype=object)
    for i in range(len(jagged)):
        item = jagged[i]  # an array view, or (doubly jagged) a Jagged of the entry's lists
        out[i] = [item[j] for j in range(len(item))] if isinstance(item, Jagged) else item
    return out
