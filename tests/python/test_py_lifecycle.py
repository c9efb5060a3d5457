"""Ctrl-C while waiting for a batch, and no thread or memory leak after many
loaders are created and dropped."""
import gc
import os
import signal
import threading
import time

import numpy as np
import pytest

import rootbatch
from rootbatch import _core

FEATURES = ["lepton_pT", "lepton_eta", "jet1_pt"]


def send_sigint_after(seconds):
    timer = threading.Timer(seconds, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    return timer


def threads():
    return len(os.listdir("/proc/self/task"))


def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.fixture
def slow_reads(monkeypatch):
    """Every column read of the loaders built from now on sleeps first, so a
    batch takes seconds: a Ctrl-C then lands inside the C++ wait of next()."""
    def use(delay_s):
        monkeypatch.setattr(_core.Dataset, "open",
                            staticmethod(lambda paths, tree: _core.Dataset._open_delayed(paths, tree, delay_s)))
    return use


def test_ctrl_c_interrupts_a_slow_next_promptly_and_loses_no_batch(sample, slow_reads):
    options = dict(columns=FEATURES, target="label", batch_size=64, memory="16MB", num_threads=1, seed=3)
    expected = next(iter(rootbatch.DataLoader(str(sample), **options)))
    slow_reads(0.4)
    loader = rootbatch.DataLoader(str(sample), **options)
    core = loader._loader()
    timer = send_sigint_after(0.2)
    start = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        core.next()  # the reads of the first batch take several 0.4 s sleeps
    elapsed = time.perf_counter() - start
    timer.join()
    assert 0.15 < elapsed < 0.6, elapsed  # within a wait slice (+ one read) of the signal
    # Nothing was consumed: the state is the one of a fresh loader ...
    assert "position=0" in core.state()
    # ... and the batch that was being made is not lost: the next call returns it.
    first = core.next()
    assert first.index == 0
    assert np.array_equal(first.entries.numpy(), expected.entries.numpy())
    assert np.array_equal(first.features.numpy(), expected.features.numpy())
    assert "position=1" in core.state()
    # set_epoch and restore after the interrupt still land exactly.
    state = core.state()
    assert core.next().index == 1
    core.set_epoch(0)
    assert "position=0" in core.state()
    core.restore(state)
    assert core.next().index == 1


def test_ctrl_c_during_iteration_then_the_loader_goes_on(sample):
    loader = rootbatch.DataLoader(str(sample), columns=FEATURES, target="label", batch_size=64, memory="16MB")
    timer = send_sigint_after(0.3)
    epochs = 0
    with pytest.raises(KeyboardInterrupt):
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline:
            for _ in loader.as_numpy():
                pass
            epochs += 1
    timer.join()
    # The interrupted epoch is abandoned; the next one runs completely.
    entries = np.concatenate([b.entries.numpy() for b in loader])
    assert np.array_equal(np.sort(entries), np.arange(20000))


def test_no_thread_or_memory_leak(sample):
    def churn(n):
        for i in range(n):
            loader = rootbatch.DataLoader(str(sample), columns=FEATURES, target="label", batch_size=256,
                                          memory="16MB", num_threads=2, seed=i)
            if i % 3 == 0:
                for _ in loader:  # a whole epoch
                    pass
            else:
                batches = loader.batches()
                for _ in range(3):  # dropped mid-epoch, reads in flight
                    next(batches)
                del batches
            del loader
        gc.collect()

    churn(5)  # warm up allocator pools and lazily created threads
    base_threads, base_rss = threads(), rss_mib()
    live = rootbatch.DataLoader(str(sample), columns=FEATURES, batch_size=256, num_threads=2).batches()
    next(live)
    # 2 readers and the assembler, and no thread of the glue's own: the check can fail
    assert threads() == base_threads + 3
    del live
    gc.collect()
    churn(40)
    time.sleep(0.1)
    assert threads() == base_threads
    assert rss_mib() - base_rss < 64, f"RSS grew from {base_rss:.0f} to {rss_mib():.0f} MiB"


def test_a_second_thread_is_refused_while_next_waits(sample, slow_reads):
    slow_reads(0.3)
    core = rootbatch.DataLoader(str(sample), columns=FEATURES, batch_size=64, num_threads=1)._loader()
    got = []
    waiter = threading.Thread(target=lambda: got.append(core.next()))
    waiter.start()
    time.sleep(0.1)  # the waiter is inside next(), the GIL released
    with pytest.raises(rootbatch.InvalidArgumentError, match="in use by another thread"):
        core.state()
    with pytest.raises(ValueError):
        core.set_epoch(1)
    waiter.join()
    assert got[0].index == 0 and "position=1" in core.state()  # the waiter's call was not disturbed
