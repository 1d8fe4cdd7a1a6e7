"""The print PDF: Jinja2 templates laid out by WeasyPrint.

``write_pdf`` (the registered writer) builds the PDF in parts, each laid out
on its own and joined (:mod:`.assemble`, :mod:`.parts`, :mod:`.join`,
:mod:`.fonts`, :mod:`.cache`); :func:`.writer.write_pdf` lays the report out
as one document, the reference the tests compare the parts' join with.
"""

from .assemble import write_pdf

__all__ = ["write_pdf"]
