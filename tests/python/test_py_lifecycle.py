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


def test_ctrl_c_interrupts_a_wait_promptly():
    timer = send_sigint_after(0.2)
    start = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        _core._interruptible_wait(30.0)
    elapsed = time.perf_counter() - start
    timer.join()
    assert 0.15 < elapsed < 2.0


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
    assert threads() >= base_threads + 3  # 2 readers, the assembler, the fetch thread: the check can fail
    del live
    gc.collect()
    churn(40)
    time.sleep(0.1)
    assert threads() == base_threads
    assert rss_mib() - base_rss < 64, f"RSS grew from {base_rss:.0f} to {rss_mib():.0f} MiB"
