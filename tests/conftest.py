"""Shared pytest set-up.  Keep it small: options and fixtures used by several test modules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

MINI = Path(__file__).parent / "fixtures" / "mini"


def pytest_addoption(parser):
    parser.addoption(
        "--regen-bad-input-goldens",
        action="store_true",
        default=False,
        help="rewrite tests/bad_inputs/*/expected.txt from the messages the code prints now",
    )
    parser.addoption(
        "--regen-review-goldens",
        action="store_true",
        default=False,
        help="rewrite tests/test_review/* and tests/bad_drafts/*/expected.txt from what the review prints now",
    )


@pytest.fixture
def source(tmp_path, monkeypatch) -> Path:
    """A copy of the mini fixture as ./source, with the current directory set to its parent."""
    shutil.copytree(MINI, tmp_path / "source")
    monkeypatch.chdir(tmp_path)
    return Path("source")
