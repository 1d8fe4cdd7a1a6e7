"""The print PDF: Jinja2 templates laid out by WeasyPrint."""

from .writer import write_pdf

__all__ = ["write_pdf"]
