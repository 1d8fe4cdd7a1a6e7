"""The open data beside the report: CSV files and their README (see :mod:`.writer`)."""

from .writer import write_csv

__all__ = ["write_csv"]
