"""Fonts of the joined PDF (placeholder: every part keeps its own subsets)."""

from __future__ import annotations


def share_subsets(pdf) -> None:
    return None
