"""How fast can WeasyPrint make this report at all?  The floor under the speed target.

Issue 6 asks for the whole build (PDF and DOCX) to be no slower than
LibreOffice converting our DOCX.  This script measures what WeasyPrint alone
needs for the report's final HTML — the very markup ``kplan-report build``
lays out, table splits included, so nothing of our own code is timed but the
one call to each of WeasyPrint's two steps:

* ``as built``: layout (``HTML.render``) and PDF writing (``write_pdf``) as
  the build runs them, PDF/UA tags included;
* ``without PDF/UA``: the same without the accessibility tags;
* ``minimal stylesheet``: the same markup with ``report.css`` replaced by a
  few lines (page size, the two fonts, plain table borders): no running
  header, vertical titles, colours or collapsed borders — about the cheapest
  print of the same text WeasyPrint can make (it has more pages, as the
  columns are wider).

Every row runs in this one process, one after the other, ``--runs`` times;
the table gives medians.  Divide the CPU seconds by the number of cores to
get the best wall time any parallel scheme could reach.

    python bench/floor.py --runs 3
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
from pathlib import Path

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from kplan_report.writers.pdf import writer
from kplan_report.validate.load import load_source
from kplan_report.views.outline import build_report

ROOT = Path(__file__).resolve().parents[1]
STYLESHEET_LINK = '<link rel="stylesheet" href="report.css">'
MINIMAL_STYLESHEET = (
    "<style>@page { size: A4; margin: 22mm 17mm 18mm 17mm }"
    ' html { font-family: "BIZ UDMincho"; font-size: 10pt; line-height: 1.6 }'
    ' table { width: 100%; table-layout: fixed; font-family: "BIZ UDGothic"; font-size: 8.5pt }'
    " td, th { border: 0.5pt solid #000; vertical-align: top }"
    " .chart { width: 62mm; height: 31mm }</style>"
)


def cpu() -> float:
    times = os.times()
    return times.user + times.system


def measure(html: str, **options) -> tuple[float, float, float, int]:
    """Layout seconds, write seconds, CPU seconds, pages."""
    start, start_cpu = time.perf_counter(), cpu()
    document = weasyprint.HTML(string=html, base_url=str(pdf.TEMPLATE_DIR) + "/").render(
        font_config=FontConfiguration(), **options)
    laid_out = time.perf_counter()
    document.write_pdf(io.BytesIO(), **options)
    return laid_out - start, time.perf_counter() - laid_out, cpu() - start_cpu, len(document.pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--year", type=int, default=2021)
    args = parser.parse_args()

    os.chdir(ROOT)
    report = build_report(load_source(Path("source")), args.year)
    html = pdf.render_html(report, pdf.first_breaks(report))
    if STYLESHEET_LINK not in html:
        raise SystemExit(f"report.html.j2 no longer links the stylesheet as {STYLESHEET_LINK}")
    cases = {
        "as built (PDF/UA)": (html, {"pdf_variant": pdf.PDF_VARIANT}),
        "without PDF/UA": (html, {}),
        "minimal stylesheet, without PDF/UA": (html.replace(STYLESHEET_LINK, MINIMAL_STYLESHEET), {}),
    }
    measure(html)  # warm-up: fonts, caches, imports
    results: dict[str, list[tuple[float, float, float, int]]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, (markup, options) in cases.items():
            results[name].append(measure(markup, **options))

    cores = os.cpu_count() or 1
    print(f"WeasyPrint {weasyprint.__version__} alone on the FY{args.year} report's final HTML, "
          f"median of {args.runs} runs; load average at the end {os.getloadavg()[0]:.2f}\n")
    print(f"| case | pages | layout s | write s | CPU s | CPU s / {cores} cores |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, samples in results.items():
        layout = statistics.median(s[0] for s in samples)
        write = statistics.median(s[1] for s in samples)
        cpu_s = statistics.median(s[2] for s in samples)
        print(f"| {name} | {samples[0][3]} | {layout:.2f} | {write:.2f} | {cpu_s:.2f} | {cpu_s / cores:.2f} |")


if __name__ == "__main__":
    main()
