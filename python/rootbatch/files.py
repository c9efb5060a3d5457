"""ROOT files and trees: list what a file holds and read columns into NumPy.

    >>> f = rootbatch.open("events.root")
    >>> f.trees()
    ['events']
    >>> t = f["events"]
    >>> t.num_entries, t.typenames()["px"]
    (100000, 'float')
    >>> arrays = t.arrays(["px", "py"], entry_stop=1000)   # dict of numpy arrays
    >>> "px" in t, len(t), list(t)[:2]      # a tree is a mapping of column names
    (True, 12, ['px', 'py'])

Reads are zero-copy: each array views the buffer the C++ decoder filled and
keeps it alive. Jagged columns come back as :class:`Jagged` (``offsets`` and
flat ``values``; ``to_awkward()`` if awkward is installed), doubly jagged ones
(``std::vector<std::vector<T>>``) as a Jagged whose values are a Jagged;
string columns as a NumPy object array of ``str`` (a copy).
"""
from __future__ import annotations

import dataclasses
import os
from typing import Iterable, Sequence

import numpy as np

from . import _core

__all__ = ["open", "File", "Tree", "ColumnInfo", "Key", "Jagged", "TREE_CLASSES"]

# Classes of the keys a File opens as a Tree: TTrees and RNTuples.
TREE_CLASSES = ("TTree", "TNtuple", "TNtupleD", "ROOT::RNTuple")


@dataclasses.dataclass(frozen=True)
class Key:
    """One key of a ROOT file (``rootbatch ls`` shows the same)."""

    path: str
    class_name: str
    cycle: int
    title: str
    stored_bytes: int
    object_bytes: int


@dataclasses.dataclass(frozen=True)
class ColumnInfo:
    """A readable column of a tree."""

    name: str
    dtype: str          # element type in memory: "float32", "int64", ...
    kind: str           # "scalar", "fixed", "jagged", "doubly_jagged" or "string"
    inner_shape: tuple  # fixed dims per entry (fixed) or per item (jagged)
    source_type: str    # ROOT's type name: "float", "float[3]", "std::vector<float>"

    @property
    def numpy_dtype(self) -> np.dtype:
        return np.dtype("uint8" if self.dtype == "char" else self.dtype)


@dataclasses.dataclass
class Jagged:
    """A jagged column: entry ``i`` holds ``values[offsets[i]:offsets[i+1]]``.

    For a doubly jagged column (``std::vector<std::vector<float>>``),
    ``values`` is itself a Jagged: the lists, each with its items.
    """

    offsets: np.ndarray            # int64 [entries + 1], from 0
    values: "np.ndarray | Jagged"  # [items, inner...], or the inner lists

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def counts(self) -> np.ndarray:
        return np.diff(self.offsets)

    @property
    def depth(self) -> int:
        """Levels of lists: 1 for ``vector<float>``, 2 for ``vector<vector<float>>``."""
        return 1 + (self.values.depth if isinstance(self.values, Jagged) else 0)

    def __getitem__(self, i):
        """Entry ``i`` (an array, or a Jagged of its lists), or a Jagged of entries for a slice."""
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step != 1:
                raise ValueError("Jagged slices take a step of 1")
            stop = max(stop, start)
            offsets = self.offsets[start : stop + 1]
            return Jagged(offsets - offsets[0], self.values[offsets[0] : offsets[-1]])
        return self.values[self.offsets[i] : self.offsets[i + 1]]

    def to_list(self) -> list:
        if isinstance(self.values, Jagged):
            return [self[i].to_list() for i in range(len(self))]
        return [self[i].tolist() for i in range(len(self))]

    def _layout(self):
        import awkward as ak

        if isinstance(self.values, Jagged):
            content = self.values._layout()
        else:
            content = ak.contents.NumpyArray(self.values)
        return ak.contents.ListOffsetArray(ak.index.Index64(self.offsets), content)

    def to_awkward(self):
        import awkward as ak

        return ak.Array(self._layout())


def open(path: str | os.PathLike) -> "File":  # noqa: A001 - mirrors uproot.open
    """Opens a local ROOT file (reads its header and key lists only)."""
    return File(_core.open_file(os.fspath(path)))


