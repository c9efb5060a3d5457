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
