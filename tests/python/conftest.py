"""Shared pytest fixtures: where the CLI and the shared test data are."""
import importlib.util
import os
import pathlib
import shutil
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
TESTDATA = pathlib.Path(os.environ.get("ROOTBATCH_TESTDATA_DIR", REPO.parent / "shared" / "testdata" / "root"))


def _put_rootbatch_on_path():
    """Lets `python -m pytest tests/python` import the package from a build tree
    (scripts/test sets PYTHONPATH itself): $ROOTBATCH_PYTHONPATH, else the dev or
    release build's python/ folder, unless rootbatch is installed."""
    explicit = os.environ.get("ROOTBATCH_PYTHONPATH")
    if explicit:
        sys.path.insert(0, explicit)
        return
    if importlib.util.find_spec("rootbatch") is not None:
        return
    for preset in ("dev", "release"):
        candidate = REPO / "build" / preset / "python"
        if (candidate / "rootbatch").is_dir():
            sys.path.insert(0, str(candidate))
            return


_put_rootbatch_on_path()


def find_cli():
    """The rootbatch binary: $ROOTBATCH_CLI, else the dev or release build."""
    explicit = os.environ.get("ROOTBATCH_CLI")
    if explicit:
        return explicit
    for preset in ("dev", "release", "asan"):
        candidate = REPO / "build" / preset / "cli" / "rootbatch"
        if candidate.exists():
            return str(candidate)
    return shutil.which("rootbatch")


@pytest.fixture(scope="session")
def rootbatch_cli():
    cli = find_cli()
    if cli is None:
        pytest.fail("rootbatch CLI not built: run scripts/test or set ROOTBATCH_CLI")
    return cli


@pytest.fixture(scope="session")
def testdata():
    if not TESTDATA.is_dir():
        pytest.fail(f"shared test data not found at {TESTDATA}")
    return TESTDATA


# --- samples written by `rootbatch make-sample`, shared by the Python API tests ---

SAMPLE_FEATURES = 6


@pytest.fixture(scope="session")
def make_sample(rootbatch_cli, tmp_path_factory):
    """make_sample(events, codec="zstd", seed=7, features=6, extra=()) -> path of a
    cached sample written by the CLI (tree 'events': event_id, label, weight,
    K float features, jets and muons)."""
    cache = {}
    folder = tmp_path_factory.mktemp("samples")

    def make(events, codec="zstd", seed=7, features=SAMPLE_FEATURES, extra=()):
        key = (events, codec, seed, features, tuple(extra))
        if key not in cache:
            import subprocess

            path = folder / f"sample_{events}_{codec}_{seed}_{features}_{len(cache)}.root"
            subprocess.run([rootbatch_cli, "make-sample", str(path), "--events", str(events), "--codec", codec,
                            "--seed", str(seed), "--features", str(features), "--quiet", *extra],
                           check=True, capture_output=True, timeout=600)
            cache[key] = path
        return cache[key]

    return make


@pytest.fixture(scope="session")
def sample(make_sample):
    """20000 events in clusters of 2000 (so a shuffle has several blocks to mix)."""
    return make_sample(20000, extra=("--cluster-size", "2000"))


@pytest.fixture(scope="session")
def root_written(tmp_path_factory):
    """Files written by ROOT itself in a separate process (root_nested_writer.py):
    the folder holding vv.root (std::vector<std::vector<T>>, 10 clusters),
    vv_root.json (ROOT's own reading of it) and two_objects.root (two split
    objects whose leaves share short names). Needs the `root` package."""
    import importlib.util
    import subprocess

    if importlib.util.find_spec("ROOT") is None:
        if os.environ.get("CI"):
            pytest.fail("ROOT (pip package `root`) is required in CI: scripts/setup installs it")
        pytest.skip("ROOT is not installed (pip install root)")
    folder = tmp_path_factory.mktemp("root-written")
    proc = subprocess.run([sys.executable, str(pathlib.Path(__file__).with_name("root_nested_writer.py")),
                           str(folder)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"ROOT failed to write the test files:\n{proc.stdout}\n{proc.stderr}"
    return folder
