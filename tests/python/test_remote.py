"""root:// URLs against a real xrootd server on loopback (tests/python/xrootd_server.py):
every golden file dumps and lists as it does locally; the loader reads over root:// in
one process and in forked DataLoader workers; a server killed mid-epoch and restarted
loses no event; a server gone for good, a port with no server and a file missing on the
server give clear errors within the retry budget."""
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import rootbatch
from conftest import TESTDATA
from golden_compare import run_dump
from xrootd_server import XRootDServer, free_port, public_dir

FEATURES = ["lepton_pT", "lepton_eta", "jet1_pt"]


def golden_paths():
    files = []
    for golden in sorted((TESTDATA / "golden").rglob("*.json")):
        rel = json.loads(golden.read_text()).get("rel_path")
        if rel:
            files.append(rel)
    return sorted(set(files))


GOLDEN = golden_paths()


@pytest.fixture(scope="module")
def server():
    with XRootDServer(TESTDATA) as s:
        yield s


@pytest.fixture(scope="module")
def remote_cli(rootbatch_cli, server):
    proc = subprocess.run([rootbatch_cli, "ls", server.url("uproot-HZZ.root")], capture_output=True, text=True,
                          timeout=120)
    if "built without the XRootD client" in proc.stderr:
        pytest.skip("rootbatch was built without XRootD (ROOTBATCH_WITH_XROOTD=OFF)")
    assert proc.returncode == 0, proc.stderr
    return rootbatch_cli


@pytest.fixture(scope="module")
def served_samples(rootbatch_cli):
    """A world-readable folder with two make-sample files, and a server for it."""
    folder = public_dir()
    paths = []
    for name, events, seed in (("a.root", 6000, 3), ("b.root", 2500, 4)):
        path = folder / name
        subprocess.run([rootbatch_cli, "make-sample", str(path), "--events", str(events), "--seed", str(seed),
                        "--cluster-size", "500", "--quiet"], check=True, capture_output=True, timeout=300)
        os.chmod(path, 0o644)
        paths.append(path)
    # The same events as a's, as an RNTuple (not matched by the tests' "*.root"-free names).
    ntuple = folder / "a.rntuple"
    subprocess.run([rootbatch_cli, "make-sample", str(ntuple), "--events", "6000", "--seed", "3", "--format",
                    "rntuple", "--cluster-size", "500", "--page-size", "4096", "--quiet"], check=True,
                   capture_output=True, timeout=300)
    os.chmod(ntuple, 0o644)
    with XRootDServer(folder) as s:
        yield s, paths
    shutil.rmtree(folder, ignore_errors=True)


def ids(loader_batches):
    return np.sort(np.concatenate([np.asarray(b.entries) for b in loader_batches]))


@pytest.mark.parametrize("rel_path", GOLDEN)
def test_dump_over_root_equals_the_local_dump(remote_cli, server, rel_path):
    local = TESTDATA / rel_path
    assert run_dump(remote_cli, server.url(local)) == run_dump(remote_cli, local)


def test_ls_over_root_equals_the_local_ls(remote_cli, server):
    for rel_path in GOLDEN:
        local = TESTDATA / rel_path
        ours = subprocess.run([remote_cli, "ls", server.url(local)], capture_output=True, text=True, timeout=120)
        theirs = subprocess.run([remote_cli, "ls", str(local)], capture_output=True, text=True, timeout=120)
        assert ours.returncode == theirs.returncode, rel_path
        assert ours.stdout.replace(server.url(local), str(local)) == theirs.stdout, rel_path


def test_a_port_with_no_server_fails_fast_and_names_the_url(remote_cli):
    url = f"root://127.0.0.1:{free_port()}//nothing.root"
    start = time.monotonic()
    proc = subprocess.run([remote_cli, "ls", url], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "ROOTBATCH_XROOTD_TIMEOUT": "5"})
    assert proc.returncode != 0
    assert url in proc.stderr
    assert time.monotonic() - start < 15, proc.stderr


