"""Type stubs of rootbatch._core, the pybind11 glue (use the rootbatch package)."""
from typing import Any, Optional, Sequence

import numpy as np

HAS_LOADER: bool

def _raise_status(code: str, message: str, context: list[str]) -> None: ...
def _interruptible_wait(seconds: float) -> None: ...
# Tests only (tests/python/test_expr_conformance.py): (values, offsets or None, C++ type), or for a
# filter (passing entry numbers, None, type).
def _eval_expression(path: str, tree: str, expression: str, filter: bool = False,
                     chunk: int = 100000) -> tuple[Any, Any, str]: ...

class File:
    name: str
    size: int
    root_version: str
    compression: int
    def keys(self) -> list[tuple[str, str, int, str, int, int]]: ...
    def trees(self) -> list[str]: ...
    def rntuples(self) -> list[str]: ...

def open_file(path: str) -> File: ...

class ColumnSpec:
    name: str
    dtype: str
    kind: str
    inner_shape: tuple[int, ...]
    source_type: str

class Tree:
    name: str
    title: str
    path: str
    cycle: int
    class_name: str
    num_entries: int
    description: str
    columns: list[ColumnSpec]
    skipped: list[tuple[str, str, str]]
    def cluster_boundaries(self) -> list[int]: ...
    def column_entries(self, index: int) -> int: ...
    def find_column(self, name: str) -> int: ...
    def has_column(self, name: str) -> bool: ...
    def read(
        self, index: int, entry_start: int, entry_stop: int
    ) -> tuple[np.ndarray, Optional[np.ndarray], Optional[np.ndarray]]: ...

class NTuple(Tree):
    """An RNTuple: the same attributes as a Tree (class_name "ROOT::RNTuple")."""

def open_tree(file: File, path: str) -> Tree | NTuple: ...

class Tensor:
    name: str
    dtype: str
    shape: tuple[int, ...]
    strides: tuple[int, ...]
    nbytes: int
    data_ptr: int
    def numpy(self) -> np.ndarray: ...
    def __dlpack__(self, *, stream: Any = None, max_version: Optional[tuple[int, int]] = None,
                   dl_device: Optional[tuple[int, int]] = None, copy: Optional[bool] = None) -> Any: ...
    def __dlpack_device__(self) -> tuple[int, int]: ...
    def __buffer__(self, flags: int) -> memoryview: ...

class RaggedTensor:
    name: str
    values: Tensor
    offsets: Tensor

class Batch:
    epoch: int
    index: int
    num_rows: int
    features: Tensor
    targets: Optional[Tensor]
    weights: Optional[Tensor]
    entries: Tensor
    padded: list[Tensor]
    masks: list[Optional[Tensor]]
    ragged: list[RaggedTensor]

class Dataset:
    num_files: int
    num_entries: int
    columns: list[ColumnSpec]
    description: str
    @staticmethod
    def open(paths: Sequence[str], tree: str) -> Dataset: ...
    def file_start(self, file: int) -> int: ...

class JaggedColumn:
    name: str
    mode: str  # "pad", "ragged", "flatten"
    max_length: int
    max_inner_length: int  # doubly jagged columns: items kept per inner list
    pad_value: float
    mask: bool
    type: str
    def __init__(self) -> None: ...

class LoaderOptions:
    # Built from DataLoader's keywords by the C++ option schema, which checks
    # kinds and bounds; no option is listed here by name.
    @staticmethod
    def from_dict(values: dict[str, Any]) -> LoaderOptions: ...
    def to_dict(self) -> dict[str, str]: ...

def loader_options() -> list[dict[str, Any]]: ...  # name, default, changes_batches, help
def parse_size(text: str) -> int: ...

class LoaderInput:
    def __init__(self, dataset: Dataset, class_label: Optional[int] = None, sampling_ratio: float = 1.0,
                 entries: Optional[tuple[int, int]] = None) -> None: ...

class Loader:
    def __init__(self, inputs: Sequence[LoaderInput], options: LoaderOptions) -> None: ...
    def next(self) -> Optional[Batch]: ...
    def set_epoch(self, epoch: int) -> None: ...
    def state(self) -> str: ...
    def restore(self, state: str) -> None: ...
    def stats(self) -> dict[str, Any]: ...
    def epoch_info(self) -> dict[str, int]: ...
    def layout(self) -> dict[str, Any]: ...
    def memory(self) -> dict[str, Any]: ...
