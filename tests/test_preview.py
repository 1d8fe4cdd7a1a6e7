"""``kplan-report preview``: served on 127.0.0.1, updated when a source file is saved,
and showing a validation error with its file:line instead of a stale report."""

from __future__ import annotations

import shutil
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from kplan_report.preview import Preview, make_server

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


@pytest.fixture
def served(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(MINI, source)
    preview = Preview(source, 2021)
    server = make_server(preview, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    preview.start()
    yield source, f"http://127.0.0.1:{server.server_address[1]}", preview
    preview.stop()
    server.shutdown()
    server.server_close()


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def save_and_wait(base: str, path: Path, text: str) -> tuple[float, str]:
    """Save ``text`` into ``path`` as an editor would; return the seconds until
    the long poll says the page changed, and the new page."""
    version = get(base + "/").split("/wait?version=")[1].split('"')[0]
    answer: list[str] = []
    waiter = threading.Thread(target=lambda: answer.append(get(f"{base}/wait?version={version}")))
    waiter.start()
    time.sleep(0.2)  # the poll is waiting
    start = time.perf_counter()
    path.write_text(text, encoding="utf-8")
    waiter.join(30)
    elapsed = time.perf_counter() - start
    assert answer == ["changed"]
    return elapsed, get(base + "/")


def test_serves_the_report_on_localhost_only(served):
    source, base, preview = served
    assert base.startswith("http://127.0.0.1:")
    page = get(base + "/")
    assert "<html" in page and "全校で福祉・防災教育を実施した。" in page
    assert "print/report.css" in page and "fetch(\"/wait?version=" in page
    assert "http" not in page.split("<script>")[1]  # nothing loaded from elsewhere
    assert "@page" in get(base + "/print/report.css")


def test_saving_a_file_updates_the_page(served):
    source, base, preview = served
    actuals = source / "actuals" / "2021.yaml"
    text = actuals.read_text("utf-8").replace("全校で福祉・防災教育を実施した。", "全校で新しい教育を実施した。")
    elapsed, page = save_and_wait(base, actuals, text)
    assert "全校で新しい教育を実施した。" in page and "全校で福祉・防災教育を実施した。" not in page
    assert elapsed < 3.0  # the benchmark measures the 0.3 s target; this catches a hang


def test_a_validation_error_shows_with_file_and_line(served):
    source, base, preview = served
    actuals = source / "actuals" / "2021.yaml"
    good = actuals.read_text("utf-8")
    _, page = save_and_wait(base, actuals, good.replace("G1.1.i2: {measures: {main: {value: 8900}}}",
                                                        "G1.1.i2: {measures: {main: {value: abc}}}"))
    assert "入力データに誤りがあります" in page
    assert "2021.yaml:16: indicators.G1.1.i2.measures.main.value: found" in page
    assert "全校で福祉・防災教育を実施した。" not in page  # not the stale report
    _, page = save_and_wait(base, actuals, good)
    assert "全校で福祉・防災教育を実施した。" in page and "入力データに誤りがあります" not in page