def test_a_server_that_accepts_and_never_answers_fails_in_bounded_time(remote_cli):
    # A listener that takes connections and says nothing: no open may wait forever.
    import socket
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []

    def accept():
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    url = f"root://127.0.0.1:{listener.getsockname()[1]}//silent.root"
    try:
        start = time.monotonic()
        proc = subprocess.run([remote_cli, "ls", url], capture_output=True, text=True, timeout=200,
                              env={**os.environ, "ROOTBATCH_XROOTD_TIMEOUT": "3"})
        assert proc.returncode != 0
        assert url in proc.stderr
        # The client's own expiry (about 15 s here) or, as a backstop, rootbatch's deadline.
        assert time.monotonic() - start < 3 + 60 + 30, proc.stderr
    finally:
        listener.close()
        for connection in held:
            connection.close()


def test_a_file_missing_on_the_server_is_named(remote_cli, server):
    url = server.url("no-such-file.root")
    proc = subprocess.run([remote_cli, "ls", url], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert url in proc.stderr and "no such file or directory on the server" in proc.stderr, proc.stderr
    with pytest.raises(FileNotFoundError, match="no-such-file.root"):
        rootbatch.DataLoader([url], columns=["x"])


def test_wildcards_in_a_url_s_file_name_expand_from_the_server_s_listing(remote_cli, server):
    from rootbatch import _core
    for pattern in ("uproot-HZZ*.root", "test_*_rntuple_v1-0-0-0.root", "uproot-HZZ-l?[a-z]*.root"):
        local = sorted(str(p.relative_to(TESTDATA)) for p in TESTDATA.glob(pattern))
        assert local, pattern
        assert _core.check_files([server.url(pattern)]) == [server.url(rel) for rel in local]
    # Sub-directories are not files: they match nothing.
    assert "golden" not in " ".join(_core.check_files([server.url("*")]))


def test_the_loader_over_a_url_pattern_reads_every_file_it_matches(remote_cli, served_samples):
    server, paths = served_samples
    kwargs = dict(columns=FEATURES, target="label", batch_size=256, memory="2MB", seed=5)
    remote = rootbatch.DataLoader([server.url("*.root")], **kwargs)
    local = rootbatch.DataLoader([str(p) for p in paths], **kwargs)
    for a, b in zip(remote.batches(), local.batches(), strict=True):
        assert np.array_equal(np.asarray(a.features), np.asarray(b.features))


def test_url_patterns_that_cannot_be_listed_say_why(remote_cli, server):
    from rootbatch import _core
    with pytest.raises(ValueError, match="wildcards are expanded in the file name only"):
        _core.check_files([server.url("gol*/x.root")])
    with pytest.raises(FileNotFoundError, match=r"no file matches .*nothing-like-this\*\.root"):
        _core.check_files([server.url("nothing-like-this*.root")])
    missing = server.url("no-such-directory/*.root")
    with pytest.raises(FileNotFoundError, match="cannot list the directory .*no-such-directory"):
        _core.check_files([missing])


def test_the_loader_over_root_equals_the_local_loader(remote_cli, served_samples):
    server, paths = served_samples
    kwargs = dict(columns=FEATURES, target="label", batch_size=256, memory="2MB", seed=5)
    remote = rootbatch.DataLoader([server.url(p) for p in paths], **kwargs)
    local = rootbatch.DataLoader([str(p) for p in paths], **kwargs)
    for a, b in zip(remote.batches(), local.batches(), strict=True):
        assert np.array_equal(np.asarray(a.entries), np.asarray(b.entries))
        assert np.array_equal(np.asarray(a.features), np.asarray(b.features))
    assert np.array_equal(ids(remote.batches()), np.arange(8500))  # and again: the next epoch


@pytest.mark.parametrize("start_method", ["fork", "spawn", "forkserver"])
def test_forked_dataloader_workers_each_read_over_their_own_connections(remote_cli, served_samples, start_method):
    torch = pytest.importorskip("torch")
    server, paths = served_samples
    # One file: its event_id is the entry number, so the batches name their events.
    loader = rootbatch.DataLoader([server.url(paths[0])], columns=FEATURES, target="event_id",
                                  target_type="int64", batch_size=256, memory="4MB", seed=2)
    # The parent reads first, so the client runs (threads, connections) before the fork.
    first = next(iter(loader.as_numpy()))
    assert len(first[0]) == 256
    dl = torch.utils.data.DataLoader(loader.as_torch(), batch_size=None, num_workers=2,
                                     multiprocessing_context=start_method)
    seen = np.sort(np.concatenate([y[:, 0].numpy() for _, y in dl]))
    assert np.array_equal(seen, np.arange(6000))  # two shards of 3000: every event once


def test_a_child_forked_right_after_a_new_connection_reads_over_its_own(remote_cli, served_samples):
    # Each round logs in on a new connection (a user name the client has not seen makes a new
    # channel; its login runs on the client's event-loop thread and resolves this host's name),
    # then forks at once. The fork stops that thread; had the fork not waited for it to exit, the
    # child could inherit glibc's resolver lock held by it and never log in (before the fork
    # handling of xrootd_fork.cpp, 2 runs of this test in 11 had such a child).
    server, paths = served_samples
    for k in range(100):
        url = server.url(paths[1]).replace("root://", f"root://fork{k}@")
        parent = rootbatch.DataLoader([url], columns=FEATURES, target="label", batch_size=100, memory="1MB", seed=k)
        assert len(np.asarray(next(iter(parent.batches())).entries)) == 100
        pid = os.fork()
        if pid == 0:  # the child: read the whole file over its own connection, then leave at once
            code = 3
            try:
                signal.alarm(60)  # a child that cannot read ends, and fails the round, instead of hanging it
                os.environ["ROOTBATCH_XROOTD_TIMEOUT"] = "5"
                child = rootbatch.DataLoader([url], columns=FEATURES, target="label", batch_size=100, memory="1MB")
                seen = np.sort(np.concatenate([np.asarray(b.entries) for b in child.batches()]))
                code = 0 if np.array_equal(seen, np.arange(2500)) else 2  # every event once
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, f"round {k}: the child could not read {url} ({status:#x})"


def test_a_server_restarted_mid_epoch_loses_and_repeats_nothing(remote_cli, served_samples, monkeypatch):
    server, paths = served_samples
    monkeypatch.setenv("ROOTBATCH_XROOTD_TIMEOUT", "5")
    loader = rootbatch.DataLoader([server.url(p) for p in paths], columns=FEATURES, target="label",
                                  batch_size=128, memory="1MB", seed=9, num_threads=2)
    restarted = threading.Event()
    entries = []
    for k, batch in enumerate(loader.batches()):
        entries.append(np.asarray(batch.entries).copy())
        if k == 3:
            server.stop()
            # Back on the same port a second later, while the loader retries.
            threading.Timer(1.0, lambda: (server.start(), restarted.set())).start()
    assert restarted.wait(30)
    seen = np.sort(np.concatenate(entries))
    assert np.array_equal(seen, np.arange(8500))


def test_a_server_gone_for_good_fails_within_the_retry_budget(remote_cli, rootbatch_cli):
    folder = public_dir()
    path = folder / "c.root"
    subprocess.run([rootbatch_cli, "make-sample", str(path), "--events", "300000", "--cluster-size", "500", "--quiet"],
                   check=True, capture_output=True, timeout=300)
    os.chmod(path, 0o644)
    with XRootDServer(folder) as server:
        url = server.url(path)
        env = {"ROOTBATCH_XROOTD_TIMEOUT": "3", "ROOTBATCH_XROOTD_RETRIES": "3"}
        old = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            loader = rootbatch.DataLoader([url], columns=FEATURES, target="label", batch_size=128, memory="1MB")
            it = iter(loader.batches())
            next(it)
            server.stop()
            start = time.monotonic()
            with pytest.raises(OSError) as error:
                for _ in it:
                    pass
            elapsed = time.monotonic() - start
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    shutil.rmtree(folder, ignore_errors=True)
    assert url in str(error.value) and "bytes at byte" in str(error.value), str(error.value)
    # Backoff 0.25 + 0.5 + 1 s and the attempts' timeouts: seconds, not minutes.
    assert elapsed < 30, elapsed


def test_a_file_removed_from_the_server_mid_epoch_is_named(remote_cli, rootbatch_cli, monkeypatch):
    # The server keeps a file it has open readable after it is deleted (POSIX), so
    # the removal shows when the connection is lost and the file reopened.
    monkeypatch.setenv("ROOTBATCH_XROOTD_TIMEOUT", "5")
    folder = public_dir()
    path = folder / "d.root"
    subprocess.run([rootbatch_cli, "make-sample", str(path), "--events", "300000", "--cluster-size", "500",
                    "--quiet"], check=True, capture_output=True, timeout=300)
    os.chmod(path, 0o644)
    with XRootDServer(folder) as server:
        url = server.url(path)
        loader = rootbatch.DataLoader([url], columns=FEATURES, target="label", batch_size=128, memory="1MB")
        it = iter(loader.batches())
        next(it)
        server.stop()
        path.unlink()
        server.start()
        with pytest.raises(FileNotFoundError) as error:
            for _ in it:
                pass
    shutil.rmtree(folder, ignore_errors=True)
    assert url in str(error.value) and "no longer on the server" in str(error.value), str(error.value)


def _ddp_rank(rank, world, port, url, out_dir):
    import torch.distributed as dist

    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    try:
        ds = rootbatch.DataLoader([url], columns=FEATURES, target="event_id", target_type="int64", batch_size=300,
                                  memory="4MB", seed=3).as_torch()
        ids = [y[:, 0].numpy().copy() for _, y in ds]
        np.save(f"{out_dir}/rank{rank}.npy", np.concatenate(ids))
        counts = [None] * world
        dist.all_gather_object(counts, len(ids))
        assert len(set(counts)) == 1, counts
    finally:
        dist.destroy_process_group()


def test_two_ddp_processes_over_root_every_event_once(remote_cli, served_samples, tmp_path):
    import multiprocessing

    server, paths = served_samples
    ctx = multiprocessing.get_context("spawn")
    port = free_port()
    procs = [ctx.Process(target=_ddp_rank, args=(r, 2, port, server.url(paths[0]), str(tmp_path))) for r in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=240)
    assert [p.exitcode for p in procs] == [0, 0]
    parts = [np.load(tmp_path / f"rank{r}.npy") for r in range(2)]
    assert not set(parts[0].tolist()) & set(parts[1].tolist())
    assert np.array_equal(np.sort(np.concatenate(parts)), np.arange(6000))


def test_a_blocks_baskets_come_in_a_few_vector_reads(remote_cli, served_samples):
    """Each segment the loader reads asks for all its baskets of every column at once
    (coalesced vector reads); single reads are for the file's metadata only."""
    server, paths = served_samples
    proc = subprocess.run([remote_cli, "bench", server.url(paths[0]), "--tree", "events", "--target", "label",
                           "--memory", "4MB", "--json"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["events"] == 6000
    assert result["remote_vector_reads"] > 0
    # Baskets read, against requests sent: dozens of baskets per request.
    assert result["units_read"] > 10 * (result["remote_reads"] + result["remote_vector_reads"]), result
    assert result["remote_reads"] < 30, result  # header, keys, streamers, the tree


def _bench(cli, url, *extra):
    proc = subprocess.run([cli, "bench", url, "--tree", "events", "--target", "label", "--memory", "4MB", "--json",
                           *extra], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("what", ["rntuple", "frame"])
def test_rntuple_pages_and_a_frames_rows_come_in_a_few_vector_reads(remote_cli, served_samples, what):
    """RNTuple pages, and the rows of a Filter/Define frame (its base columns and the
    defines' inputs), are fetched per segment as TTree baskets are."""
    server, paths = served_samples
    if what == "rntuple":
        result = _bench(remote_cli, server.url(paths[0].parent / "a.rntuple"))
        assert result["events"] == 6000
    else:
        result = _bench(remote_cli, server.url(paths[0]), "--filter", "nJet >= 3",
                        "--define", "lead=Jet_pt[0] + Sum(Muon_pt)", "--columns", "lead,lepton_pT")
        assert 0 < result["events"] < 6000
    clusters = 6000 // 500
    # Single reads are the file's metadata only; a vector read per segment the loader
    # reads (here a cluster), and for the frame one per chunk of its selection pass
    # (a cluster) over the filter's columns: never one request per page or basket.
    assert result["remote_reads"] < 12, result
    assert 0 < result["remote_vector_reads"] <= (2 if what == "frame" else 3) * clusters, result
    if what == "rntuple":
        assert result["units_read"] > 20 * result["remote_vector_reads"], result  # pages per request


def test_bytes_fetched_ahead_are_counted_in_the_memory_plan(remote_cli, served_samples):
    server, paths = served_samples
    kwargs = dict(columns=FEATURES, target="label", batch_size=256, memory="4MB", seed=5)
    remote = rootbatch.DataLoader([server.url(p) for p in paths], **kwargs).memory_plan
    local = rootbatch.DataLoader([str(p) for p in paths], **kwargs).memory_plan
    assert local["fetch_bytes"] == 0
    assert 0 < remote["fetch_bytes"] <= remote["in_flight_bytes"]
    assert "fetched ahead" in remote["description"]
    assert remote["num_slots"] == local["num_slots"]  # the same buffer, so the same batches
    total = remote["buffer_bytes"] + remote["in_flight_bytes"] + remote["batches_bytes"]
    assert total <= 4 << 20, remote  # "4MB" is 4 MiB


@pytest.fixture(scope="module")
def tls_server(remote_cli):
    with XRootDServer(TESTDATA, tls=True) as s:
        yield s


def _tls_env(server):
    return {**os.environ, "X509_CERT_DIR": str(server.ca_dir)}


def test_roots_urls_read_over_tls_as_root_urls_do(remote_cli, tls_server):
    for rel_path in ("uproot-HZZ.root", "ntpl001_staff_rntuple_v1-0-0-0.root", "uproot-HZZ-lz4.root"):
        local = TESTDATA / rel_path
        assert run_dump(remote_cli, tls_server.url(local, "roots"), env=_tls_env(tls_server)) == \
            run_dump(remote_cli, local), rel_path


def test_the_loader_over_roots_in_a_fresh_process_equals_the_local_loader(remote_cli, tls_server, tmp_path):
    # X509_CERT_DIR is read when the client starts: a fresh interpreter, as a job would.
    script = tmp_path / "tls_loader.py"
    script.write_text(
        "import sys, numpy as np, rootbatch\n"
        "kw = dict(columns=['MET_px', 'MET_py'], batch_size=100, memory='2MB', seed=3)\n"
        "remote = rootbatch.DataLoader([sys.argv[1]], tree='events', **kw)\n"
        "local = rootbatch.DataLoader([sys.argv[2]], tree='events', **kw)\n"
        "for a, b in zip(remote.batches(), local.batches(), strict=True):\n"
        "    assert np.array_equal(np.asarray(a.features), np.asarray(b.features))\n"
        "print('same')\n")
    env = _tls_env(tls_server)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pathlib.Path(rootbatch.__file__).parents[1]),
                                                       env.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, str(script), tls_server.url("uproot-HZZ.root", "roots"),
                           str(TESTDATA / "uproot-HZZ.root")], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0 and "same" in proc.stdout, proc.stderr


def test_a_server_certificate_that_does_not_verify_is_a_clear_error(remote_cli, tls_server, tmp_path):
    url = tls_server.url("uproot-HZZ.root", "roots")
    empty = tmp_path / "no-cas"
    empty.mkdir()
    proc = subprocess.run([remote_cli, "ls", url], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "X509_CERT_DIR": str(empty)})
    assert proc.returncode != 0
    assert url in proc.stderr and "X509_CERT_DIR" in proc.stderr and "TLS" in proc.stderr, proc.stderr
