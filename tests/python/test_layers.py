"""The layering check (scripts/check_layers.py): the repository passes it, and it fails,
naming the file, the line and the reason, on a tree whose layer includes one above it."""
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "check_layers.py"


def run(root=None):
    cmd = [sys.executable, str(SCRIPT)] + (["--root", str(root)] if root else [])
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def test_the_repository_follows_its_layering():
    proc = run()
    assert proc.returncode == 0, proc.stdout + proc.stderr


def write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_an_include_of_a_layer_above_fails_with_file_line_and_reason(tmp_path):
    write(tmp_path, "io/byte_source.cpp", '#include "rootbatch/io/byte_source.hpp"\n#include "rootbatch/base/status.hpp"\n')
    write(tmp_path, "ttree/tree_source.cpp", '#include "rootbatch/column/column.hpp"\n\n#include "rootbatch/frame/dataset.hpp"\n')
    write(tmp_path, "loader/loader.cpp", '#include "rootbatch/ttree/tree_source.hpp"\n')
    write(tmp_path, "rntuple/page.cpp", '  #  include "rootbatch/ttree/basket.hpp"\n')
    proc = run(tmp_path)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert len(lines) == 3, proc.stdout
    assert any("ttree/tree_source.cpp:3: includes rootbatch/frame/dataset.hpp: 'frame' is above 'ttree'" in l
               for l in lines), proc.stdout
    # Sideways, not only upwards: the loader never sees a format, RNTuple never a TTree.
    assert any("loader/loader.cpp:1:" in l and "not 'ttree'" in l for l in lines), proc.stdout
    assert any("rntuple/page.cpp:1:" in l and "not 'ttree'" in l for l in lines), proc.stdout


def test_tests_may_use_the_test_sources_but_not_an_upper_layer(tmp_path):
    write(tmp_path, "frame/x_test.cpp", '#include "rootbatch/loader/testing/memory_source.hpp"\n')
    write(tmp_path, "frame/frame_loader_test.cpp", '#include "rootbatch/loader/loader.hpp"\n')
    assert run(tmp_path).returncode == 0
    write(tmp_path, "frame/y_test.cpp", '#include "rootbatch/loader/loader.hpp"\n')
    proc = run(tmp_path)
    assert proc.returncode == 1 and "frame/y_test.cpp:1:" in proc.stdout, proc.stdout
