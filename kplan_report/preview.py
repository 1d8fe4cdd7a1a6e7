"""``kplan-report preview``: the report as one HTML page on 127.0.0.1, updated on save.

While the year's figures and texts come in, staff want to see an edit at
once, not after a PDF build.  The preview renders the same outline with the
same templates as the PDF (:func:`kplan_report.writers.pdf.writer.render_html`:
the whole report, unpaginated, its tables unsplit), which takes a fraction
of a second.

A watcher thread looks at the modification times and sizes of the files in
``source/`` every :data:`POLL_SECONDS`; when one changes it loads, validates
and renders again at once, so the page is ready before the browser asks.
The page waits for the next version with a long poll to ``/wait`` (a few
lines of inline script, nothing loaded from elsewhere) and reloads when it
comes.  If the files do not validate, the page shows every problem as the
command line prints it (``file:line: field: found …; expected …``) instead
of the last good report, which would look current.

Only 127.0.0.1 is served: the preview shows unpublished figures.
"""

from __future__ import annotations

import html
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from .validate.messages import InputError, Problem

POLL_SECONDS = 0.05
#: How long the files must stay unchanged after a save before the page is rendered.
SETTLE_SECONDS = 0.03
#: A long poll returns after this long even if nothing changed (the page asks again).
WAIT_SECONDS = 25.0

_RELOAD = """<script>
(function wait() {
  fetch("/wait?version=%d").then(function (r) { return r.text(); }).then(function (t) {
    if (t === "changed") { location.reload(); } else { wait(); }
  }, function () { setTimeout(wait, 1000); });
})();
</script>
"""

