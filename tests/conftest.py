"""Shared pytest set-up.  Keep it small: options and fixtures used by several test modules."""

from __future__ import annotations


def pytest_addoption(parser):
    parser.addoption(
        "--regen-bad-input-goldens",
        action="store_true",
        default=False,
        help="rewrite tests/bad_inputs/*/expected.txt from the messages the code prints now",
    )