class File:
    """An open ROOT file. Cheap to keep open; closes when dropped."""

    def __init__(self, core_file):
        self._file = core_file

    @property
    def path(self) -> str:
        return self._file.name

    @property
    def size(self) -> int:
        return self._file.size

    @property
    def root_version(self) -> str:
        return self._file.root_version

    def keys(self) -> list[Key]:
        """Every key in every directory, depth first, in file order."""
        return [Key(*k) for k in self._file.keys()]

    def trees(self) -> list[str]:
        """Paths of the TTrees and RNTuples ("dir/name"), one per name: what
        ``f[path]`` opens. TTrees come first, in file order, then RNTuples.
        """
        return list(self._file.trees()) + list(self._file.rntuples())

    def rntuples(self) -> list[str]:
        """Paths of the RNTuples in the file, one per name."""
        return list(self._file.rntuples())

    def classnames(self) -> dict[str, str]:
        """Class of every key by "path;cycle", as uproot's ``classnames()``."""
        return {f"{k.path};{k.cycle}": k.class_name for k in self.keys()}

    def tree(self, path: str) -> "Tree":
        """Opens a tree: "events", "dir/events" or "events;2"."""
        return Tree(_core.open_tree(self._file, path), self)

    # A File is a read-only mapping of tree paths to trees: ``for p in f``,
    # ``len(f)`` and ``p in f`` see exactly what ``f[p]`` opens (TTrees and RNTuples);
    # every other key is in keys().
    __getitem__ = tree

    def __iter__(self):
        return iter(self.trees())

    def __len__(self) -> int:
        return len(self.trees())

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str):
            return False
        name, _, cycle = path.partition(";")
        return any(
            k.path == name and (not cycle or str(k.cycle) == cycle) and k.class_name in TREE_CLASSES
            for k in self.keys()
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __repr__(self) -> str:
        rntuples = len(self.rntuples())
        extra = f" ({rntuples} RNTuple{'s' if rntuples != 1 else ''})" if rntuples else ""
        return (
            f"<rootbatch.File {self.path!r}: {len(self.keys())} keys, {len(self)} trees{extra}, "
            f"ROOT {self.root_version}>"
        )


class Tree:
    """A TTree or an RNTuple as columns. Reading is thread-safe and releases the GIL.

    RNTuple fields are columns named as ROOT's RDataFrame names them: record
    members joined with dots ("lorentz_vector.pt"), collections of records as
    sibling jagged columns ("four_v_LVs.pt"), tuple members "._0", "._1".

    A read-only mapping of column names to arrays: ``tree["MET_pt"]``,
    ``"MET_pt" in tree``, ``for name in tree`` (the readable columns in tree
    order, as :meth:`keys`) and ``len(tree)`` (how many there are, as uproot's
    ``len`` counts branches; the number of entries is :attr:`num_entries`).
    A leaf of a split object may be named by its unique short name ("fBits"
    for "data/TObject/fBits").
    """

    def __init__(self, core_tree, file: File | None = None):
        self._tree = core_tree
        self._file = file  # keeps the File alive while the tree is used
        self._columns = [
            ColumnInfo(c.name, c.dtype, c.kind, tuple(c.inner_shape), c.source_type) for c in core_tree.columns
        ]
        self._index = {c.name: i for i, c in enumerate(self._columns)}

    @property
    def name(self) -> str:
        return self._tree.name

    @property
    def path(self) -> str:
        return self._tree.path

    @property
    def num_entries(self) -> int:
        return self._tree.num_entries

    @property
    def columns(self) -> list[ColumnInfo]:
        return list(self._columns)

    def keys(self) -> list[str]:
        """Names of the readable columns, in tree order."""
        return [c.name for c in self._columns]

    def typenames(self) -> dict[str, str]:
        """ROOT type names by column, as ``uproot``'s ``typenames()``."""
        return {c.name: c.source_type for c in self._columns}

    @property
    def skipped(self) -> list[tuple[str, str, str]]:
        """Branches (or RNTuple fields) that cannot be read: (name, type, reason)."""
        return [tuple(s) for s in self._tree.skipped]

    def cluster_boundaries(self) -> list[int]:
        return list(self._tree.cluster_boundaries())

    def column(self, name: str) -> ColumnInfo:
        return self._columns[self._column_index(name)]

    def _column_index(self, name: str) -> int:
        index = self._index.get(name)
        if index is None:
            index = self._tree.find_column(name)  # raises NotFoundError / UnsupportedError
        return index

    def _range(self, entry_start, entry_stop, n) -> tuple[int, int]:
        start = 0 if entry_start is None else int(entry_start)
        stop = n if entry_stop is None else int(entry_stop)
        if start < 0:
            start += n
        if stop < 0:
            stop += n
        start = min(max(start, 0), n)
        stop = min(max(stop, start), n)
        return start, stop

    def array(self, name: str, entry_start: int | None = None, entry_stop: int | None = None):
        """One column over [entry_start, entry_stop): an ndarray, a Jagged, or str objects.

        The default stop is the column's own entry count: usually the tree's,
        more for branches filled on their own (as uproot reads them).
        """
        index = self._column_index(name)
        start, stop = self._range(entry_start, entry_stop, self._tree.column_entries(index))
        values, offsets, inner_offsets = self._tree.read(index, start, stop)
        info = self._columns[index]
        if info.kind == "string":
            raw = values.tobytes()
            return np.array(
                [raw[offsets[i] : offsets[i + 1]].decode("utf-8", "replace") for i in range(len(offsets) - 1)],
                dtype=object,
            )
        if inner_offsets is not None:
            return Jagged(offsets, Jagged(inner_offsets, values))
        if offsets is not None:
            return Jagged(offsets, values)
        return values

    def arrays(
        self,
        columns: Iterable[str] | None = None,
        entry_start: int | None = None,
        entry_stop: int | None = None,
    ) -> dict:
        """Several columns (all readable ones by default) as a dict name -> array.

        ``columns`` is a list of names or one name (a str is one column, not
        its characters).
        """
        if columns is None:
            names: Sequence[str] = self.keys()
        elif isinstance(columns, str):
            names = [columns]
        else:
            names = list(columns)
        return {name: self.array(name, entry_start, entry_stop) for name in names}

    def __getitem__(self, name: str):
        return self.array(name)

    def __iter__(self):
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._columns)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._index or self._tree.has_column(name))

    def __repr__(self) -> str:
        return f"<rootbatch.Tree {self.path!r}: {self.num_entries} entries, {len(self._columns)} columns>"
