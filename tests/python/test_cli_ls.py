"""`rootbatch ls` output checked as golden text (tests/cli/ls_<file>.txt).

Regenerate after an intended change with:
    (cd ../shared/testdata/root && rootbatch ls FILE.root > <repo>/tests/cli/ls_FILE.txt)
and review the diff.
"""
import pathlib
import subprocess

import pytest

GOLDEN_DIR = pathlib.Path(__file__).resolve().parents[1] / "cli"
FILES = ["uproot-HZZ-lz4", "uproot-nesteddirs", "uproot-vectorVectorDouble", "test_int_float_rntuple_v1-0-0-0",
         "test_stl_containers_rntuple_v1-0-0-0"]


@pytest.mark.parametrize("stem", FILES)
def test_ls_matches_golden_text(rootbatch_cli, testdata, stem):
    proc = subprocess.run([rootbatch_cli, "ls", f"{stem}.root"], cwd=testdata, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    expected = (GOLDEN_DIR / f"ls_{stem}.txt").read_text()
    assert proc.stdout == expected


def test_ls_missing_file_names_it(rootbatch_cli, tmp_path):
    proc = subprocess.run([rootbatch_cli, "ls", str(tmp_path / "absent.root")], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "absent.root" in proc.stderr and "no such file" in proc.stderr


def test_ls_non_root_file(rootbatch_cli, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello, this is not a ROOT file\n" * 10)
    proc = subprocess.run([rootbatch_cli, "ls", str(text)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "not a ROOT file" in proc.stderr and "notes.txt" in proc.stderr


def test_dump_unknown_tree_lists_trees(rootbatch_cli, testdata):
    proc = subprocess.run([rootbatch_cli, "dump", "uproot-nesteddirs.root", "--json", "--tree", "nope"],
                          cwd=testdata, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "no tree 'nope'" in proc.stderr and "one/two/tree;1" in proc.stderr


def test_dump_unknown_option_is_usage_error(rootbatch_cli, testdata):
    proc = subprocess.run([rootbatch_cli, "dump", "uproot-HZZ.root", "--jsn"], cwd=testdata, capture_output=True,
                          text=True)
    assert proc.returncode == 2
    assert "unknown option '--jsn'" in proc.stderr
