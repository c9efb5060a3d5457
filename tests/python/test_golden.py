"""Every TTree in shared/testdata/root (and other-writers/) against its golden JSON."""
import json

import pytest

from conftest import TESTDATA
from golden_compare import compare_file, run_dump


def golden_files():
    root = TESTDATA / "golden"
    files = sorted(root.glob("*.json")) + sorted((root / "other-writers").glob("*.json"))
    return [f for f in files if json.loads(f.read_text()).get("trees")]


GOLDEN = golden_files()


@pytest.mark.parametrize("golden_path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_file_matches_golden(rootbatch_cli, golden_path):
    golden = json.loads(golden_path.read_text())
    root_file = TESTDATA / golden["rel_path"]
    ours = run_dump(rootbatch_cli, root_file)
    compared, problems = compare_file(ours, golden)
    expected = sum(len(t["branches"]) for t in golden["trees"])
    assert not problems, f"{len(problems)} mismatches in {golden['rel_path']}:\n" + "\n".join(problems[:30])
    assert compared == expected


def test_golden_coverage_summary(rootbatch_cli, capsys):
    """Prints how many files and branches were compared; all must match."""
    files = branches = 0
    failures = []
    for golden_path in GOLDEN:
        golden = json.loads(golden_path.read_text())
        ours = run_dump(rootbatch_cli, TESTDATA / golden["rel_path"])
        compared, problems = compare_file(ours, golden)
        files += 1
        branches += compared
        if problems:
            failures.append(golden["rel_path"])
    with capsys.disabled():
        print(f"\ngolden comparison: {files} files, {branches} branches compared, "
              f"{len(failures)} files with mismatches")
    assert files >= 70
    assert not failures, failures
