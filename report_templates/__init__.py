"""The Jinja2 templates and stylesheets of the report (installed as ``kplan_report.templates``).

The folder stays at the top level of the repository (``report_templates/``); pyproject.toml maps it into the package.
"""
