"""The Jinja2 templates that the PDF and the web edition share.

``report_templates/`` in the repository is installed as the package
``kplan_report.templates`` (a package-dir mapping in pyproject.toml), so
that a non-editable install has the templates too.  Both writers render
with one environment: HTML-escaped (text from the data is printed as
typed, never interpreted), strict about undefined names (a typo in a
template fails the build instead of printing nothing), and with the
``section`` test that tells a subsection from a block when a template
walks a section's content.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import jinja2

from ..views.blocks import Section

TEMPLATE_DIR = Path(str(importlib.resources.files("kplan_report.templates")))


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html", "html.j2", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.tests["section"] = lambda node: isinstance(node, Section)
    return env
