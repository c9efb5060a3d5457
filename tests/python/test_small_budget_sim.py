"""python/benchmarks/small_budget_sim.py, which docs/benchmarks.md quotes for
the bound on bins per batch at small budgets: its figures are SHUFFLE.md's
(a buffer holding the whole data is a full shuffle: 100 bins, var_ratio
about 1), and they move the way the docs say (smaller pieces, more bins;
draws skewed to old pieces, more bins at a higher var_ratio)."""
import pathlib
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sim():
    sys.path.insert(0, str(REPO / "python" / "benchmarks"))
    try:
        import small_budget_sim  # noqa: PLC0415
    finally:
        sys.path.pop(0)
    return small_budget_sim


def test_a_buffer_holding_everything_is_a_full_shuffle(sim):
    # 400 batches: var_ratio's sampling spread is about sqrt(2 / 400) = 7 %.
    bins, var_ratio = sim.figures(entries=409_600, piece=4096, buffer=409_600, batch=1024, seed=3)
    assert bins > 99.9
    assert 0.7 < var_ratio < 1.35


def test_a_stream_read_in_order_scores_as_no_shuffle(sim):
    # A one-batch buffer with whole-data pieces reads the file in order: one
    # or two bins per batch and a var_ratio in the hundreds (SHUFFLE.md's
    # no-shuffle figures).
    bins, var_ratio = sim.figures(entries=204_800, piece=204_800, buffer=1024, batch=1024, seed=3)
    assert bins < 2.1
    assert var_ratio > 100


def test_smaller_pieces_and_skewed_draws_move_the_figures_as_documented(sim):
    entries, buffer = 400_000, 13_380  # the 2 M-event, 12 MB case at a fifth of the size
    whole, _ = sim.figures(entries, 1000, buffer, 1024, seed=5)
    halves, _ = sim.figures(entries, 500, buffer, 1024, seed=5)
    assert halves > whole + 5
    skew_bins, skew_var = sim.figures(entries, 666, buffer, 1024, tier=0.1, tier_take=512, seed=5)
    uniform_bins, uniform_var = sim.figures(entries, 666, buffer, 1024, seed=5)
    assert skew_bins > uniform_bins
    assert skew_var > 2 * uniform_var
