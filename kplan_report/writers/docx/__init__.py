"""The editable Word draft, written with python-docx."""

from .writer import write_docx

__all__ = ["write_docx"]
