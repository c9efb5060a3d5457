"""Optional tqdm progress bars showing events/s (tqdm is an optional dependency)."""
from __future__ import annotations

import time
import warnings
from typing import Iterator

__all__ = ["progress_bar"]


def progress_bar(loader, progress) -> Iterator:
    """The loader's batches for one epoch, through a tqdm bar when ``progress``
    is true (a string is the bar's description)."""
    batches = loader.batches()
    if not progress:
        return batches
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is in the test environment
        warnings.warn("progress=True needs tqdm (pip install tqdm); continuing without a bar", stacklevel=3)
        return batches
    return _with_bar(batches, loader, tqdm, progress)


def _with_bar(batches, loader, tqdm, progress):
    try:
        total = None if loader.iterating else len(loader)
    except Exception:  # the count needs the files: let the iteration report errors
        total = None
    desc = progress if isinstance(progress, str) else f"epoch {loader.epoch}"
    events = 0
    start = time.perf_counter()
    with tqdm(batches, total=total, desc=desc, unit="batch", leave=True) as bar:
        for i, batch in enumerate(bar):
            events += batch.num_rows
            if i % 8 == 0:
                elapsed = max(time.perf_counter() - start, 1e-9)
                bar.set_postfix_str(f"{events / elapsed:,.0f} events/s", refresh=False)
            yield batch
        elapsed = max(time.perf_counter() - start, 1e-9)
        bar.set_postfix_str(f"{events / elapsed:,.0f} events/s")
