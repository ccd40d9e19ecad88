"""Fixtures of the mutation suite: the pristine 2022 figures, computed once per session."""

from __future__ import annotations

import pytest

from .oracle import pristine


@pytest.fixture(scope="session")
def pristine_2022(tmp_path_factory):
    return pristine(tmp_path_factory.mktemp("pristine"))
