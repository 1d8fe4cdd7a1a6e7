"""Writers: each lays the outline (:mod:`kplan_report.views`) out in one format.

A writer is a function ``write(report, target, **options)`` that writes
the whole report to a binary file object, or — a format in :data:`FOLDERS`
— into a folder of files (the web site, the open data).  They are registered here by
name, the name being the output file's extension; each is imported only
when it is used, so that building only the Word draft does not load
WeasyPrint.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

#: format name -> "module:function"
WRITERS = {
    "pdf": "kplan_report.writers.pdf:write_pdf",
    "docx": "kplan_report.writers.docx:write_docx",
    "html": "kplan_report.writers.web:write_web",
    "csv": "kplan_report.writers.opendata:write_csv",
}

#: formats written as a folder of files: format -> the folder's name in build/<year>/
FOLDERS = {
    "html": "web",
    "csv": "data",
}


def get_writer(name: str) -> Callable:
    """The writer registered as ``name`` (ValueError for an unknown name)."""
    try:
        module, _, function = WRITERS[name].partition(":")
    except KeyError:
        raise ValueError(f"unknown format: {name} (known: {', '.join(WRITERS)})") from None
    return getattr(importlib.import_module(module), function)
