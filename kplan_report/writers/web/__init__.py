"""The accessible web edition: a static site of the outline (see :mod:`.writer`)."""

from .writer import write_web

__all__ = ["write_web"]
