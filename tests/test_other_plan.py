"""Another city's plan gets its own report, with nothing of Kesennuma's in it.

tests/fixtures/town/ is an invented town (架空県みどり町): 4 基本目標, 4 主体
rows of its own, tags of its own, a 10-year period, a decrease indicator, a
3-grade scale and status labels of its own, 町.  Its report (built in its 8th
year) must print its own vocabulary and none of the shipped plan's; and the
shipped plan's report none of the town's.  Compared on the HTML the PDF is
laid out from and on the Word draft's text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import docx_structure as ds
from kplan_report.validate.load import load_source
from kplan_report.views.outline import build_report
from kplan_report.writers.docx.writer import render_docx
from kplan_report.writers.pdf import writer as pdf

ROOT = Path(__file__).resolve().parents[1]


def _vocabulary(source) -> list[str]:
    """What is the plan's own: identity strings, 主体 labels, tags as printed."""
    info = source.plan.plan
    words = [info.title, info.short_title, info.municipality, *info.publishers]
    words += [a.label for a in source.plan.actors if len(a.label) > 2]  # 地域 alone is a common word
    words += [f"【{a.label}】" for a in source.plan.tag_actors]
    words += [f"【{a.label}・" for a in source.plan.tag_actors] + [f"・{a.label}】" for a in source.plan.tag_actors]
    return [w for w in words if w]


def _texts(source, year) -> str:
    report = build_report(source, year)
    return pdf.render_html(report) + ds.all_text(ds.Docx.load(render_docx(report)))


@pytest.fixture(scope="module")
def plans():
    town = load_source(ROOT / "tests/fixtures/town")
    city = load_source(ROOT / "source")
    return town, city, _texts(town, 2029), _texts(city, 2021)


def test_no_word_of_the_city_in_the_towns_report(plans):
    town, city, town_text, _ = plans
    leaked = [w for w in _vocabulary(city) if w in town_text and w not in _vocabulary(town)]
    assert not leaked


def test_no_word_of_the_town_in_the_citys_report(plans):
    town, city, _, city_text = plans
    leaked = [w for w in _vocabulary(town) if w in city_text and w not in _vocabulary(city)]
    assert not leaked


def test_the_town_prints_its_own_vocabulary(plans):
    town, _, town_text, _ = plans
    for actor in town.plan.actors:
        assert actor.label in town_text
    assert "町・社協の対応" in town_text  # its terms override
    assert "市の対応" not in town_text
    statuses = {s.label for s in town.evaluation.indicator_statuses}
    assert statuses <= set(town_text.split()) or all(s in town_text for s in statuses)
