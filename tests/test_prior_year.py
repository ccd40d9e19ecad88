"""Which prior year a report is compared with (issue 9, item 4)."""

from __future__ import annotations

import pytest

from conftest import ROOT
from informe.data.prior import comparable, is_demo, prior_dir_for


@pytest.mark.parametrize("current, prior, expected", [
    (False, False, True),   # real with real
    (False, True, False),   # a demo year is never mixed into a real one
    (True, False, True),    # a demo year may show the real year before it
    (True, True, True),
    (False, None, False),   # prior without readable params: not comparable
])
def test_comparable(current, prior, expected):
    assert comparable(current, prior) is expected


def test_demo_flags_of_the_committed_years():
    assert is_demo(ROOT / "data" / "2022") is False and is_demo(ROOT / "data" / "2023") is True
    assert prior_dir_for(ROOT / "data" / "2023", 2023, True) == ROOT / "data" / "2022"
    assert prior_dir_for(ROOT / "data" / "2022", 2022, False) is None  # no data/2021


def test_prior_params_are_a_build_input():
    """params/<year-1>.yml decides whether the prior year is shown: changing it must rebuild."""
    from informe.publish.pipeline import BuildPlan

    assert ROOT / "params" / "2022.yml" in BuildPlan.create(2023, ROOT).inputs()


def test_2023_demo_carries_2022_closing_balances():
    from informe.data.validation import validate_dir

    carried = [c for c in validate_dir(ROOT / "data" / "2023").checks if c.check.startswith("año anterior")]
    assert carried and all(c.passed for c in carried)
