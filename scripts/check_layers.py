#!/usr/bin/env python3
"""Checks that the layers of src/rootbatch depend one way (docs/architecture.md): every
`#include "rootbatch/<layer>/..."` of a layer's library code names itself or a layer it
may use; tests may also use the in-memory test sources (loader/testing) and, where listed
below, look up. Prints each include that breaks the rule (file:line: what and why) and
exits 1 if there is one.

    python3 scripts/check_layers.py            # the repository's src/rootbatch
    python3 scripts/check_layers.py --root DIR # another tree laid out the same way
"""
import argparse
import pathlib
import re
import sys

# What each layer may include besides itself (transitively closed by hand: a layer may
# use what its dependencies use). The loader never sees a format (ttree, rntuple, tfile,
# codec, write): it reads ColumnSources through the frame's datasets.
ALLOWED = {
    "base": set(),
    "io": {"base"},
    "codec": {"base"},
    "column": {"base"},
    "tfile": {"base", "io", "codec"},
    "ttree": {"base", "io", "codec", "tfile", "column"},
    "rntuple": {"base", "io", "codec", "tfile", "column"},
    "write": {"base", "io", "codec", "tfile", "column"},
    "expr": {"base", "column"},
    "frame": {"base", "io", "codec", "tfile", "column", "ttree", "rntuple", "write", "expr"},
    "loader": {"base", "column", "frame", "io"},
}
# Tests read what they test with: the writer, the readers, the in-memory sources.
TEST_EXTRA = {"write", "ttree", "tfile", "io", "codec", "column", "base"}
TEST_HEADERS = ("rootbatch/loader/testing/",)
# Tests that exercise a layer under the one above it, by design.
LOOKS_UP = {"frame/frame_loader_test.cpp": {"loader"}}

INCLUDE = re.compile(r'^\s*#\s*include\s+"(rootbatch/([a-z_]+)/[^"]+)"')


def is_test(rel):
    name = rel.name
    return name.endswith("_test.cpp") or "_test_" in name or "testing" in rel.parts or name.startswith("fuzz_")


def check(root):
    problems = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".cpp", ".hpp", ".h", ".cc") or not path.is_file():
            continue
        rel = path.relative_to(root)
        layer = rel.parts[0]
        if layer not in ALLOWED:
            problems.append(f"{path}: '{layer}' is not a known layer (add it to ALLOWED with what it may use)")
            continue
        test = is_test(rel)
        allowed = set(ALLOWED[layer]) | {layer}
        if test:
            allowed |= TEST_EXTRA | LOOKS_UP.get(rel.as_posix(), set())
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            header, used = match.groups()
            if used in allowed or (test and header.startswith(TEST_HEADERS)):
                continue
            if used not in ALLOWED:
                why = f"'{used}' is not a layer"
            elif layer in ALLOWED[used] or layer == "base":
                why = f"'{used}' is above '{layer}'"
            else:
                why = f"'{layer}' may use {', '.join(sorted(ALLOWED[layer])) or 'nothing'}, not '{used}'"
            problems.append(f"{path}:{number}: includes {header}: {why}")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = pathlib.Path(__file__).resolve().parents[1] / "src" / "rootbatch"
    parser.add_argument("--root", type=pathlib.Path, default=default)
    args = parser.parse_args(argv)
    problems = check(args.root.resolve())
    for p in problems:
        print(p)
    if problems:
        print(f"check_layers: {len(problems)} include(s) against the layering", file=sys.stderr)
        return 1
    print(f"check_layers: {args.root}: every include follows the layering")
    return 0


if __name__ == "__main__":
    sys.exit(main())