_ERROR_PAGE = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>入力データに誤りがあります</title>
<style>body {{ font-family: sans-serif; margin: 2em; }} li {{ font-family: monospace; margin: .4em 0; }}
h1 {{ color: #b00020; font-size: 1.3em; }}</style></head>
<body><h1>入力データに誤りがあります（{count}件）: the report cannot be shown</h1>
<p>Fix these in <code>{source}</code> and save; this page updates by itself.</p>
<ul>{items}</ul>
<p>{summary}</p>
</body></html>
"""


class Renderer:
    """Renders the page again and again, redoing as little as it can.

    Kept between renders: each YAML file's parse, by its path and bytes
    (:func:`~kplan_report.intake.yamlio.read_yaml` is the loader's slow part;
    the checks within and across files all run again), the Jinja environment
    (templates compiled once; a changed template is recompiled) and each
    trend chart's SVG, by the chart's values."""

    def __init__(self):
        from .writers.pdf import writer

        self.parsed: dict[tuple[str, str], object] = {}
        self.env = writer.new_environment()  # its chart_uri is its own
        charts: dict[str, str] = {}

        def chart_uri(chart) -> str:
            key = repr(chart)
            if key not in charts:
                charts[key] = writer.chart_uri(chart)
            return charts[key]

        self.env.globals["chart_uri"] = chart_uri

    def read_yaml(self, path: Path):
        import copy
        import hashlib

        from .intake import yamlio

        try:
            data = Path(path).read_bytes()
        except OSError:
            return yamlio.read_yaml(path)  # its message for a missing or unreadable file
        key = (str(path), hashlib.sha256(data).hexdigest())
        if key not in self.parsed:
            self.parsed = {k: v for k, v in self.parsed.items() if k[0] != str(path)}
            self.parsed[key] = yamlio.read_yaml(path)
        return copy.copy(self.parsed[key])  # the loader sets .data on it

    def load(self, source_dir: Path):
        from .validate import load

        original = load.read_yaml
        load.read_yaml = self.read_yaml
        try:
            return load.load_source(source_dir)
        finally:
            load.read_yaml = original


def render_page(source_dir: Path, year: int, renderer: Renderer | None = None) -> str:
    """The preview page: the report's HTML, or the list of input problems."""
    from .build import build_date_from_env
    from .validate.load import load_source
    from .views.outline import build_report
    from .writers.pdf.writer import render_html

    try:
        source = renderer.load(source_dir) if renderer else load_source(source_dir)
        if year not in source.actuals:
            raise InputError([Problem(f"{source_dir}/actuals/{year}.yaml", 0, "", "no such file",
                                      f"the year's actuals (kplan-report new-year {year})")])
        return render_html(build_report(source, year, build_date_from_env()), env=renderer.env if renderer else None)
    except InputError as error:
        problems = [str(p) for p in error.problems]
        return _ERROR_PAGE.format(count=len(problems), source=html.escape(str(source_dir)),
                                  items="".join(f"<li>{html.escape(p)}</li>" for p in problems),
                                  summary=html.escape(error.summary()))


def _snapshot(folder: Path) -> tuple:
    """What changes when a file in ``folder`` is saved, created or removed."""
    out = []
    for path in sorted(folder.rglob("*")):
        try:
            stat = path.stat()
        except OSError:
            continue
        if path.is_file():
            out.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(out)


class Preview:
    """The current page and its version, kept up to date by a watcher thread."""

    def __init__(self, source_dir: Path, year: int):
        self.source_dir = Path(source_dir)
        self.year = year
        self.changed = threading.Condition()
        self.version = 0
        # before the first render: a file saved while it runs is then seen as a change
        self._seen = _snapshot(self.source_dir)
        self.renderer = Renderer()
        self.page = render_page(self.source_dir, year, self.renderer)
        self.rendered_at = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _watch(self) -> None:
        seen = self._seen
        while not self._stop.wait(POLL_SECONDS):
            now = _snapshot(self.source_dir)
            if now == seen:
                continue
            # An editor may save in steps (truncate, then write): render once the
            # folder has stood still for SETTLE_SECONDS, not the half-written file.
            while not self._stop.wait(SETTLE_SECONDS):
                settled = _snapshot(self.source_dir)
                if settled == now:
                    break
                now = settled
            seen = now
            page = render_page(self.source_dir, self.year, self.renderer)
            with self.changed:
                self.page, self.version, self.rendered_at = page, self.version + 1, time.perf_counter()
                self.changed.notify_all()

    def wait(self, version: int, timeout: float = WAIT_SECONDS) -> bool:
        """Block until the page is newer than ``version`` (True) or ``timeout`` passes."""
        with self.changed:
            return self.changed.wait_for(lambda: self.version != version, timeout)

    def current(self) -> tuple[int, str]:
        with self.changed:
            return self.version, self.page


def make_server(preview: Preview, port: int = 0) -> ThreadingHTTPServer:
    """An HTTP server on 127.0.0.1:``port`` (0: any free port) serving ``preview``."""
    from .writers.pdf.writer import TEMPLATE_DIR

    stylesheet = TEMPLATE_DIR / "print" / "report.css"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002  (quiet: no line per request)
            pass

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802
            url = urlparse(self.path)
            if url.path == "/":
                version, page = preview.current()
                page = page.replace("</body>", (_RELOAD % version) + "</body>", 1)
                self._send(200, page.encode("utf-8"), "text/html; charset=utf-8")
            elif url.path == "/wait":
                try:
                    version = int(parse_qs(url.query).get("version", ["0"])[0])
                except ValueError:
                    version = -1
                changed = preview.wait(version)
                self._send(200, b"changed" if changed else b"same", "text/plain; charset=utf-8")
            elif url.path == "/print/report.css":
                self._send(200, stylesheet.read_bytes(), "text/css; charset=utf-8")
            else:
                self._send(404, b"not found", "text/plain; charset=utf-8")

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    return server


def serve(source_dir: Path, year: int, port: int, say=print) -> None:
    """Serve the preview until interrupted (Ctrl-C)."""
    preview = Preview(source_dir, year)
    server = make_server(preview, port)
    preview.start()
    say(f"preview of FY{year} on http://127.0.0.1:{server.server_address[1]}/ "
        f"(updates when a file in {source_dir} is saved; Ctrl-C to stop)")
    try:
        server.serve_forever()
    finally:
        preview.stop()
        server.server_close()
