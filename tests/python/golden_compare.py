"""Compares `rootbatch dump --json` against the golden JSON of one ROOT file.

The golden files were made by an independent reader (uproot 4.3.7); see the
end of shared/testdata/root/SOURCES.md. Exact for entries, first, last,
isum, counts_sum and len_sum; `sum` to 1e-9 relative (the golden sum is a
correctly rounded fsum, ours a compensated sum).
"""
import json
import math
import subprocess

SUM_RTOL = 1e-9


def run_dump(cli, path, env=None):
    proc = subprocess.run([cli, "dump", str(path), "--json"], capture_output=True, text=True, timeout=600, env=env)
    if proc.returncode != 0:
        raise AssertionError(f"rootbatch dump failed for {path}: {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def _as_float(value):
    if isinstance(value, str):
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[value]
    return value


def values_equal(ours, golden):
    """Exact equality that treats NaN as equal to NaN and JSON's bool/int/float apart."""
    if isinstance(golden, list):
        return isinstance(ours, list) and len(ours) == len(golden) and all(
            values_equal(o, g) for o, g in zip(ours, golden))
    if isinstance(golden, dict):
        return isinstance(ours, dict) and ours.keys() == golden.keys() and all(
            values_equal(ours[k], golden[k]) for k in golden)
    if isinstance(golden, bool) or isinstance(ours, bool):
        return ours == golden
    special = ("NaN", "Infinity", "-Infinity")
    if isinstance(golden, str) and golden not in special:
        return ours == golden
    if isinstance(ours, str) and ours not in special:
        return False
    if isinstance(golden, (int, float, str)) and isinstance(ours, (int, float, str)):
        g, o = _as_float(golden), _as_float(ours)
        if isinstance(g, float) and math.isnan(g):
            return isinstance(o, float) and math.isnan(o)
        return o == g
    return ours == golden


def sums_close(ours, golden):
    if isinstance(golden, dict):
        return isinstance(ours, dict) and all(sums_close(ours.get(k), v) for k, v in golden.items())
    if ours is None:
        return False
    g, o = _as_float(golden), _as_float(ours)
    if math.isnan(g):
        return math.isnan(o)
    if math.isinf(g):
        return o == g
    return math.isclose(o, g, rel_tol=SUM_RTOL, abs_tol=1e-12)


def compare_file(ours, golden):
    """Returns (branches compared, list of mismatch descriptions)."""
    problems = []
    compared = 0
    for field in ("fVersion", "fBEGIN", "fEND", "fCompress", "fSeekInfo", "big"):
        if ours["header"].get(field) != golden["header"].get(field):
            problems.append(f"header {field}: ours {ours['header'].get(field)} golden {golden['header'].get(field)}")
    if ours["keys"] != golden["keys"]:
        missing = set(golden["keys"]) - set(ours["keys"])
        extra = set(ours["keys"]) - set(golden["keys"])
        problems.append(f"keys differ: missing {sorted(missing)[:5]} extra {sorted(extra)[:5]}")
    trees = {(t["path"], t["cycle"]): t for t in ours["trees"]}
    for gtree in golden.get("trees", []):
        key = (gtree["path"], gtree["cycle"])
        tree = trees.get(key)
        if tree is None:
            problems.append(f"tree {key} missing")
            continue
        if tree["entries"] != gtree["entries"]:
            problems.append(f"tree {key}: entries {tree['entries']} != {gtree['entries']}")
        branches = {b["name"]: b for b in tree["branches"]}
        skipped = {s["name"]: s for s in tree["skipped"]}
        for gb in gtree["branches"]:
            name = gb["name"]
            where = f"{key[0]};{key[1]} branch {name}"
            b = branches.get(name)
            if b is None:
                reason = skipped.get(name, {}).get("reason", "not listed")
                problems.append(f"{where}: not read ({reason})")
                continue
            compared += 1
            for field in ("n", "isum", "counts_sum", "len_sum"):
                if field in gb and b.get(field) != gb[field]:
                    problems.append(f"{where}: {field} {b.get(field)} != golden {gb[field]}")
            for field in ("first", "last"):
                if not values_equal(b.get(field), gb[field]):
                    problems.append(f"{where}: {field} {str(b.get(field))[:200]} != golden {str(gb[field])[:200]}")
            if "sum" in gb and not sums_close(b.get("sum"), gb["sum"]):
                problems.append(f"{where}: sum {b.get('sum')} != golden {gb['sum']}")
    return compared, problems
